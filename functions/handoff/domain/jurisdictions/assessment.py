"""One entry point: `assess(intake, as_of, ...)` → `LegalAssessment`.

Which jurisdiction decides what:
* interest, fixed compensation and limitation follow `terms.governing_law` when it is given
  (a bare country such as `GB` resolves to the debtor's subdivision when the debtor is in that
  country); without it they follow the debtor's jurisdiction;
* the response deadline, its business-day calendar and the small-claims ceiling follow the
  debtor's jurisdiction (where the debtor would be written to and sued).
A jurisdiction missing from the pack gives sections with `rule_id=None` and a `reason`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, timedelta
from decimal import Decimal

from handoff.domain.jurisdictions.compensation import compensation_for
from handoff.domain.jurisdictions.deadlines import (
    HolidayCalendar,
    add_business_days,
    add_calendar_days,
    calendar_for,
    describe,
)
from handoff.domain.jurisdictions.interest import (
    RatePeriod,
    RateUnavailableError,
    accrue,
    interest_start,
    rate_periods,
)
from handoff.domain.jurisdictions.limitation import LimitationStatus, Restart, limitation
from handoff.domain.jurisdictions.pack import (
    BusinessCalendar,
    Citation,
    Claimant,
    FixedCompensationRule,
    InterestFormula,
    Jurisdiction,
    LimitationRule,
    ResponsePeriodRule,
    RestartEvent,
    RoundingMode,
    Rule,
    RulePack,
    SmallClaimsRule,
    StatutoryInterestRule,
    Verification,
    rule_pack,
)
from handoff.domain.jurisdictions.sections import (
    Basis,
    CompensationSection,
    InterestSection,
    InvoiceAmount,
    InvoiceInterest,
    InvoiceLimitation,
    LateFeeSection,
    LegalAssessment,
    LimitationSection,
    ResponseSection,
    SmallClaimsSection,
)
from handoff.domain.models import CaseIntake, Channel, ContactOutcome, EntityType, Invoice
from handoff.domain.money import rounded, zero

WRITTEN_CHANNELS = frozenset({Channel.letter, Channel.email, Channel.portal})
WEAKNESS = {Verification.confirmed: 0, Verification.secondary: 1, Verification.unverified: 2}
STATUS_SEVERITY = {
    LimitationStatus.running: 0,
    LimitationStatus.unknown: 1,
    LimitationStatus.expired: 2,
    LimitationStatus.extinguished: 3,
}
Payment = tuple[date, Decimal]


# --- jurisdictions -------------------------------------------------------------------------------


def debtor_jurisdiction(pack: RulePack, intake: CaseIntake) -> str | None:
    """The debtor's subdivision if the pack has it, else the debtor's country if the pack has it."""
    address = intake.debtor.address
    for code in (address.subdivision, address.country):
        if code is not None and code in pack.jurisdictions:
            return code
    return None


def law_jurisdiction(pack: RulePack, intake: CaseIntake, debtor_code: str | None) -> tuple[str | None, str]:
    law = intake.terms.governing_law
    if law is None:
        return debtor_code, "debtor"
    if law in pack.jurisdictions:
        return law, "governing_law"
    if "-" not in law and debtor_code is not None and debtor_code.split("-")[0] == law:
        return debtor_code, "governing_law"
    country = law.split("-")[0]
    return (country if country in pack.jurisdictions else None), "governing_law"


def _missing(code: str | None, kind: str, pack: RulePack, intake: CaseIntake, subject: str) -> str:
    """Why a section has no rule: the jurisdiction is not in the pack, or the pack says why."""
    jurisdiction = pack.get(code)
    if jurisdiction is None:
        address = intake.debtor.address
        debtor = address.subdivision or address.country
        wanted = debtor if subject == "debtor" else (intake.terms.governing_law or debtor)
        return f"jurisdiction {wanted} is not in rule pack {pack.pack_version}"
    return jurisdiction.gaps.get(kind, f"the pack has no {kind} rule for {code}")


def _citations(rules: Iterable[Rule]) -> list[Citation]:
    seen: list[Citation] = []
    for rule in rules:
        seen.extend(c for c in rule.citations if c not in seen)
    return seen


def _weakest(rules: Sequence[Rule]) -> Verification | None:
    return max((r.verification for r in rules), key=WEAKNESS.__getitem__, default=None)


def _overdue(intake: CaseIntake, as_of: date) -> list[Invoice]:
    return [i for i in intake.invoices if i.outstanding > 0 and i.due_on < as_of]


# --- interest ------------------------------------------------------------------------------------


def _statutory_periods(
    pack: RulePack, jurisdiction: Jurisdiction, start: date, as_of: date
) -> tuple[list[RatePeriod], list[StatutoryInterestRule]]:
    periods: list[RatePeriod] = []
    used: list[StatutoryInterestRule] = []
    for rule in jurisdiction.of_type(StatutoryInterestRule):
        begin = max(start, rule.effective_from)
        end = min(as_of, rule.effective_to or as_of)
        if begin > end:
            continue
        series = pack.reference_rates.get(rule.formula.reference or "")
        periods.extend(rate_periods(rule.formula, series, start, begin, end))
        used.append(rule)
    return periods, used


def _interest(
    pack: RulePack, code: str | None, intake: CaseIntake, as_of: date, rounding: RoundingMode | None
) -> InterestSection:
    currency = intake.currency
    terms = intake.terms.interest
    if terms.kind == "none":
        return InterestSection(
            basis=Basis.none,
            currency=currency,
            total=zero(currency),
            rounding=None,
            reason="terms: no interest",
        )
    if terms.kind == "contractual":
        return _contractual_interest(intake, as_of, rounding or RoundingMode.exact)
    jurisdiction = pack.get(code)
    versions = jurisdiction.of_type(StatutoryInterestRule) if jurisdiction else []
    if jurisdiction is None or not versions:
        return InterestSection(
            basis=Basis.statutory,
            currency=currency,
            total=zero(currency),
            rounding=None,
            reason=_missing(code, "statutory_interest", pack, intake, "law"),
        )
    invoices: list[InvoiceInterest] = []
    used: list[StatutoryInterestRule] = []
    problems: list[str] = []
    mode = rounding
    for invoice in _overdue(intake, as_of):
        first = next((r for r in versions if r.in_force(invoice.due_on + timedelta(days=1))), versions[-1])
        start = interest_start(invoice.due_on, first.start_days_after_due)
        mode = mode or first.rounding
        if start > as_of:
            continue
        try:
            periods, rules = _statutory_periods(pack, jurisdiction, start, as_of)
        except RateUnavailableError as exc:
            problems.append(f"{invoice.number}: {exc}")
            continue
        used.extend(r for r in rules if r not in used)
        invoices.append(_invoice_interest(invoice, start, as_of, periods, mode, currency))
    primary = used[0] if used else versions[-1]
    return InterestSection(
        basis=Basis.statutory,
        currency=currency,
        total=rounded(sum((i.amount for i in invoices), Decimal(0)), currency),
        rounding=mode or primary.rounding,
        rates_percent=sorted({s.rate_percent for i in invoices for s in i.segments}),
        nature=primary.nature,
        invoices=invoices,
        rule_id=primary.id,
        rule_jurisdiction=code,
        verification=_weakest(used or [primary]),
        citations=_citations(used or [primary]),
        note=primary.note,
        reason="; ".join(problems) or (None if invoices else "no invoice is overdue"),
    )


def _invoice_interest(
    invoice: Invoice, start: date, as_of: date, periods: list[RatePeriod], mode: RoundingMode, currency: str
) -> InvoiceInterest:
    accrual = accrue(invoice.outstanding, periods, mode, currency)
    return InvoiceInterest(
        number=invoice.number,
        principal=invoice.outstanding,
        starts_on=start,
        days=(as_of - start).days + 1,
        amount=accrual.amount,
        segments=accrual.segments,
    )


def _contractual_interest(intake: CaseIntake, as_of: date, mode: RoundingMode) -> InterestSection:
    currency = intake.currency
    rate = intake.terms.interest.rate_percent
    source = Citation(cite=f"Contract terms {intake.terms.agreement_reference or '(no reference given)'}")
    if rate is None:
        return InterestSection(
            basis=Basis.contractual,
            currency=currency,
            total=zero(currency),
            rounding=None,
            reason="contractual interest without rate_percent",
        )
    formula = InterestFormula(rate_percent=rate)
    invoices = []
    for invoice in _overdue(intake, as_of):
        start = interest_start(invoice.due_on)
        periods = rate_periods(formula, None, start, start, as_of)
        invoices.append(_invoice_interest(invoice, start, as_of, periods, mode, currency))
    return InterestSection(
        basis=Basis.contractual,
        currency=currency,
        total=rounded(sum((i.amount for i in invoices), Decimal(0)), currency),
        rounding=mode,
        rates_percent=[rate],
        invoices=invoices,
        rule_id="contract",
        citations=[source],
        note="Contract rate, simple, ACT/365, from the day after the due date; overrides the statutory rate.",
    )


# --- compensation and late fees ------------------------------------------------------------------


def _compensation(pack: RulePack, code: str | None, intake: CaseIntake, as_of: date) -> CompensationSection:
    currency = intake.currency
    empty = CompensationSection(currency=currency, total=zero(currency))
    fee = intake.terms.late_fee
    if fee is not None and (fee.amount is not None or fee.percent is not None):
        return empty.model_copy(update={"reason": "the contractual late fee replaces statutory compensation"})
    jurisdiction = pack.get(code)
    versions = jurisdiction.of_type(FixedCompensationRule) if jurisdiction else []
    if not versions:
        return empty.model_copy(update={"reason": _missing(code, "fixed_compensation", pack, intake, "law")})
    rows: list[InvoiceAmount] = []
    used: list[FixedCompensationRule] = []
    problems: list[str] = []
    for invoice in _overdue(intake, as_of):
        late_from = invoice.due_on + timedelta(days=1)
        rule = next((r for r in versions if r.in_force(late_from)), None)
        if rule is None:
            problems.append(f"{invoice.number}: no compensation rule in force on {late_from}")
            continue
        if rule.currency != currency:
            problems.append(
                f"compensation is fixed in {rule.currency} and the debt is in {currency}: not converted"
            )
            continue
        used.extend([rule] if rule not in used else [])
        amount = rounded(compensation_for(invoice.outstanding, rule), currency)
        rows.append(InvoiceAmount(number=invoice.number, outstanding=invoice.outstanding, amount=amount))
    primary = used[0] if used else versions[-1]
    return CompensationSection(
        currency=currency,
        total=rounded(sum((r.amount for r in rows), Decimal(0)), currency),
        invoices=rows,
        rule_id=primary.id if used else None,
        rule_jurisdiction=code if used else None,
        verification=_weakest(used) if used else None,
        citations=_citations(used),
        note=primary.note if used else None,
        reason="; ".join(dict.fromkeys(problems)) or (None if rows else "no invoice is overdue"),
    )


def _late_fees(intake: CaseIntake, as_of: date) -> LateFeeSection:
    currency = intake.currency
    fee = intake.terms.late_fee
    if fee is None or (fee.amount is None and fee.percent is None):
        return LateFeeSection(basis=Basis.none, currency=currency, total=zero(currency), reason="no late fee")
    rows = []
    for invoice in _overdue(intake, as_of):
        amount = fee.amount or Decimal(0)
        if fee.percent is not None:
            amount += invoice.outstanding * fee.percent / 100
        rows.append(
            InvoiceAmount(
                number=invoice.number, outstanding=invoice.outstanding, amount=rounded(amount, currency)
            )
        )
    return LateFeeSection(
        basis=Basis.contractual,
        currency=currency,
        total=rounded(sum((r.amount for r in rows), Decimal(0)), currency),
        invoices=rows,
        reason=None if rows else "no invoice is overdue",
    )


# --- limitation ----------------------------------------------------------------------------------


def restart_events(intake: CaseIntake, as_of: date, payments: Sequence[Payment]) -> list[Restart]:
    """Dated events that may restart limitation; each rule decides which of them count.

    `acknowledged` → acknowledgement (a written channel is needed unless the rule's ack_form is
    `any`); `partial_payment` → part_payment; `promised_to_pay` → written_promise when written,
    and an acknowledgement where the rule accepts any form (BGB §212). Extra `payments` with a
    positive amount are part payments.
    """
    events: list[Restart] = []
    for contact in intake.contact_log:
        on = contact.at.astimezone(UTC).date()
        if on > as_of:
            continue
        written = contact.channel in WRITTEN_CHANNELS
        if contact.outcome is ContactOutcome.acknowledged:
            events.append(
                Restart(on=on, event=RestartEvent.acknowledgement, source="contact_log", written=written)
            )
        elif contact.outcome is ContactOutcome.partial_payment:
            events.append(
                Restart(on=on, event=RestartEvent.part_payment, source="contact_log", written=written)
            )
        elif contact.outcome is ContactOutcome.promised_to_pay:
            if written:
                events.append(
                    Restart(on=on, event=RestartEvent.written_promise, source="contact_log", written=True)
                )
            events.append(
                Restart(on=on, event=RestartEvent.acknowledgement, source="contact_log", written=False)
            )
    events.extend(
        Restart(on=on, event=RestartEvent.part_payment, source="payments", written=False)
        for on, amount in payments
        if amount > 0 and on <= as_of
    )
    return sorted(events, key=lambda e: e.on)


def _counting(rule: LimitationRule, events: list[Restart]) -> list[Restart]:
    """Events that count under the rule: acknowledgements must be written unless ack_form is any."""
    if rule.ack_form == "any":
        return events
    return [e for e in events if e.event is not RestartEvent.acknowledgement or e.written]


def _period(rule: LimitationRule, intake: CaseIntake) -> tuple[int, str]:
    if rule.consumer_years is not None and intake.debtor.entity_type is EntityType.individual:
        return rule.consumer_years, "consumer period (debtor is an individual)"
    if intake.terms.agreement_reference:
        years, basis = rule.written_contract_years, "written contract (agreement_reference given)"
    else:
        years, basis = rule.open_account_years, "open account (no agreement_reference)"
    if rule.goods_years is not None and rule.goods_years < years:
        return rule.goods_years, f"{basis}; shorter UCC 2-725 goods period used (goods vs services unknown)"
    return years, basis


def _limitation(
    pack: RulePack,
    code: str | None,
    intake: CaseIntake,
    as_of: date,
    payments: Sequence[Payment],
    discovered_on: date | None,
) -> LimitationSection:
    events = restart_events(intake, as_of, payments)
    jurisdiction = pack.get(code)
    versions = jurisdiction.of_type(LimitationRule) if jurisdiction else []
    if not versions:
        reason = _missing(code, "limitation", pack, intake, "law")
        return LimitationSection(status=LimitationStatus.unknown, restarts=events, reason=reason)
    rows: list[InvoiceLimitation] = []
    used: list[LimitationRule] = []
    basis = None
    for invoice in (i for i in intake.invoices if i.outstanding > 0):
        accrued_on = invoice.due_on + timedelta(days=1)
        rule = next((r for r in versions if r.in_force(accrued_on)), None)
        if rule is None:
            continue
        used.extend([rule] if rule not in used else [])
        years, basis = _period(rule, intake)
        result = limitation(rule, years, accrued_on, as_of, _counting(rule, events), discovered_on)
        rows.append(InvoiceLimitation(number=invoice.number, **result.model_dump()))
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
        restarts=events,
        invoices=rows,
        rule_id=primary.id,
        rule_jurisdiction=code,
        verification=_weakest(used),
        citations=_citations(used),
        note=primary.note,
        reason="restarts apply to every outstanding invoice: the contact log does not name invoices",
    )


# --- response deadline ---------------------------------------------------------------------------


class _WeekendsOnly:
    """Fallback calendar when `holidays` has no calendar for the debtor's country."""

    weekend: set[int] = {5, 6}

    def __contains__(self, day: object) -> bool:
        return False


