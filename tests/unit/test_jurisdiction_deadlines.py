"""Response deadlines: calendar days and business days of the `holidays` calendars."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.domain.jurisdictions import rule_pack
from handoff.domain.jurisdictions.deadlines import (
    add_business_days,
    add_calendar_days,
    calendar_for,
    is_business_day,
)


def test_debt_protocol_letter_gets_30_calendar_days():
    assert add_calendar_days(date(2026, 3, 2), 30) == date(2026, 4, 1)


def test_ten_business_days_in_england_skip_easter():
    england = calendar_for(rule_pack().jurisdictions["GB-ENG"].calendar)
    assert add_business_days(date(2026, 4, 1), 10, england) == date(2026, 4, 17)


def test_scotland_uses_its_own_calendar():
    scotland = calendar_for(rule_pack().jurisdictions["GB-SCT"].calendar)
    assert date(2026, 4, 6) not in scotland  # Easter Monday is not a Scottish bank holiday
    assert add_business_days(date(2026, 4, 1), 10, scotland) == date(2026, 4, 16)


def test_nsw_uses_public_and_bank_holidays():
    nsw = calendar_for(rule_pack().jurisdictions["AU-NSW"].calendar)
    assert date(2026, 8, 3) in nsw  # NSW Bank Holiday


CODES = sorted(rule_pack().jurisdictions)


@settings(max_examples=200, deadline=None)
@given(
    code=st.sampled_from(CODES),
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=40),
)
def test_a_business_day_deadline_is_never_a_weekend_or_holiday(code, start, days):
    calendar = calendar_for(rule_pack().jurisdictions[code].calendar)
    deadline = add_business_days(start, days, calendar)
    assert deadline.weekday() < 5
    assert deadline not in calendar
    assert is_business_day(deadline, calendar)
    assert deadline > start
