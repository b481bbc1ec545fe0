"""Reference rates as dated series: each point holds from its day until the next one.

A series says how far its values are recorded (`known_through`, or per period for a sparse
table such as Ontario's or Florida's); a day beyond that is assumed from the last recorded
value and the claim warns about it (`stale_rate`). Operators record further fixings
(`domain.reference_rates`); the shipped YAML is the seed.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from handoff.domain.jurisdictions.citations import Citation, PackModel, Verification


class PeriodLength(StrEnum):
    """Series published per period: a fixing holds for the whole period it starts."""

    half_year = "half_year"  # 1 Jan and 1 Jul (BGB §247)
    quarter = "quarter"  # 1 Jan, 1 Apr, 1 Jul, 1 Oct (Ontario, Florida)


class Coverage(StrEnum):
    contiguous = "contiguous"  # every change is recorded, from the first point through known_through
    per_period = "per_period"  # a sparse table: only the periods that have a point are recorded


def period_bounds(length: PeriodLength, day: date) -> tuple[date, date]:
    """First and last day of the half-year or quarter that contains `day`."""
    months = 6 if length is PeriodLength.half_year else 3
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    last_month = first_month + months - 1
    following = date(day.year + 1, 1, 1) if last_month == 12 else date(day.year, last_month + 1, 1)
    return start, following - timedelta(days=1)


class RatePoint(PackModel):
    from_: Annotated[date, Field(alias="from", description="First day of this value")]
    value: Annotated[Decimal, Field(description="Percent per year")]
    through: Annotated[
        date | None, Field(description="Last day the value is known to hold, when a span was recorded")
    ] = None
    verification: Verification = Verification.unverified
    source: Annotated[str | None, Field(description="Where the value was read")] = None
    note: str | None = None
    recorded_by: Annotated[str | None, Field(description="Who recorded it, when not the shipped seed")] = None
    recorded_at: datetime | None = None


class RateSeries(PackModel):
    name: str
    description: str
    citations: Annotated[list[Citation], Field(min_length=1)]
    points: Annotated[list[RatePoint], Field(min_length=1)]
    recorded_through: Annotated[
        date | None,
        Field(description="Last day the series is known to hold its last value (a check of the source)"),
    ] = None
    holds_for: Annotated[
        PeriodLength | None, Field(description="half_year | quarter: a fixing holds for its whole period")
    ] = None
    coverage: Annotated[
        Coverage, Field(description="contiguous (every change recorded) or per_period (a sparse table)")
    ] = Coverage.contiguous

    @model_validator(mode="after")
    def _ascending(self) -> "RateSeries":
        days = [p.from_ for p in self.points]
        if days != sorted(set(days)):
            raise ValueError(f"series {self.name}: points must have strictly ascending dates")
        if self.coverage is Coverage.per_period and self.holds_for is None:
            raise ValueError(f"series {self.name}: per_period coverage needs holds_for")
        if self.holds_for is not None:
            odd = [d for d in days if period_bounds(self.holds_for, d)[0] != d]
            if odd:
                raise ValueError(f"series {self.name}: {odd[0]} does not start a {self.holds_for}")
        return self

    def value_on(self, day: date) -> Decimal | None:
        value = None
        for point in self.points:
            if point.from_ > day:
                break
            value = point.value
        return value

    def _end_of(self, point: RatePoint) -> date:
        """The last day a point itself records: its day, its span, or its whole period."""
        end = point.through or point.from_
        if self.holds_for is not None:
            end = max(end, period_bounds(self.holds_for, point.from_)[1])
        return end

    @property
    def known_through(self) -> date:
        """The latest recorded day: the last point (its span or period) or `recorded_through`."""
        last = max(self._end_of(p) for p in self.points)
        return max(last, self.recorded_through) if self.recorded_through else last

    def recorded_on(self, day: date) -> bool:
        """True when the series' value on `day` is recorded, not assumed from an earlier point."""
        if day < self.points[0].from_:
            return False
        if self.coverage is Coverage.contiguous:
            return day <= self.known_through
        last = max((p for p in self.points if p.from_ <= day), key=lambda p: p.from_)
        return day <= self._end_of(last)

    def coverage_cuts(self, start: date, end: date) -> list[date]:
        """Days in (start, end] where recorded and assumed values meet: pieces between are all one kind."""
        if self.coverage is Coverage.contiguous:
            edges = [self.known_through + timedelta(days=1)]
        else:
            assert self.holds_for is not None
            edges = [self._end_of(p) + timedelta(days=1) for p in self.points]
            day = period_bounds(self.holds_for, start)[1] + timedelta(days=1)
            while day <= end:
                edges.append(day)
                day = period_bounds(self.holds_for, day)[1] + timedelta(days=1)
        return sorted({d for d in edges if start < d <= end})

    def changes_between(self, start: date, end: date) -> list[date]:
        """Days in (start, end] on which the value changes (a point repeating its value is no change)."""
        changes, previous = [], None
        for point in self.points:
            if start < point.from_ <= end and point.value != previous:
                changes.append(point.from_)
            previous = point.value
        return changes
