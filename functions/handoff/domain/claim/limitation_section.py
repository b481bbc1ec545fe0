"""Limitation of each invoice: the period the intake's facts select, with every restart and stop."""

from __future__ import annotations

from datetime import timedelta

from handoff.domain.claim.balances import MovementKind
from handoff.domain.claim.facts import ClaimFacts, WarningCode
from handoff.domain.claim.history import LegalEventKind
from handoff.domain.claim.rules import citations, missing, weakest
from handoff.domain.jurisdictions.limitation import LimitationStatus, Restart, limitation
from handoff.domain.jurisdictions.pack import AncillaryOnBar, LimitationRule, RestartEvent
from handoff.domain.jurisdictions.sections import InvoiceLimitation, LimitationSection
from handoff.domain.models import ContractForm, ContractSubject, EntityType

STATUS_SEVERITY = {
    LimitationStatus.running: 0,
    LimitationStatus.judgment: 0,
    LimitationStatus.unknown: 1,
    LimitationStatus.expired: 2,
    LimitationStatus.extinguished: 3,
}
EVENT_RESTARTS = {
    LegalEventKind.acknowledgement: RestartEvent.acknowledgement,
    LegalEventKind.written_promise: RestartEvent.written_promise,
    LegalEventKind.written_demand: RestartEvent.written_demand,
    LegalEventKind.part_payment: RestartEvent.part_payment,
    LegalEventKind.settlement: RestartEvent.acknowledgement,  # agreeing to pay acknowledges the debt
}


def restart_events(facts: ClaimFacts, invoice: str | None = None) -> list[Restart]:
    """Dated events that may restart limitation; each rule decides which of them count.

    Every dated payment (intake, direct, collected, confirmed) is a part payment; acknowledgments,
    written promises and written demands come from the contact log, the API and Handoff's own
    letters. With `invoice`, only the payments
    applied to that invoice count as its part payments (a payment settles what it is applied to).
    """
    events: list[Restart] = []
    for event in facts.events:
        if event.on > facts.as_of or event.kind not in EVENT_RESTARTS:
            continue
        events.append(
            Restart(on=event.on, event=EVENT_RESTARTS[event.kind], source=event.source, written=event.written)
        )
    for balance in facts.balances.invoices:
        if invoice is not None and balance.number != invoice:
            continue
        events.extend(
            Restart(on=m.on, event=RestartEvent.part_payment, source=f"payments:{m.source}", written=False)
            for m in balance.movements
            if m.kind is MovementKind.payment and m.on <= facts.as_of
        )
    return sorted(events, key=lambda e: e.on)


def _counting(rule: LimitationRule, events: list[Restart]) -> list[Restart]:
    """Events that count under the rule: acknowledgements must be written unless ack_form is any."""
    if rule.ack_form == "any":
        return events
    return [e for e in events if e.event is not RestartEvent.acknowledgement or e.written]


def choose_period(rule: LimitationRule, facts: ClaimFacts) -> tuple[int, str, str | None]:
    """The period the intake's facts select: (years, basis, statute). Unknown facts → the shorter."""
    terms = facts.intake.terms
    cites = rule.period_cites
    if rule.consumer_years is not None and facts.intake.debtor.entity_type is EntityType.individual:
        return rule.consumer_years, "consumer period (debtor is an individual)", cites.get("consumer")
    by_form = {
        ContractForm.written: (rule.written_contract_years, "written contract", cites.get("written")),
        ContractForm.oral: (
            rule.open_account_years,
            "unwritten contract or open account",
            cites.get("unwritten"),
        ),
    }
    if rule.deed_years is not None:
        by_form[ContractForm.deed] = (rule.deed_years, "contract made by deed", cites.get("deed"))
    if terms.form in by_form:
        chosen = by_form[terms.form]
    else:
        chosen = min(by_form[ContractForm.written], by_form[ContractForm.oral], key=lambda c: c[0])
        if rule.written_contract_years != rule.open_account_years or (terms.form is ContractForm.deed):
            facts.warn(
                WarningCode.assumed_fact,
                f"the contract's form is not given: the shorter period ({chosen[0]} years, {chosen[1]}) "
                "is assumed; give terms.form (written, oral or deed)",
                "terms.form",
            )
    goods = (rule.goods_years, "sale of goods (UCC 2-725)", cites.get("goods"))
    if rule.goods_years is None:
        return chosen
    if terms.subject is ContractSubject.goods:
        return goods  # type: ignore[return-value]
    if terms.subject is ContractSubject.services:
        return chosen
    if rule.goods_years < chosen[0]:
        what = (
            "mixed (predominant purpose not given)" if terms.subject is ContractSubject.mixed else "not given"
        )
        facts.warn(
            WarningCode.assumed_fact,
            f"the contract's subject is {what}: the shorter goods period ({rule.goods_years} years) "
            "is assumed; give terms.subject (goods or services)",
            "terms.subject",
        )
        return goods  # type: ignore[return-value]
    return chosen


def limitation_section(facts: ClaimFacts, code: str | None) -> LimitationSection:
    events = restart_events(facts)
    jurisdiction = facts.pack.get(code)
    versions = jurisdiction.of_type(LimitationRule) if jurisdiction else []
    if not versions:
        reason = missing(facts, code, "limitation", "law")
        return LimitationSection(status=LimitationStatus.unknown, restarts=events, reason=reason)
    legal = [(str(e.kind), e.on) for e in facts.events]
    judgments = [e.on for e in facts.events if e.kind is LegalEventKind.judgment]
    rows: list[InvoiceLimitation] = []
    used: list[LimitationRule] = []
    basis = statute = None
    for invoice in facts.owing():
        accrued_on = invoice.due_on + timedelta(days=1)
        rule = next((r for r in versions if r.in_force(accrued_on)), None)
        if rule is None:
            continue
        used.extend([rule] if rule not in used else [])
        years, basis, statute = choose_period(rule, facts)
        restarts = _counting(rule, restart_events(facts, invoice.number))
        result = limitation(
            rule,
            years,
            accrued_on,
            facts.as_of,
            restarts,
            facts.options.discovered_on,
            legal_events=legal,
            judgment_on=min(judgments, default=None),
        )
        rows.append(InvoiceLimitation(number=invoice.number, **result.model_dump()))
        if result.status in (LimitationStatus.expired, LimitationStatus.extinguished):
            barred = rule.on_bar is AncillaryOnBar.barred or rule.extinguishes
            facts.bars[invoice.number] = (result.ends_on, barred, rule.on_bar_cite or rule.citations[0].cite)
    if not rows:
        return LimitationSection(
            status=LimitationStatus.unknown,
            restarts=events,
            reason="nothing outstanding, or no limitation rule in force when the invoices fell due",
        )
    primary = used[0]
    worst = max((r.status for r in rows), key=STATUS_SEVERITY.__getitem__)
    return LimitationSection(
        status=worst,
        ends_on=min(r.ends_on for r in rows),
        restarted_on=max((r.restarted_on for r in rows if r.restarted_on), default=None),
        extinguishes=primary.extinguishes,
        years=rows[0].years,
        period_basis=basis,
        period_statute=statute,
        on_bar=primary.on_bar,
        on_bar_cite=primary.on_bar_cite,
        restarts=events,
        invoices=rows,
        rule_id=primary.id,
        rule_jurisdiction=code,
        verification=weakest(used),
        citations=citations(used),
        note=primary.note,
        reason="acknowledgments and demands apply to every outstanding invoice: they do not name invoices",
    )