def _debtor_calendar(jurisdiction: Jurisdiction | None, intake: CaseIntake) -> tuple[HolidayCalendar, str]:
    address = intake.debtor.address
    spec = jurisdiction.calendar if jurisdiction else BusinessCalendar(country=address.country)
    if spec.subdiv is None and address.subdivision and address.subdivision.startswith(spec.country + "-"):
        local = spec.model_copy(update={"subdiv": address.subdivision.split("-", 1)[1]})
        try:
            return calendar_for(local), describe(local)
        except (NotImplementedError, KeyError, ValueError):
            pass
    try:
        return calendar_for(spec), describe(spec)
    except (NotImplementedError, KeyError, ValueError):
        return _WeekendsOnly(), f"weekends only ({spec.lib} has no calendar for {spec.country})"


def _pick_response(versions: list[ResponsePeriodRule], entity: EntityType) -> ResponsePeriodRule | None:
    specific = [r for r in versions if r.when is not None and entity in r.when.debtor_types]
    general = [r for r in versions if r.when is None]
    return next(iter(specific or general), None)


def _response(pack: RulePack, code: str | None, intake: CaseIntake, start: date) -> ResponseSection:
    jurisdiction = pack.get(code)
    versions = jurisdiction.of_type(ResponsePeriodRule, start) if jurisdiction else []
    rule = _pick_response(versions, intake.debtor.entity_type)
    if rule is None:
        defaults = pack.defaults
        days, business = defaults.response_days, defaults.response_business_days
        reason = _missing(code, "response_period", pack, intake, "debtor")
        if jurisdiction is not None and versions:
            reason = f"no response rule for a {intake.debtor.entity_type} debtor in {code}"
        enclosures: list[str] = []
    else:
        days, business, enclosures, reason = rule.days, rule.business_days, rule.enclosures, None
    if business:
        calendar, calendar_text = _debtor_calendar(jurisdiction, intake)
        deadline = add_business_days(start, days, calendar)
    else:
        deadline, calendar_text = add_calendar_days(start, days), "calendar days"
    return ResponseSection(
        starts_on=start,
        deadline=deadline,
        days=days,
        business_days=business,
        calendar=calendar_text,
        enclosures=list(enclosures),
        product_default=rule is None,
        rule_id=rule.id if rule else None,
        rule_jurisdiction=code if rule else None,
        verification=rule.verification if rule else None,
        citations=rule.citations if rule else [],
        note=rule.note if rule else pack.defaults.response_note,
        reason=reason,
    )


