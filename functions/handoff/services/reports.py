"""Recovery reports: how much of what was escalated came back, at what cost, how fast.

Figures are per currency (amounts in different currencies are never added up),
grouped by partner, by the debtor's jurisdiction and by amount band. A case counts in
a report when it was submitted inside the period.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from handoff.domain.case import Case
from handoff.domain.ledger import EntryKind, Ledger

AMOUNT_BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal(1_000), "under 1,000"),
    (Decimal(10_000), "1,000 to 9,999"),
    (Decimal(50_000), "10,000 to 49,999"),
)
PAYMENTS = frozenset({EntryKind.collected, EntryKind.direct_payment})


def amount_band(principal: Decimal) -> str:
    for upper, label in AMOUNT_BANDS:
        if principal < upper:
            return label
    return "50,000 and over"


@dataclass(frozen=True)
class CaseFigures:
    case_id: str
    currency: str
    partner_id: str | None
    jurisdiction: str
    band: str
    principal: Decimal
    recovered: Decimal
    collected: Decimal
    fees: Decimal
    net: Decimal
    days_to_first_payment: int | None


def figures(case: Case, ledger: Ledger) -> CaseFigures:
    t = ledger.totals
    address = case.intake.debtor.address
    payments = [e.on for e in ledger.entries if e.kind in PAYMENTS]
    first = min(payments) if payments else None
    return CaseFigures(
        case_id=case.case_id,
        currency=ledger.currency,
        partner_id=case.workflow.partner_id,
        jurisdiction=address.subdivision or address.country,
        band=amount_band(t.principal),
        principal=t.principal,
        recovered=t.allocated_costs + t.allocated_interest + t.allocated_principal,
        collected=t.collected + t.direct,
        fees=t.partner_fees,
        net=t.net_to_creditor,
        days_to_first_payment=(first - case.created_at.date()).days if first else None,
    )


@dataclass(frozen=True)
class ReportRow:
    group: str
    currency: str
    cases: int
    principal: Decimal
    recovered: Decimal
    collected: Decimal
    fees: Decimal
    net: Decimal
    recovery_rate_percent: Decimal
    cases_paid: int
    median_days_to_first_payment: float | None


def rows(items: Sequence[CaseFigures], group: Callable[[CaseFigures], str]) -> list[ReportRow]:
    grouped: dict[tuple[str, str], list[CaseFigures]] = {}
    for item in items:
        grouped.setdefault((group(item), item.currency), []).append(item)
    result = []
    for (name, currency), members in sorted(grouped.items()):
        principal = sum((m.principal for m in members), Decimal(0))
        recovered = sum((m.recovered for m in members), Decimal(0))
        days = [m.days_to_first_payment for m in members if m.days_to_first_payment is not None]
        rate = (recovered * 100 / principal).quantize(Decimal("0.1")) if principal else Decimal(0)
        result.append(
            ReportRow(
                group=name,
                currency=currency,
                cases=len(members),
                principal=principal,
                recovered=recovered,
                collected=sum((m.collected for m in members), Decimal(0)),
                fees=sum((m.fees for m in members), Decimal(0)),
                net=sum((m.net for m in members), Decimal(0)),
                recovery_rate_percent=rate,
                cases_paid=len(days),
                median_days_to_first_payment=statistics.median(days) if days else None,
            )
        )
    return result


@dataclass(frozen=True)
class RecoveryReport:
    period_from: date
    period_to: date
    totals: list[ReportRow]
    by_partner: list[ReportRow]
    by_jurisdiction: list[ReportRow]
    by_amount_band: list[ReportRow]


def recovery_report(
    cases: Iterable[Case], ledger_of: Callable[[Case], Ledger], period_from: date, period_to: date
) -> RecoveryReport:
    items = [
        figures(case, ledger_of(case)) for case in cases if period_from <= case.created_at.date() <= period_to
    ]
    return RecoveryReport(
        period_from=period_from,
        period_to=period_to,
        totals=rows(items, lambda _: "all"),
        by_partner=rows(items, lambda f: f.partner_id or "not placed"),
        by_jurisdiction=rows(items, lambda f: f.jurisdiction),
        by_amount_band=rows(items, lambda f: f.band),
    )


def report_for(
    scope_cases: Callable[[], Iterable[Case]],
    ledger_of: Callable[[Case], Ledger],
    period_from: date,
    period_to: date,
) -> RecoveryReport:
    """The report over the cases a caller may see (its own, its placements, or all for an operator)."""
    return recovery_report(scope_cases(), ledger_of, period_from, period_to)
