"""Simple interest, ACT/365, piecewise across rate changes, with an explicit rounding mode."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.jurisdictions.pack import Fixing, InterestFormula, RateSeries, RoundingMode
from handoff.domain.money import rounded

DAYS_PER_YEAR = Decimal(365)
HUNDRED = Decimal(100)


class RateUnavailableError(ValueError):
    """The reference series has no value for a day the computation needs."""


class RatePeriod(LazyModel):
    """Days `from_date`..`to_date` (inclusive) at one annual rate."""

    from_date: date
    to_date: date
    rate_percent: Annotated[Decimal, Field(description="Annual simple rate applied, never negative")]
    reference_percent: Annotated[Decimal | None, Field(description="Reference rate, if any")] = None
    fixed_on: Annotated[date | None, Field(description="Day the reference rate was read")] = None

    @property
    def days(self) -> int:
        return (self.to_date - self.from_date).days + 1


class InterestSegment(RatePeriod):
    days_count: Annotated[int, Field(description="Days in the segment, both ends included")]
    daily_amount: Annotated[Decimal | None, Field(description="Rounded daily amount (daily mode)")] = None
    amount: Annotated[Decimal, Field(description="Interest of the segment, rounded to the minor unit")]


class Accrual(LazyModel):
    amount: Annotated[Decimal, Field(description="Total, rounded to the minor unit")]
    unrounded: Annotated[Decimal, Field(description="Exact total before rounding (exact mode)")]
    segments: list[InterestSegment]


def half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def fixing_date(period_start: date, fixing_dates: list[str]) -> date:
    """The latest fixing date on or before the start of a half-year (31 Dec for 1 Jan, etc.)."""
    candidates = []
    for year in (period_start.year - 1, period_start.year):
        for month_day in fixing_dates:
            month, day = (int(part) for part in month_day.split("-"))
            try:
                candidates.append(date(year, month, day))
            except ValueError:  # e.g. 02-29 in a common year
                continue
    return max(d for d in candidates if d <= period_start)


def _reference(series: RateSeries, day: date) -> Decimal:
    value = series.value_on(day)
    if value is None:
        raise RateUnavailableError(f"{series.name} has no value on {day}")
    return value


def _split(start: date, end: date, boundaries: list[date]) -> list[tuple[date, date]]:
    cuts = sorted({b for b in boundaries if start < b <= end})
    pieces, begin = [], start
    for cut in cuts:
        pieces.append((begin, cut - timedelta(days=1)))
        begin = cut
    pieces.append((begin, end))
    return pieces


def _half_year_starts(start: date, end: date) -> list[date]:
    return [date(y, m, 1) for y in range(start.year, end.year + 1) for m in (1, 7)]


def rate_periods(
    formula: InterestFormula, series: RateSeries | None, interest_start: date, start: date, end: date
) -> list[RatePeriod]:
    """Split `start`..`end` into periods of constant rate; `interest_start` anchors fixed modes."""
    if end < start:
        return []
    margin = formula.margin_pp

    def period(begin: date, finish: date, fixed_on: date | None) -> RatePeriod:
        if formula.rate_percent is not None or series is None or fixed_on is None:
            rate = formula.rate_percent if formula.rate_percent is not None else Decimal(0)
            return RatePeriod(from_date=begin, to_date=finish, rate_percent=max(rate, Decimal(0)))
        reference = _reference(series, fixed_on)
        return RatePeriod(
            from_date=begin,
            to_date=finish,
            rate_percent=max(reference + margin, Decimal(0)),
            reference_percent=reference,
            fixed_on=fixed_on,
        )

    if formula.rate_percent is not None:
        return [period(start, end, None)]
    if series is None:
        raise RateUnavailableError(f"reference series {formula.reference} is not loaded")
    if formula.fixing is Fixing.at_start:
        return [period(start, end, interest_start)]
    if formula.fixing is Fixing.half_year_at_start:
        return [period(start, end, fixing_date(half_year_start(interest_start), formula.fixing_dates))]
    if formula.fixing is Fixing.half_year:
        return [
            period(a, b, fixing_date(half_year_start(a), formula.fixing_dates))
            for a, b in _split(start, end, _half_year_starts(start, end))
        ]
    return [period(a, b, a) for a, b in _split(start, end, series.changes_between(start, end))]


def accrue(principal: Decimal, periods: list[RatePeriod], mode: RoundingMode, currency: str) -> Accrual:
    """Simple interest on `principal` over the periods, ACT/365.

    `daily`: the daily amount is rounded to the minor unit and multiplied by the days (GOV.UK);
    `exact`: each period is computed exactly and the total rounded once.
    """
    segments: list[InterestSegment] = []
    unrounded = Decimal(0)
    daily_total = Decimal(0)
    for p in periods:
        days = p.days
        exact_amount = principal * p.rate_percent * days / (HUNDRED * DAYS_PER_YEAR)
        unrounded += exact_amount
        daily = None
        amount = rounded(exact_amount, currency)
        if mode is RoundingMode.daily:
            daily = rounded(principal * p.rate_percent / (HUNDRED * DAYS_PER_YEAR), currency)
            amount = daily * days
            daily_total += amount
        segments.append(InterestSegment(**p.model_dump(), days_count=days, daily_amount=daily, amount=amount))
    total = daily_total if mode is RoundingMode.daily else unrounded
    return Accrual(amount=rounded(total, currency), unrounded=unrounded, segments=segments)


def interest_start(due_on: date, start_days_after_due: int = 1) -> date:
    """First day that carries interest: the day after the due date unless the rule says later."""
    return due_on + timedelta(days=start_days_after_due)