# --- small claims --------------------------------------------------------------------------------


def _small_claims(
    pack: RulePack, code: str | None, intake: CaseIntake, as_of: date, claimant: Claimant
) -> SmallClaimsSection:
    jurisdiction = pack.get(code)
    rules = jurisdiction.of_type(SmallClaimsRule, as_of) if jurisdiction else []
    if not rules:
        return SmallClaimsSection(
            claimant=claimant, reason=_missing(code, "small_claims", pack, intake, "debtor")
        )
    rule = rules[0]
    match = next((c for c in rule.ceilings if c.claimant is claimant), None) or next(
        (c for c in rule.ceilings if c.claimant is Claimant.any), None
    )
    ceiling = rounded(match.amount, rule.currency) if match and match.amount is not None else None
    principal = sum((i.outstanding for i in intake.invoices), Decimal(0))
    within = principal <= ceiling if ceiling is not None and rule.currency == intake.currency else None
    reason: str | None = None
    if match is None:
        reason = f"the rule gives no ceiling for a {claimant} claimant"
    elif ceiling is None:
        reason = "this small-claims track does not take the debt"
    elif rule.currency != intake.currency:
        reason = f"ceiling in {rule.currency}, debt in {intake.currency}: not compared"
    return SmallClaimsSection(
        ceiling=ceiling,
        currency=rule.currency,
        claimant=claimant,
        ceilings=rule.ceilings,
        within=within,
        rule_id=rule.id,
        rule_jurisdiction=code,
        verification=rule.verification,
        citations=rule.citations,
        note=rule.note,
        reason=reason,
    )


