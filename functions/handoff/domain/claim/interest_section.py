"""Interest on each invoice: statutory or contractual, on each day's balance, stopped by a bar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from handoff.domain.claim.balances import InvoiceBalance
from handoff.domain.claim.facts import ClaimFacts, ClaimWarning, WarningCode
from handoff.domain.claim.rules import citations, missing, weakest
from handoff.domain.jurisdictions.interest import (
    RatePeriod,
    RateUnavailableError,
    accrue,
    interest_start,
    rate_periods,
)
from handoff.domain.jurisdictions.limitation import add_months
from handoff.domain.jurisdictions.pack import Citation, InterestFormula, Jurisdiction, StatutoryInterestRule
from handoff.domain.jurisdictions.sections import Basis, InterestSection, InvoiceInterest
from handoff.domain.models import Compounding, InterestKind, RateBasis
from handoff.domain.money import rounded, zero


def _until(facts: ClaimFacts, balance: InvoiceBalance) -> tuple[date, str | None, bool]:
    """Last day interest runs, why it stops early, and whether everything is barred."""
    bar = facts.bars.get(balance.number)
    if bar is None:
        return facts.as_of, None, False
    last_day, all_barred, source = bar
    if all_barred:
        return last_day, f"barred with the principal: {source}", True
    return (
        min(last_day, facts.as_of),
        f"stops on {last_day}, the last day of the limitation period: {source}",
        False,
    )


def _invoice(
    facts: ClaimFacts,
    balance: InvoiceBalance,
    start: date,
    periods: list[RatePeriod],
    bar: str | None,
    capitalise_every: int | None = None,
) -> InvoiceInterest:
    until = periods[-1].to_date if periods else start - timedelta(days=1)
    changes = [m.on for m in balance.movements]
    capitalise = []
    if capitalise_every:
        k, day = 1, add_months(start, capitalise_every)  # interest joins the principal each period
        while day <= until:
            capitalise.append(day)
            k += 1
            day = add_months(start, capitalise_every * k)
    accrual = accrue(
        balance.outstanding_on,
        periods,
        facts.options.rounding,
        facts.currency,
        changes=changes,
        capitalise_on=capitalise,
    )
    running = until == facts.as_of and bar is None and balance.outstanding > 0 and accrual.segments
    for series, first, last, percent in stale_periods(accrual.segments):
        confirmed = facts.options.confirms(series, first, last, percent)
        days = f"for {first}" if first == last else f"from {first} to {last}"
        facts.add(
            ClaimWarning(
                code=WarningCode.stale_rate,
                detail=f"{series} has no recorded value {days}: {percent}% (the last recorded value) "
                "is assumed" + (" (confirmed by the business)" if confirmed else ""),
                confirmed=confirmed,
                series=series,
                period_from=first,
                period_to=last,
                assumed_percent=percent,
            )
        )
    return InvoiceInterest(
        number=balance.number,
        principal=balance.outstanding,
        starts_on=start,
        until=max(until, start - timedelta(days=1)),
        days=max((until - start).days + 1, 0),
        amount=accrual.amount,
        daily_amount=accrual.segments[-1].daily_amount if running else zero(facts.currency),
        segments=accrual.segments,
        barred=bar,
    )


def stale_periods(segments: Sequence[RatePeriod]) -> list[tuple[str, date, date, Decimal]]:
    """(series, first day, last day, assumed %) of the unrecorded values the segments used.

    A rate fixed for its period needs one recorded fixing (its `fixed_on`); a rate that follows the
    series needs every day of the segment. Adjacent daily segments at one value merge into one period.
    """
    found: list[tuple[str, date, date, Decimal]] = []
    for s in segments:
        if not (s.stale and s.reference_series and s.fixed_on and s.reference_percent is not None):
            continue
        first, last = (s.fixed_on, s.fixed_on) if s.fixed_for_period else (s.from_date, s.to_date)
        if found and not s.fixed_for_period:
            series, begin, end, percent = found[-1]
            if (series, percent) == (s.reference_series, s.reference_percent) and end + timedelta(1) >= first:
                found[-1] = (series, begin, max(end, last), percent)
                continue
        if (s.reference_series, first, last, s.reference_percent) not in found:
            found.append((s.reference_series, first, last, s.reference_percent))
    return found


def _statutory_periods(
    facts: ClaimFacts, jurisdiction: Jurisdiction, start: date, end: date
) -> tuple[list[RatePeriod], list[StatutoryInterestRule]]:
    periods: list[RatePeriod] = []
    used: list[StatutoryInterestRule] = []
    for rule in jurisdiction.of_type(StatutoryInterestRule):
        begin = max(start, rule.effective_from)
        finish = min(end, rule.effective_to or end)
        if begin > finish:
            continue
        series = facts.pack.reference_rates.get(rule.formula.reference or "")
        periods.extend(rate_periods(rule.formula, series, start, begin, finish))
        used.append(rule)
    return periods, used


def _empty(facts: ClaimFacts, basis: Basis, reason: str) -> InterestSection:
    return InterestSection(
        basis=basis, currency=facts.currency, total=zero(facts.currency), rounding=None, reason=reason
    )


def _total(facts: ClaimFacts, rows: list[InvoiceInterest]) -> dict[str, object]:
    currency = facts.currency
    return {
        "currency": currency,
        "total": rounded(sum((r.amount for r in rows), Decimal(0)), currency),
        "daily_amount": rounded(sum((r.daily_amount for r in rows), Decimal(0)), currency),
        "rounding": facts.options.rounding,
        "rates_percent": sorted({s.rate_percent for r in rows for s in r.segments}),
        "invoices": rows,
    }


def interest_section(facts: ClaimFacts, code: str | None) -> InterestSection:
    terms = facts.intake.terms.interest
    if terms.kind is InterestKind.none:
        return _empty(facts, Basis.none, "terms: no interest")
    merged = facts.merged()
    if merged is not None:
        basis = Basis.contractual if terms.kind is InterestKind.contractual else Basis.statutory
        return _empty(facts, basis, merged)
    if terms.kind is InterestKind.contractual:
        return _contractual(facts)
    jurisdiction = facts.pack.get(code)
    versions = jurisdiction.of_type(StatutoryInterestRule) if jurisdiction else []
    if jurisdiction is None or not versions:
        return _empty(facts, Basis.statutory, missing(facts, code, "statutory_interest", "law"))
    rows: list[InvoiceInterest] = []
    used: list[StatutoryInterestRule] = []
    problems: list[str] = []
    for balance in facts.ever_overdue():
        first = next((r for r in versions if r.in_force(balance.due_on + timedelta(days=1))), versions[-1])
        start = interest_start(balance.due_on, first.start_days_after_due)
        until, bar, all_barred = _until(facts, balance)
        if start > facts.as_of:
            continue
        try:
            periods, rules = _statutory_periods(facts, jurisdiction, start, until)
        except RateUnavailableError as exc:
            problems.append(f"{balance.number}: {exc}")
            facts.warn(WarningCode.rate_unavailable, f"{balance.number}: {exc}")
            continue
        used.extend(r for r in rules if r not in used)
        rows.append(_invoice(facts, balance, start, [] if all_barred else periods, bar))
    primary = used[0] if used else versions[-1]
    return InterestSection(
        basis=Basis.statutory,
        **_total(facts, rows),
        nature=primary.nature,
        rule_id=primary.id,
        rule_jurisdiction=code,
        verification=weakest(used or [primary]),
        citations=citations(used or [primary]),
        note=primary.note,
        reason="; ".join(problems) or (None if rows else "no invoice is overdue"),
    )


def _contractual(facts: ClaimFacts) -> InterestSection:
    terms = facts.intake.terms
    rate = terms.interest.rate_percent
    if rate is None:
        return _empty(facts, Basis.contractual, "contractual interest without rate_percent")
    annual = rate * 12 if terms.interest.period is RateBasis.per_month else rate
    every = {Compounding.monthly: 1, Compounding.annually: 12}.get(terms.interest.compounding)
    formula = InterestFormula(rate_percent=annual)
    rows = []
    for balance in facts.ever_overdue():
        start = interest_start(balance.due_on)
        until, bar, all_barred = _until(facts, balance)
        periods = [] if all_barred else rate_periods(formula, None, start, start, until)
        rows.append(_invoice(facts, balance, start, periods, bar, every))
    per = "a month" if terms.interest.period is RateBasis.per_month else "a year"
    source = Citation(cite=f"Contract terms {terms.agreement_reference or '(no reference given)'}")
    return InterestSection(
        basis=Basis.contractual,
        **_total(facts, rows),
        compounding=str(terms.interest.compounding),
        rule_id="contract",
        citations=[source],
        note=f"Contract rate {rate}% {per} ({annual}% a year), {terms.interest.compounding}, ACT/365, "
        "from the day after the due date; overrides the statutory rate.",
    )
