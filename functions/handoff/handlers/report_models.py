"""Response models of recovery reports."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from handoff.domain.base import LazyModel

if TYPE_CHECKING:
    from handoff.services.reports import RecoveryReport, ReportRow


class ReportRowResponse(LazyModel):
    group: Annotated[str, Field(description="Partner id, jurisdiction, amount band, or `all`")]
    currency: str
    cases: int
    principal: Decimal
    recovered: Annotated[Decimal, Field(description="Applied to the debt (costs, interest, principal)")]
    collected: Annotated[
        Decimal, Field(description="Received by partners and directly, overpayments included")
    ]
    fees: Annotated[Decimal, Field(description="Partner fees")]
    net: Annotated[Decimal, Field(description="Net to the creditor")]
    recovery_rate_percent: Annotated[Decimal, Field(description="recovered / principal * 100")]
    cases_paid: Annotated[int, Field(description="Cases with at least one payment")]
    median_days_to_first_payment: Annotated[float | None, Field(description="From submission")]


class RecoveryReportResponse(LazyModel):
    """Per currency (amounts in different currencies are never added), for cases submitted in the period."""

    period_from: date
    period_to: date
    totals: list[ReportRowResponse]
    by_partner: list[ReportRowResponse]
    by_jurisdiction: list[ReportRowResponse]
    by_amount_band: list[ReportRowResponse]

    @classmethod
    def of(cls, report: "RecoveryReport") -> "RecoveryReportResponse":
        def rows(items: "list[ReportRow]") -> list[ReportRowResponse]:
            return [ReportRowResponse(**vars(row)) for row in items]

        return cls(
            period_from=report.period_from,
            period_to=report.period_to,
            totals=rows(report.totals),
            by_partner=rows(report.by_partner),
            by_jurisdiction=rows(report.by_jurisdiction),
            by_amount_band=rows(report.by_amount_band),
        )