# --- entry point ---------------------------------------------------------------------------------


def assess(
    intake: CaseIntake,
    as_of: date,
    letter_date: date | None = None,
    payments: Sequence[Payment] | None = None,
    *,
    rounding: RoundingMode | None = None,
    creditor_is_natural_person: bool = False,
    discovered_on: date | None = None,
    pack: RulePack | None = None,
) -> LegalAssessment:
    """Assess a case on `as_of` against the rule pack (the shipped one unless `pack` is given).

    `letter_date` (default `as_of`) starts the response period; `payments` are dated part
    payments that may restart limitation; `rounding` overrides the rule's rounding mode;
    `creditor_is_natural_person` selects the small-claims ceiling where it depends on the
    claimant (US-CA, US-WA); `discovered_on` feeds discovery-based limitation (CA-ON).
    """
    pack = pack or rule_pack()
    debtor_code = debtor_jurisdiction(pack, intake)
    law_code, law_basis = law_jurisdiction(pack, intake, debtor_code)
    claimant = Claimant.natural_person if creditor_is_natural_person else Claimant.entity
    return LegalAssessment(
        pack_version=pack.pack_version,
        as_of=as_of,
        jurisdiction=debtor_code,
        law_jurisdiction=law_code,
        law_basis=law_basis,
        interest=_interest(pack, law_code, intake, as_of, rounding),
        compensation=_compensation(pack, law_code, intake, as_of),
        late_fees=_late_fees(intake, as_of),
        limitation=_limitation(pack, law_code, intake, as_of, payments or [], discovered_on),
        response=_response(pack, debtor_code, intake, letter_date or as_of),
        small_claims=_small_claims(pack, debtor_code, intake, as_of, claimant),
        disclaimer=pack.disclaimer.format(version=pack.pack_version),
    )
