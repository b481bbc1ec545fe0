"""Fixed compensation and contractual late fees: owed once per invoice that fell due unpaid."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from handoff.domain.claim.facts import ClaimFacts
from handoff.domain.claim.rules import citations, missing, weakest
from handoff.domain.jurisdictions.compensation import compensation_for
from handoff.domain.jurisdictions.pack import FixedCompensationRule
from handoff.domain.jurisdictions.sections import Basis, CompensationSection, InvoiceAmount, LateFeeSection
from handoff.domain.money import rounded, zero


def _late_amount(facts: ClaimFacts, number: str) -> Decimal | None:
    """What was owed when the invoice fell due, or None when a bar takes its charges away."""
    bar = facts.bars.get(number)
    return None if bar is not None and bar[1] else Decimal(0)


def compensation_section(facts: ClaimFacts, code: str | None) -> CompensationSection:
    currency = facts.currency
    empty = CompensationSection(currency=currency, total=zero(currency))
    fee = facts.intake.terms.late_fee
    if fee is not None and (fee.amount is not None or fee.percent is not None):
        return empty.model_copy(update={"reason": "the contractual late fee replaces statutory compensation"})
    if facts.merged() is not None:
        return empty.model_copy(update={"reason": facts.merged()})
    jurisdiction = facts.pack.get(code)
    versions = jurisdiction.of_type(FixedCompensationRule) if jurisdiction else []
    if not versions:
        return empty.model_copy(update={"reason": missing(facts, code, "fixed_compensation", "law")})
    rows: list[InvoiceAmount] = []
    used: list[FixedCompensationRule] = []
    problems: list[str] = []
    for balance in facts.ever_overdue():
        late_from = balance.due_on + timedelta(days=1)
        rule = next((r for r in versions if r.in_force(late_from)), None)
        if rule is None:
            problems.append(f"{balance.number}: no compensation rule in force on {late_from}")
            continue
        if rule.currency != currency:
            problems.append(
                f"compensation is fixed in {rule.currency} and the debt is in {currency}: not converted"
            )
            continue
        used.extend([rule] if rule not in used else [])
        late = balance.outstanding_on(balance.due_on)
        if _late_amount(facts, balance.number) is None:
            problems.append(f"{balance.number}: {facts.bars[balance.number][2]}")
            amount = zero(currency)
        else:
            amount = rounded(compensation_for(late, rule), currency)
        rows.append(InvoiceAmount(number=balance.number, outstanding=late, amount=amount))
    primary = used[0] if used else versions[-1]
    return CompensationSection(
        currency=currency,
        total=rounded(sum((r.amount for r in rows), Decimal(0)), currency),
        invoices=rows,
        rule_id=primary.id if used else None,
        rule_jurisdiction=code if used else None,
        verification=weakest(used) if used else None,
        citations=citations(used),
        note=primary.note if used else None,
        reason="; ".join(dict.fromkeys(problems)) or (None if rows else "no invoice is overdue"),
    )


def late_fee_section(facts: ClaimFacts) -> LateFeeSection:
    currency = facts.currency
    fee = facts.intake.terms.late_fee
    if fee is None or (fee.amount is None and fee.percent is None):
        return LateFeeSection(basis=Basis.none, currency=currency, total=zero(currency), reason="no late fee")
    if facts.merged() is not None:
        return LateFeeSection(
            basis=Basis.contractual, currency=currency, total=zero(currency), reason=facts.merged()
        )
    rows = []
    for balance in facts.ever_overdue():
        late = balance.outstanding_on(balance.due_on)
        amount = fee.amount or Decimal(0)
        if fee.percent is not None:
            amount += late * fee.percent / 100
        if _late_amount(facts, balance.number) is None:
            amount = Decimal(0)
        rows.append(InvoiceAmount(number=balance.number, outstanding=late, amount=rounded(amount, currency)))
    return LateFeeSection(
        basis=Basis.contractual,
        currency=currency,
        total=rounded(sum((r.amount for r in rows), Decimal(0)), currency),
        invoices=rows,
        reason=None if rows else "no invoice is overdue",
    )
