"""Limitation (prescription) of one claim: its period, start, every restart and suspension, its end."""

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.jurisdictions.pack import LimitationRule, LimitationStart, RestartEvent


class LimitationStatus(StrEnum):
    running = "running"
    expired = "expired"  # time-barred: no threat of proceedings
    extinguished = "extinguished"  # the debt itself is gone (GB-SCT prescription)
    judgment = "judgment"  # merged into a judgment: the claim's own period no longer runs
    unknown = "unknown"  # no rule in the pack


class Restart(LazyModel):
    on: date
    event: RestartEvent
    source: Annotated[str, Field(description="contact_log, payments, api, letter or partner")]
    written: Annotated[bool, Field(description="Made in writing (letter, email, portal, signed form)")]
    counted: Annotated[bool, Field(description="Whether it restarted the period")] = False


class SuspensionPeriod(LazyModel):
    from_date: date
    to_date: Annotated[date | None, Field(description="Last suspended day; None while it lasts")]
    cite: str


class LimitationResult(LazyModel):
    accrued_on: Annotated[date, Field(description="Day the claim accrued (day after due)")]
    years: int
    starts_on: Annotated[date, Field(description="Day the current period counts from")]
    ends_on: Annotated[date, Field(description="Last day on which a claim is in time")]
    restarted_on: Annotated[date | None, Field(description="Latest restart that counted")] = None
    restarts: Annotated[list[Restart], Field(description="Every restart event considered")] = []
    suspensions: list[SuspensionPeriod] = []
    status: LimitationStatus


def add_years(day: date, years: int) -> date:
    """Same day and month `years` later; 29 Feb becomes 28 Feb (the earlier, safer day)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def period_end(anchor: date, years: int) -> date:
    """A period of `years` from an event on `anchor` ends on the same date `years` later.

    Matches the derived FACTS examples: part payment 2023-01-10 → 2029-01-10 (E&W);
    discovery 2024-02-01 → 2026-02-01 (ON).
    """
    return add_years(anchor, years)


def first_start(rule: LimitationRule, accrued_on: date, discovered_on: date | None) -> date:
    if rule.starts is LimitationStart.discovery and discovered_on:
        return discovered_on
    return accrued_on


def first_end(rule: LimitationRule, years: int, accrued_on: date, discovered_on: date | None) -> date:
    if rule.starts is LimitationStart.year_end:
        return date(accrued_on.year + years, 12, 31)  # BGB §199: from 31 Dec of the year of accrual
    return period_end(first_start(rule, accrued_on, discovered_on), years)


def _suspensions(
    rule: LimitationRule, events: Sequence[tuple[str, date]], as_of: date
) -> list[SuspensionPeriod]:
    periods: list[SuspensionPeriod] = []
    for spec in rule.suspensions:
        starts = sorted(on for kind, on in events if kind == spec.starts_on_event and on <= as_of)
        ends = sorted(on for kind, on in events if kind == spec.ends_on_event and on <= as_of)
        for start in starts:
            end = next((e for e in ends if e >= start), None)
            last = None if end is None else add_months(end, spec.tail_months)
            periods.append(SuspensionPeriod(from_date=start, to_date=last, cite=spec.cite))
    return periods


def limitation(
    rule: LimitationRule,
    years: int,
    accrued_on: date,
    as_of: date,
    restarts: list[Restart],
    discovered_on: date | None = None,
    *,
    legal_events: Sequence[tuple[str, date]] = (),
    judgment_on: date | None = None,
) -> LimitationResult:
    """End date and status of one claim on `as_of`.

    A restart counts only if the rule lists its event, it falls on or after accrual, on or before
    `as_of`, and while the period is still running (a barred claim is not revived here,
    conservatively). A suspension (BGB §204) adds the days it lasted to the end; while it lasts
    the claim is running. An ultimate period (ON 15y) runs from accrual and never restarts. A
    judgment before the end stops the claim's own period (`judgment`).
    """
    ends_on = first_end(rule, years, accrued_on, discovered_on)
    starts_on = first_start(rule, accrued_on, discovered_on)
    restarted_on = None
    seen: list[Restart] = []
    for restart in sorted(restarts, key=lambda r: r.on):
        counts = (
            restart.event in rule.restart_on and accrued_on <= restart.on <= as_of and restart.on <= ends_on
        )
        candidate = period_end(restart.on, years)
        if counts and candidate > ends_on:
            ends_on, restarted_on, starts_on = candidate, restart.on, restart.on
        seen.append(restart.model_copy(update={"counted": counts and restarted_on == restart.on}))
    suspensions = [s for s in _suspensions(rule, legal_events, as_of) if s.from_date <= ends_on]
    suspended_now = False
    for suspension in suspensions:
        if suspension.to_date is None or suspension.to_date >= as_of:
            suspended_now = True
        last = suspension.to_date or as_of
        ends_on += timedelta(days=(last - suspension.from_date).days + 1)
    if rule.ultimate_years is not None:
        ends_on = min(ends_on, add_years(accrued_on, rule.ultimate_years))
    if judgment_on is not None and judgment_on <= min(as_of, ends_on):
        status = LimitationStatus.judgment
    elif as_of <= ends_on or suspended_now:
        status = LimitationStatus.running
    else:
        status = LimitationStatus.extinguished if rule.extinguishes else LimitationStatus.expired
    return LimitationResult(
        accrued_on=accrued_on,
        years=years,
        starts_on=starts_on,
        ends_on=ends_on,
        restarted_on=restarted_on,
        restarts=seen,
        suspensions=suspensions,
        status=status,
    )
