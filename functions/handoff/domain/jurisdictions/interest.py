"""Simple interest, ACT/365, piecewise across rate changes, with an explicit rounding mode."""

from collections.abc import Callable, Sequence
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
    reference_series: Annotated[str | None, Field(description="Reference rate series, if any")] = None
    reference_percent: Annotated[Decimal | None, Field(description="Reference rate, if any")] = None
    fixed_on: Annotated[date | None, Field(description="Day the reference rate was read (fixing date)")] = (
        None
    )
    margin_pp: Annotated[Decimal | None, Field(description="Percentage points over the reference")] = None
    stale: Annotated[
        bool, Field(description="The fixing is not recorded: the last recorded value was assumed")
    ] = False
    fixed_for_period: Annotated[
        bool,
        Field(description="The reference was read once, on fixed_on, for the whole period (else daily)"),
    ] = False

    @property
    def days(self) -> int:
        return (self.to_date - self.from_date).days + 1


class InterestSegment(RatePeriod):
    principal: Annotated[Decimal, Field(description="Amount the interest runs on in this segment")]
    days_count: Annotated[int, Field(description="Days in the segment, both ends included")]
    day_count: Annotated[str, Field(description="Day-count convention")] = "ACT/365"
    daily_amount: Annotated[Decimal, Field(description="Daily interest rounded to the minor unit")]
    exact_amount: Annotated[Decimal, Field(description="principal * rate * days / 365, unrounded")]
    amount: Annotated[Decimal, Field(description="Interest of the segment in the rounding mode used")]


class Accrual(LazyModel):
    amount: Annotated[Decimal, Field(description="Total, rounded to the minor unit")]
    unrounded: Annotated[Decimal, Field(description="Exact total before rounding")]
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
        daily = formula.fixing is Fixing.series  # every day needs its own value, not one fixing
        needed = (begin, finish) if daily else (fixed_on,)  # the cuts keep a daily piece all one kind
        return RatePeriod(
            from_date=begin,
            to_date=finish,
            rate_percent=max(reference + margin, Decimal(0)),
            reference_series=series.name,
            reference_percent=reference,
            fixed_on=fixed_on,
            margin_pp=margin,
            stale=not all(series.recorded_on(day) for day in needed),
            fixed_for_period=not daily,
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
    cuts = [*series.changes_between(start, end), *series.coverage_cuts(start, end)]
    return [period(a, b, a) for a, b in _split(start, end, cuts)]


def _pieces(period: RatePeriod, cuts: Sequence[date]) -> list[tuple[date, date]]:
    return _split(period.from_date, period.to_date, list(cuts))


def accrue(
    balance_on: Callable[[date], Decimal],
    periods: Sequence[RatePeriod],
    mode: RoundingMode,
    currency: str,
    *,
    changes: Sequence[date] = (),
    capitalise_on: Sequence[date] = (),
) -> Accrual:
    """Interest over the periods on what is owed each day, ACT/365.

    `balance_on(day)` is what carries interest on `day`; `changes` are the days it changes (a
    payment or credit stops interest on what it pays from its date). `capitalise_on` are the
    days accrued interest joins the principal (compounding, when a contract says so).
    `exact`: each segment exact, the total rounded once; `daily`: the daily amount is rounded to
    the minor unit and multiplied by the days (GOV.UK). Segments always show the daily figure.
    """
    segments: list[InterestSegment] = []
    unrounded = Decimal(0)
    daily_total = Decimal(0)
    capitalised = Decimal(0)
    pending = Decimal(0)
    capital_days = set(capitalise_on)
    for p in periods:
        for begin, end in _pieces(p, [*changes, *capitalise_on]):
            if begin in capital_days:
                capitalised += pending
                pending = Decimal(0)
            principal = max(balance_on(begin), Decimal(0)) + capitalised
            if principal <= 0:
                continue
            days = (end - begin).days + 1
            exact_amount = principal * p.rate_percent * days / (HUNDRED * DAYS_PER_YEAR)
            daily = rounded(principal * p.rate_percent / (HUNDRED * DAYS_PER_YEAR), currency)
            amount = daily * days if mode is RoundingMode.daily else rounded(exact_amount, currency)
            unrounded += exact_amount
            daily_total += daily * days
            pending += daily * days if mode is RoundingMode.daily else exact_amount
            segments.append(
                InterestSegment(
                    **p.model_dump(exclude={"from_date", "to_date"}),
                    from_date=begin,
                    to_date=end,
                    principal=principal,
                    days_count=days,
                    daily_amount=daily,
                    exact_amount=exact_amount,
                    amount=amount,
                )
            )
    total = daily_total if mode is RoundingMode.daily else unrounded
    return Accrual(amount=rounded(total, currency), unrounded=unrounded, segments=segments)


def interest_start(due_on: date, start_days_after_due: int = 1) -> date:
    """First day that carries interest: the day after the due date unless the rule says later."""
    return due_on + timedelta(days=start_days_after_due)
