"""Response deadlines in calendar days or in business days of a `holidays` calendar."""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta
from functools import cache
from typing import Protocol

from handoff.domain.jurisdictions.pack import BusinessCalendar


class HolidayCalendar(Container[date], Protocol):
    weekend: set[int]


@cache
def holiday_calendar(country: str, subdiv: str | None, categories: tuple[str, ...]) -> HolidayCalendar:
    """A `holidays` calendar (imported lazily: the package costs ~200 ms to import)."""
    import holidays

    calendar: HolidayCalendar = holidays.country_holidays(
        country, subdiv=subdiv, categories=categories or None
    )
    return calendar


def calendar_for(spec: BusinessCalendar) -> HolidayCalendar:
    return holiday_calendar(spec.country, spec.subdiv, tuple(spec.categories))


def is_business_day(day: date, calendar: HolidayCalendar) -> bool:
    return day.weekday() not in calendar.weekend and day not in calendar


def add_business_days(start: date, days: int, calendar: HolidayCalendar) -> date:
    """The `days`-th business day after `start` (`start` itself not counted)."""
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if is_business_day(current, calendar):
            counted += 1
    return current


def add_calendar_days(start: date, days: int) -> date:
    """`start` + `days`: a letter dated 2026-03-02 with 30 days to reply → 2026-04-01."""
    return start + timedelta(days=days)


def describe(spec: BusinessCalendar) -> str:
    parts = [spec.country, *([spec.subdiv] if spec.subdiv else [])]
    extra = f", categories {'/'.join(spec.categories)}" if spec.categories else ""
    return f"{spec.lib} {'-'.join(parts)}{extra}"
