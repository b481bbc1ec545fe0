"""Limitation (prescription) end dates and status, with restarts by acknowledgement or payment."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.jurisdictions.pack import LimitationRule, LimitationStart, RestartEvent


class LimitationStatus(StrEnum):
    running = "running"
    expired = "expired"  # time-barred: no threat of proceedings
    extinguished = "extinguished"  # the debt itself is gone (GB-SCT prescription)
    unknown = "unknown"  # no rule in the pack


class Restart(LazyModel):
    on: date
    event: RestartEvent
    source: Annotated[str, Field(description="contact_log or payments")]
    written: Annotated[bool, Field(description="Made through a written channel (letter, email, portal)")]


class LimitationResult(LazyModel):
    accrued_on: Annotated[date, Field(description="Day the claim accrued (day after due)")]
    years: int
    ends_on: Annotated[date, Field(description="Last day on which a claim is in time")]
    restarted_on: Annotated[date | None, Field(description="Latest restart that counted")] = None
    status: LimitationStatus


def add_years(day: date, years: int) -> date:
    """Same day and month `years` later; 29 Feb becomes 28 Feb (the earlier, safer day)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_end(anchor: date, years: int) -> date:
    """A period of `years` from an event on `anchor` ends on the same date `years` later.

    Matches the derived FACTS examples: part payment 2023-01-10 → 2029-01-10 (E&W);
    discovery 2024-02-01 → 2026-02-01 (ON).
    """
    return add_years(anchor, years)


def first_end(rule: LimitationRule, years: int, accrued_on: date, discovered_on: date | None) -> date:
    if rule.starts is LimitationStart.year_end:
        return date(accrued_on.year + years, 12, 31)  # BGB §199: from 31 Dec of the year of accrual
    anchor = discovered_on if rule.starts is LimitationStart.discovery and discovered_on else accrued_on
    return period_end(anchor, years)


def limitation(
    rule: LimitationRule,
    years: int,
    accrued_on: date,
    as_of: date,
    restarts: list[Restart],
    discovered_on: date | None = None,
) -> LimitationResult:
    """End date and status of one claim.

    A restart counts only if the rule lists its event, it falls after accrual, on or before
    `as_of`, and while the period is still running (a barred claim is not revived here,
    conservatively). An ultimate period (ON 15y) runs from accrual and never restarts.
    """
    ends_on = first_end(rule, years, accrued_on, discovered_on)
    restarted_on = None
    for restart in sorted(restarts, key=lambda r: r.on):
        if restart.event not in rule.restart_on or not accrued_on <= restart.on <= as_of:
            continue
        if restart.on > ends_on:
            break
        candidate = period_end(restart.on, years)
        if candidate > ends_on:
            ends_on, restarted_on = candidate, restart.on
    if rule.ultimate_years is not None:
        ends_on = min(ends_on, add_years(accrued_on, rule.ultimate_years))
    if as_of <= ends_on:
        status = LimitationStatus.running
    else:
        status = LimitationStatus.extinguished if rule.extinguishes else LimitationStatus.expired
    return LimitationResult(
        accrued_on=accrued_on, years=years, ends_on=ends_on, restarted_on=restarted_on, status=status
    )
