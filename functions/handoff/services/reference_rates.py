"""Use cases on reference rates: record a fixing, read a series, and the rates in force (cached).

The claim reads the seed with every recorded fixing (`MaintainedRates.pack`). A Lambda re-reads
the recorded fixings at most every `ttl_seconds`; a write through this module is seen at once by
the process that made it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from handoff.domain.errors import FieldProblem, InvalidRequestError, NotFoundError
from handoff.domain.jurisdictions.pack import RateSeries, RulePack, Verification, rule_pack
from handoff.domain.reference_rates import FixingDraft, RecordedFixing, fixing_problems, with_recorded
from handoff.services.ports import ConcurrentUpdateError, ReferenceRateStore

ATTEMPTS = 3


@dataclass
class MaintainedRates:
    """The seed with the recorded fixings, read again after `ttl_seconds` or a write made here."""

    store: ReferenceRateStore
    ttl_seconds: float
    clock: Callable[[], float] = time.monotonic
    _pack: RulePack | None = field(default=None, repr=False)
    _read_at: float = field(default=0.0, repr=False)

    def pack(self) -> RulePack:
        now = self.clock()
        if self._pack is None or now - self._read_at > self.ttl_seconds:
            self._pack, self._read_at = with_recorded(rule_pack(), self.store.all()), now
        return self._pack

    def forget(self) -> None:
        self._pack = None


@dataclass(frozen=True)
class FixingInput:
    value: Decimal
    source: str
    verification: Verification = Verification.confirmed
    through: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class Recorded:
    fixing: RecordedFixing
    created: bool  # nothing was recorded for that day before
    changed: bool  # False: the same fixing was recorded again (nothing written)
    released: int = 0  # cases held for this rate that went back into the workflow


def record_fixing(
    rates: MaintainedRates,
    series: str,
    effective_from: date,
    data: FixingInput,
    actor: str,
    now: datetime,
    on_change: Callable[[], int] | None = None,
) -> Recorded:
    """Record `series` = `data.value` from `effective_from`; a value recorded before is kept as a revision.

    `on_change` runs after a write that changed something (it releases the cases held for a rate)
    and says how many it released.
    """
    problems = fixing_problems(rule_pack(), series, effective_from, data.value, data.through, now.date())
    if problems:
        raise InvalidRequestError(problems)
    fixing = RecordedFixing(
        series=series,
        effective_from=effective_from,
        value=data.value,
        through=data.through,
        source=data.source,
        verification=data.verification,
        note=data.note,
        recorded_by=actor,
        recorded_at=now,
    )
    attempts = 0
    while True:
        existing = rates.store.get(series, effective_from)
        if existing is not None and existing.same_record(fixing):
            return Recorded(existing, created=False, changed=False)
        stored = fixing.replacing(existing)
        try:
            rates.store.put(stored, existing)
        except ConcurrentUpdateError:  # another operator recorded it meanwhile: read it again
            attempts += 1
            if attempts == ATTEMPTS:
                raise
            continue
        rates.forget()
        released = on_change() if on_change is not None else 0
        return Recorded(stored, created=existing is None, changed=True, released=released)


@dataclass(frozen=True)
class SeriesView:
    series: RateSeries  # the seed with the recorded fixings laid over it
    recorded: list[RecordedFixing]


def series_view(rates: MaintainedRates, name: str) -> SeriesView:
    """One series as the claim reads it, and the fixings operators recorded for it."""
    if name not in rule_pack().reference_rates:
        raise NotFoundError(f"no reference series {name}")
    recorded = rates.store.of_series(name)
    return SeriesView(with_recorded(rule_pack(), recorded).reference_rates[name], recorded)


def all_series(rates: MaintainedRates) -> list[RateSeries]:
    return sorted(rates.pack().reference_rates.values(), key=lambda s: s.name)


def import_fixings(
    rates: MaintainedRates,
    series: str,
    drafts: list[FixingDraft],
    source: str,
    verification: Verification,
    actor: str,
    now: datetime,
) -> list[Recorded]:
    """Record every fixing read from a published table, or none (InvalidRequestError naming each)."""
    problems = [
        FieldProblem((f"lines {d.lines[0]}-{d.lines[1]}",), p.message)
        for d in drafts
        for p in fixing_problems(rule_pack(), series, d.effective_from, d.value, d.through, now.date())
    ]
    if problems:
        raise InvalidRequestError(problems)
    return [
        record_fixing(
            rates,
            series,
            d.effective_from,
            FixingInput(d.value, source, verification, d.through),
            actor,
            now,
        )
        for d in drafts
    ]
