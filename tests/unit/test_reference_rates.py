"""Reference rates as maintained data: recorded fixings over the seed, coverage, validation, imports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from handoff.domain.jurisdictions.pack import Coverage, PeriodLength, Verification, period_bounds, rule_pack
from handoff.domain.reference_rates import (
    Observation,
    RecordedFixing,
    drafts_from,
    fixing_problems,
    pack_in_force,
    rates_in_force,
    with_recorded,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def fixing(series: str, day: str, value: str, through: str | None = None) -> RecordedFixing:
    return RecordedFixing(
        series=series,
        effective_from=date.fromisoformat(day),
        value=Decimal(value),
        through=date.fromisoformat(through) if through else None,
        source="test fixture, not a published rate",
        verification=Verification.unverified,
        recorded_by="operator:test",
        recorded_at=NOW,
    )


@pytest.mark.parametrize(
    ("length", "day", "bounds"),
    [
        (PeriodLength.half_year, "2026-03-15", ("2026-01-01", "2026-06-30")),
        (PeriodLength.half_year, "2026-07-01", ("2026-07-01", "2026-12-31")),
        (PeriodLength.quarter, "2026-02-28", ("2026-01-01", "2026-03-31")),
        (PeriodLength.quarter, "2024-12-31", ("2024-10-01", "2024-12-31")),
    ],
)
def test_period_bounds(length: PeriodLength, day: str, bounds: tuple[str, str]) -> None:
    assert period_bounds(length, date.fromisoformat(day)) == tuple(date.fromisoformat(b) for b in bounds)


def test_a_recorded_fixing_advances_a_series_set_per_half_year_to_the_end_of_its_half_year() -> None:
    seed = rule_pack()
    assert seed.reference_rates["DE_BASISZINSSATZ"].known_through == date(
        2026, 6, 30
    )  # BGB §247: 1 Jan value

    pack = with_recorded(seed, [fixing("DE_BASISZINSSATZ", "2026-07-01", "9.99")])
    series = pack.reference_rates["DE_BASISZINSSATZ"]

    assert series.known_through == date(2026, 12, 31)
    assert series.value_on(date(2026, 6, 30)) == Decimal("1.27")
    assert series.value_on(date(2026, 7, 1)) == Decimal("9.99")
    assert series.points[-1].recorded_by == "operator:test"
    assert seed.reference_rates["DE_BASISZINSSATZ"].known_through == date(
        2026, 6, 30
    )  # the seed is untouched


def test_a_recorded_fixing_replaces_the_seed_on_its_day_and_a_span_advances_recorded_through() -> None:
    pack = with_recorded(rule_pack(), [fixing("BOE_BANK_RATE", "2025-12-18", "9.99", through="2026-03-31")])
    series = pack.reference_rates["BOE_BANK_RATE"]

    assert series.value_on(date(2025, 12, 18)) == Decimal("9.99")
    assert [p.from_ for p in series.points].count(date(2025, 12, 18)) == 1
    assert series.known_through == date(2026, 3, 31)
    assert series.recorded_on(date(2026, 3, 31)) and not series.recorded_on(date(2026, 4, 1))


def test_a_sparse_table_records_only_the_quarters_it_lists() -> None:
    florida = rule_pack().reference_rates["FL_CFO_JUDGMENT"]
    assert florida.coverage is Coverage.per_period

    assert florida.recorded_on(date(2014, 5, 1))  # 4.75% from Q4 2011 through Q1 2016 (one source)
    assert florida.recorded_on(date(2019, 8, 1))  # Q3 2019: 6.77%
    assert not florida.recorded_on(date(2019, 2, 1))  # Q1 2019: not in the table; 6.09% is assumed
    assert florida.value_on(date(2019, 2, 1)) == Decimal("6.09")
    assert not florida.recorded_on(date(2024, 1, 1))
    assert florida.coverage_cuts(date(2018, 11, 1), date(2019, 8, 15)) == [
        date(2019, 1, 1),
        date(2019, 4, 1),
        date(2019, 7, 1),
    ]


def test_the_seed_series_changes_only_where_the_value_changes() -> None:
    pack = with_recorded(rule_pack(), [fixing("BOE_BANK_RATE", "2026-06-30", "3.75")])
    series = pack.reference_rates["BOE_BANK_RATE"]
    assert series.changes_between(date(2025, 12, 1), date(2026, 7, 31)) == [date(2025, 12, 18)]


@pytest.mark.parametrize(
    ("series", "day", "value", "through", "field", "reason"),
    [
        ("NO_SUCH", "2026-07-01", "1", None, ("path", "series"), "unknown reference series"),
        ("ECB_MRO", "2027-02-01", "1", None, ("path", "effective_from"), "more than 45 days ahead"),
        ("ECB_MRO", "1969-12-31", "1", None, ("path", "effective_from"), "before 1970-01-01"),
        ("DE_BASISZINSSATZ", "2026-07-02", "1", None, ("path", "effective_from"), "2026-07-01, not"),
        ("ON_PREJUDGMENT", "2026-05-01", "1", None, ("path", "effective_from"), "2026-04-01, not"),
        ("ECB_MRO", "2026-06-01", "101", None, ("value",), "between -20 and 100"),
        ("ECB_MRO", "2026-06-01", "1.1234567", None, ("value",), "more than 6 decimal places"),
        ("ECB_MRO", "2026-06-01", "1", "2026-05-31", ("through",), "before effective_from"),
        ("ECB_MRO", "2026-06-01", "1", "2026-12-03", ("through",), "has not come"),
    ],
)
def test_a_fixing_that_cannot_be_recorded_names_its_field(
    series: str, day: str, value: str, through: str | None, field: tuple[str, ...], reason: str
) -> None:
    problems = fixing_problems(
        rule_pack(),
        series,
        date.fromisoformat(day),
        Decimal(value),
        date.fromisoformat(through) if through else None,
        NOW.date(),
    )
    assert [p.loc for p in problems] == [field]
    assert reason in problems[0].message


def test_a_fixing_within_a_sensible_window_is_accepted() -> None:
    problems = fixing_problems(rule_pack(), "ECB_MRO", date(2027, 1, 15), Decimal("-0.5"), None, NOW.date())
    assert problems == []


def obs(line: int, day: str, value: str) -> Observation:
    return Observation(line, date.fromisoformat(day), Decimal(value))


def test_a_daily_table_becomes_one_fixing_per_run_with_its_span() -> None:
    rows = [obs(2, "2025-12-16", "4.00"), obs(3, "2025-12-17", "4.00"), obs(4, "2025-12-18", "3.75")]
    rows.append(obs(5, "2025-12-19", "3.75"))
    drafts, problems = drafts_from(rows, rule_pack(), "BOE_BANK_RATE")

    assert problems == []
    assert [(d.effective_from, d.value, d.through, d.lines) for d in drafts] == [
        (date(2025, 12, 16), Decimal("4.00"), date(2025, 12, 17), (2, 3)),
        (date(2025, 12, 18), Decimal("3.75"), date(2025, 12, 19), (4, 5)),
    ]


def test_two_values_for_one_day_are_reported_with_the_line() -> None:
    rows = [obs(2, "2025-12-18", "3.75"), obs(3, "2025-12-18", "4.00")]
    drafts, problems = drafts_from(rows, rule_pack(), "BOE_BANK_RATE")
    assert len(drafts) == 1
    assert problems == [(3, "4.00 contradicts 3.75 (line 2)")]


def test_a_sparse_table_merges_only_quarters_that_follow_each_other() -> None:
    rows = [obs(2, "2012-01-01", "4.75"), obs(3, "2012-04-01", "4.75"), obs(4, "2012-10-01", "4.75")]
    drafts, _ = drafts_from(rows, rule_pack(), "FL_CFO_JUDGMENT")
    assert [(d.effective_from, d.through) for d in drafts] == [
        (date(2012, 1, 1), date(2012, 6, 30)),
        (date(2012, 10, 1), None),  # Q3 2012 is not in the table: not recorded by this import
    ]


def test_the_pack_in_force_is_the_seed_unless_an_invocation_sets_its_source() -> None:
    recorded = with_recorded(rule_pack(), [fixing("ECB_MRO", "2026-06-17", "2.40")])
    assert pack_in_force() is rule_pack()
    with rates_in_force(lambda: recorded):
        assert pack_in_force().reference_rates["ECB_MRO"].value_on(date(2026, 7, 1)) == Decimal("2.40")
    assert pack_in_force() is rule_pack()
