"""Reference rates as maintained data: fixings an operator records over the shipped seed.

The seed (`jurisdictions/data/reference_rates.yaml`) is the baseline, with its citations. A
recorded fixing says "series S was V from `effective_from` (through `through`)", with its source
and who recorded it; it takes precedence over a seed point of the same day and advances what the
series records (`RateSeries.known_through`). `with_recorded` lays the fixings over a pack; the
claim reads the pack in force for the current invocation (`pack_in_force`), which the Lambda
composition root sets (`rates_in_force`), so every reader of the claim sees the same rates.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.errors import FieldProblem
from handoff.domain.jurisdictions.pack import (
    Coverage,
    RatePoint,
    RulePack,
    Verification,
    period_bounds,
    rule_pack,
)

MAX_DAYS_AHEAD = 45  # decisions are published ahead of their day (Ontario, Florida: about a month)
EARLIEST = date(1970, 1, 1)


class FixingRevision(LazyModel):
    """A value a fixing had before it was recorded again with another value (kept, never lost)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    value: Decimal
    through: date | None = None
    source: str
    verification: Verification
    recorded_by: str
    recorded_at: datetime


class RecordedFixing(LazyModel):
    """One fixing of a reference series, as an operator recorded it."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    series: Annotated[str, Field(description="Reference series, e.g. BOE_BANK_RATE")]
    effective_from: Annotated[date, Field(description="First day of the value")]
    value: Annotated[Decimal, Field(description="Percent per year")]
    through: Annotated[
        date | None, Field(description="Last day the value is known to hold (a span), if recorded")
    ] = None
    source: Annotated[str, Field(description="URL or publication the value was read from")]
    verification: Verification = Verification.confirmed
    note: str | None = None
    recorded_by: Annotated[str, Field(description="The operator key that recorded it")]
    recorded_at: datetime
    revisions: Annotated[
        list[FixingRevision], Field(description="Earlier values of this fixing, oldest first")
    ] = []

    def same_record(self, other: "RecordedFixing") -> bool:
        """True when `other` records the same value, span, source and verification (a repeat)."""
        keys = ("series", "effective_from", "value", "through", "source", "verification", "note")
        return all(getattr(self, k) == getattr(other, k) for k in keys)

    def replacing(self, earlier: "RecordedFixing | None") -> "RecordedFixing":
        """This fixing, keeping what `earlier` recorded for the same day among its revisions."""
        if earlier is None:
            return self
        revision = FixingRevision(
            value=earlier.value,
            through=earlier.through,
            source=earlier.source,
            verification=earlier.verification,
            recorded_by=earlier.recorded_by,
            recorded_at=earlier.recorded_at,
        )
        return self.model_copy(update={"revisions": [*earlier.revisions, revision]})


def with_recorded(pack: RulePack, fixings: Iterable[RecordedFixing]) -> RulePack:
    """The pack with each recorded fixing laid over its series (a recorded day replaces the seed's)."""
    by_series: dict[str, list[RecordedFixing]] = defaultdict(list)
    for fixing in fixings:
        by_series[fixing.series].append(fixing)
    if not by_series:
        return pack
    series = dict(pack.reference_rates)
    for name, recorded in by_series.items():
        seed = series.get(name)
        if seed is None:  # a series the pack no longer has: nothing reads it
            continue
        points = {p.from_: p for p in seed.points}
        for f in recorded:
            points[f.effective_from] = RatePoint.model_validate(
                {
                    "from": f.effective_from,
                    "value": f.value,
                    "through": f.through,
                    "verification": f.verification,
                    "source": f.source,
                    "note": f.note,
                    "recorded_by": f.recorded_by,
                    "recorded_at": f.recorded_at,
                }
            )
        ordered = [points[day] for day in sorted(points)]
        series[name] = seed.model_copy(update={"points": ordered})
    return pack.model_copy(update={"reference_rates": series})


MIN_PERCENT, MAX_PERCENT, MAX_PLACES = Decimal(-20), Decimal(100), 6


def fixing_problems(
    pack: RulePack, series: str, effective_from: date, value: Decimal, through: date | None, today: date
) -> list[FieldProblem]:
    """Why a fixing cannot be recorded: an unknown series, a date out of range or off its period,
    a value no central bank or court publishes."""
    known = pack.reference_rates.get(series)
    if known is None:
        names = ", ".join(sorted(pack.reference_rates))
        return [FieldProblem(("path", "series"), f"unknown reference series {series!r}; known: {names}")]
    problems = []
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or not MIN_PERCENT <= value <= MAX_PERCENT:
        problems.append(FieldProblem(("value",), f"{value} is not a percent between -20 and 100"))
    elif -exponent > MAX_PLACES:
        problems.append(FieldProblem(("value",), f"{value} has more than {MAX_PLACES} decimal places"))
    latest = today + timedelta(days=MAX_DAYS_AHEAD)
    if effective_from > latest:
        problems.append(
            FieldProblem(
                ("path", "effective_from"),
                f"{effective_from} is more than {MAX_DAYS_AHEAD} days ahead; record it once it is published",
            )
        )
    if effective_from < EARLIEST:
        problems.append(FieldProblem(("path", "effective_from"), f"{effective_from} is before {EARLIEST}"))
    if known.holds_for is not None and period_bounds(known.holds_for, effective_from)[0] != effective_from:
        start = period_bounds(known.holds_for, effective_from)[0]
        problems.append(
            FieldProblem(
                ("path", "effective_from"),
                f"{series} is set per {known.holds_for}: a fixing starts its period ({start}, not "
                f"{effective_from})",
            )
        )
    if through is not None and through < effective_from:
        problems.append(FieldProblem(("through",), f"{through} is before effective_from {effective_from}"))
    if through is not None and through > max(today, effective_from):
        problems.append(
            FieldProblem(("through",), f"{through} has not come: a value is known to hold until today")
        )
    return problems


@dataclass(frozen=True)
class Observation:
    """One value read from a published table: the series was `value` on `on` (a row of a file)."""

    line: int
    on: date
    value: Decimal


@dataclass(frozen=True)
class FixingDraft:
    """A fixing to record: a run of equal observations becomes one value with its span."""

    effective_from: date
    value: Decimal
    through: date | None
    lines: tuple[int, int]


@dataclass
class _Run:
    first: date
    last: date
    value: Decimal
    lines: tuple[int, int]


def drafts_from(
    observations: Sequence[Observation], pack: RulePack, series: str
) -> tuple[list[FixingDraft], list[tuple[int, str]]]:
    """Fixings from a published table's rows, and the rows that contradict an earlier one.

    A series set per period takes each row's period. Equal values in a row become one fixing whose
    span ends at the last of them (a daily table records every day it lists); a sparse table
    (per-period coverage) merges only periods that follow each other.
    """
    known = pack.reference_rates[series]
    contiguous = known.coverage is Coverage.contiguous

    def bounds(day: date) -> tuple[date, date]:
        return period_bounds(known.holds_for, day) if known.holds_for else (day, day)

    runs: list[_Run] = []
    problems: list[tuple[int, str]] = []
    for item in sorted(observations, key=lambda o: (o.on, o.line)):
        first, last = bounds(item.on)
        run = runs[-1] if runs else None
        if run is not None and first <= run.last:  # a second row for a day or period already read
            if run.value != item.value:
                problems.append((item.line, f"{item.value} contradicts {run.value} (line {run.lines[1]})"))
            continue
        if (
            run is not None
            and run.value == item.value
            and (contiguous or run.last + timedelta(days=1) == first)
        ):
            run.last, run.lines = last, (run.lines[0], item.line)
            continue
        runs.append(_Run(first, last, item.value, (item.line, item.line)))
    drafts = [
        FixingDraft(r.first, r.value, r.last if r.last > bounds(r.first)[1] else None, r.lines) for r in runs
    ]
    return drafts, problems


# --- the pack in force -------------------------------------------------------------------------

_SOURCE: ContextVar[Callable[[], RulePack] | None] = ContextVar("reference_rates_source", default=None)


def pack_in_force() -> RulePack:
    """The rule pack with the fixings recorded so far, when the caller set a source; else the seed."""
    source = _SOURCE.get()
    return source() if source is not None else rule_pack()


@contextmanager
def rates_in_force(source: Callable[[], RulePack]) -> Iterator[None]:
    """Within the block, `pack_in_force()` (and so every claim) reads `source()`."""
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)
