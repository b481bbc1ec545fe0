"""The inputs every section of the claim is computed from, gathered once per `claim_as_of` call."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.claim.balances import DEFAULT_ORDER, Balances, Bucket, InvoiceBalance
from handoff.domain.claim.history import LegalEvent, LegalEventKind, Payment
from handoff.domain.jurisdictions.pack import RoundingMode, RulePack
from handoff.domain.models import CaseIntake
from handoff.domain.money import zero


class WarningCode(StrEnum):
    stale_rate = "stale_rate"  # a fixing the computation needs is not recorded: the last value is assumed
    assumed_fact = "assumed_fact"  # the intake did not say; the fact that protects the debtor was assumed
    rate_unavailable = "rate_unavailable"  # no value at all for a period: no interest computed for it


class ClaimWarning(LazyModel):
    code: WarningCode
    detail: str
    field: Annotated[str | None, Field(description="Intake field that resolves the warning")] = None
    confirmed: Annotated[bool, Field(description="The business confirmed the assumed rate")] = False
    series: Annotated[str | None, Field(description="stale_rate: the reference series")] = None
    period_from: Annotated[
        date | None, Field(description="stale_rate: first day whose value is not recorded")
    ] = None
    period_to: Annotated[
        date | None, Field(description="stale_rate: last day whose value is not recorded")
    ] = None
    assumed_percent: Annotated[
        Decimal | None, Field(description="stale_rate: the last recorded value, assumed for those days")
    ] = None


class RateConfirmation(LazyModel):
    """The business accepts `assumed_percent` for the unrecorded days `period_from`..`period_to` of `series`.

    It covers a stale period inside those days at that value only: if an operator later records a
    fixing that changes the value assumed, the claim warns again until that is confirmed too.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    series: Annotated[
        str, Field(min_length=1, max_length=40, description="Reference series, e.g. BOE_BANK_RATE")
    ]
    period_from: Annotated[date, Field(description="First unrecorded day confirmed")]
    period_to: Annotated[date, Field(description="Last unrecorded day confirmed")]
    assumed_percent: Annotated[Decimal, Field(description="The value confirmed for those days")]

    def covers(self, series: str, period_from: date, period_to: date, percent: Decimal) -> bool:
        return (
            self.series == series
            and self.period_from <= period_from
            and period_to <= self.period_to
            and self.assumed_percent == percent
        )


class ClaimOptions(LazyModel):
    """How the creditor wants figures computed, and what it has confirmed (kept with each case)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    rounding: Annotated[
        RoundingMode, Field(description="exact (default) or daily: the daily amount rounded, then multiplied")
    ] = RoundingMode.exact
    confirmed_rates: Annotated[list[RateConfirmation], Field(max_length=100)] = []
    creditor_is_natural_person: bool = False
    discovered_on: Annotated[date | None, Field(description="Day the claim was discovered (CA-ON)")] = None
    allocation_order: Annotated[
        list[Bucket], Field(description="How a payment is applied; the terms may say otherwise")
    ] = list(DEFAULT_ORDER)

    def confirms(self, series: str, period_from: date, period_to: date, percent: Decimal) -> bool:
        return any(c.covers(series, period_from, period_to, percent) for c in self.confirmed_rates)


@dataclass
class ClaimFacts:
    """The intake, the balances on `as_of`, every payment and legal event: what sections read."""

    pack: RulePack
    intake: CaseIntake
    as_of: date
    balances: Balances
    payments: list[Payment]
    events: list[LegalEvent]
    options: ClaimOptions
    warnings: list[ClaimWarning] = field(default_factory=list)
    bars: dict[str, tuple[date, bool, str]] = field(
        default_factory=dict
    )  # invoice → (last day, all barred, source)

    @property
    def currency(self) -> str:
        return self.intake.currency

    def owing(self) -> list[InvoiceBalance]:
        """Invoices with something outstanding on `as_of`."""
        return [b for b in self.balances.invoices if b.outstanding > 0]

    def overdue(self) -> list[InvoiceBalance]:
        return [b for b in self.owing() if b.due_on < self.as_of]

    def ever_overdue(self) -> list[InvoiceBalance]:
        """Invoices that were owed after their due date at some point up to `as_of` (interest ran)."""
        return [b for b in self.balances.invoices if b.due_on < self.as_of and b.outstanding_on(b.due_on) > 0]

    def warn(self, code: WarningCode, detail: str, field: str | None = None) -> None:
        self.add(ClaimWarning(code=code, detail=detail, field=field))

    def add(self, warning: ClaimWarning) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)

    def principal(self) -> Decimal:
        return sum((b.outstanding for b in self.owing()), zero(self.currency))

    @property
    def judgment(self) -> LegalEvent | None:
        """The first judgment by `as_of`: the claim merged into it."""
        return next((e for e in self.events if e.kind is LegalEventKind.judgment), None)

    def merged(self) -> str | None:
        """Why the claim's own charges stop: it merged into a judgment (None when there is none)."""
        judgment = self.judgment
        if judgment is None:
            return None
        court = ", ".join(x for x in (judgment.note, judgment.reference) if x)
        court = f" ({court})" if court else ""
        return (
            f"merged into the judgment of {judgment.on}{court}: what is owed on top of the principal is "
            "the interest and costs the court awarded (post-judgment interest is not computed)"
        )
