"""Limitation end dates, statuses and restarts (pure functions; assess-level tests elsewhere)."""

from __future__ import annotations

from datetime import date

from handoff.domain.jurisdictions import rule_pack
from handoff.domain.jurisdictions.limitation import LimitationStatus, Restart, add_years, limitation
from handoff.domain.jurisdictions.pack import LimitationRule, RestartEvent


def _rule(code: str) -> LimitationRule:
    (rule,) = rule_pack().jurisdictions[code].in_force("limitation", date(2026, 2, 5))
    assert isinstance(rule, LimitationRule)
    return rule


def _pp(on: date) -> Restart:
    return Restart(on=on, event=RestartEvent.part_payment, source="payments", written=False)


def test_england_part_payment_restarts_six_years():
    result = limitation(_rule("GB-ENG"), 6, date(2019, 6, 1), date(2026, 2, 5), [_pp(date(2023, 1, 10))])
    assert result.ends_on == date(2029, 1, 10)
    assert result.restarted_on == date(2023, 1, 10)
    assert result.status is LimitationStatus.running


def test_england_without_restart_expires_six_years_after_accrual():
    result = limitation(_rule("GB-ENG"), 6, date(2019, 6, 1), date(2026, 2, 5), [])
    assert (result.ends_on, result.status) == (date(2025, 6, 1), LimitationStatus.expired)


def test_ontario_two_years_from_discovery():
    result = limitation(
        _rule("CA-ON"), 2, date(2024, 1, 15), date(2026, 2, 1), [], discovered_on=date(2024, 2, 1)
    )
    assert result.ends_on == date(2026, 2, 1)
    assert result.status is LimitationStatus.running
    late = limitation(
        _rule("CA-ON"), 2, date(2024, 1, 15), date(2026, 2, 2), [], discovered_on=date(2024, 2, 1)
    )
    assert late.status is LimitationStatus.expired


def test_ontario_ultimate_period_caps_restarts():
    ack = Restart(on=date(2018, 1, 1), event=RestartEvent.acknowledgement, source="contact_log", written=True)
    pp = (
        [_pp(date(2005, 1, 1 + i)) for i in range(3)]
        + [_pp(date(y, 6, 1)) for y in range(2006, 2020)]
        + [ack]
    )
    result = limitation(_rule("CA-ON"), 2, date(2004, 6, 1), date(2019, 7, 1), pp)
    assert result.ends_on == date(2019, 6, 1)  # 15 years from accrual
    assert result.status is LimitationStatus.expired


def test_germany_counts_from_the_year_end():
    result = limitation(_rule("DE"), 3, date(2023, 5, 10), date(2026, 2, 5), [])
    assert result.ends_on == date(2026, 12, 31)
    restarted = limitation(_rule("DE"), 3, date(2023, 5, 10), date(2026, 2, 5), [_pp(date(2025, 3, 1))])
    assert restarted.ends_on == date(2028, 3, 1)  # §212: a new period starts on the acknowledgement


def test_scotland_prescription_extinguishes():
    result = limitation(_rule("GB-SCT"), 5, date(2020, 1, 1), date(2026, 2, 5), [])
    assert result.status is LimitationStatus.extinguished
    assert _rule("GB-SCT").extinguishes


def test_events_the_rule_does_not_list_do_not_restart():
    promise = Restart(
        on=date(2024, 1, 1), event=RestartEvent.written_promise, source="contact_log", written=True
    )
    assert limitation(_rule("GB-ENG"), 6, date(2019, 6, 1), date(2026, 2, 5), [promise]).restarted_on is None
    assert limitation(_rule("US-IL"), 5, date(2019, 6, 1), date(2026, 2, 5), [promise]).restarted_on == date(
        2024, 1, 1
    )


def test_a_barred_claim_is_not_revived_and_future_events_are_ignored():
    rule = _rule("GB-ENG")
    revived = limitation(rule, 6, date(2010, 1, 1), date(2026, 2, 5), [_pp(date(2017, 1, 1))])
    assert revived.status is LimitationStatus.expired
    assert revived.restarted_on is None
    future = limitation(rule, 6, date(2020, 1, 1), date(2026, 2, 5), [_pp(date(2026, 6, 1))])
    assert future.restarted_on is None


def test_leap_day_moves_back_to_28_february():
    assert add_years(date(2024, 2, 29), 6) == date(2030, 2, 28)
