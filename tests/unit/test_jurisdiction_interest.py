"""Statutory and contractual interest: FACTS worked examples, piecewise rates, properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from handoff.domain.jurisdictions import rule_pack
from handoff.domain.jurisdictions.interest import accrue, fixing_date, interest_start, rate_periods
from handoff.domain.jurisdictions.pack import (
    Citation,
    Fixing,
    InterestFormula,
    RateSeries,
    RoundingMode,
    StatutoryInterestRule,
)

# Documentation fixture: a flat 0.5% base rate, the level the GOV.UK worked example assumes.
GOVUK_FIXTURE = RateSeries(
    name="BOE_BANK_RATE",
    description="Documentation fixture for the GOV.UK example (0.5% base rate)",
    citations=[Citation(cite="GOV.UK worked example")],
    points=[{"from": date(2009, 3, 5), "value": Decimal("0.5")}],
)
UK = InterestFormula(
    reference="BOE_BANK_RATE",
    margin_pp=Decimal(8),
    fixing=Fixing.half_year_at_start,
    fixing_dates=["12-31", "06-30"],
)


def _uk_interest(series: RateSeries, due_on: date, days: int, mode: RoundingMode) -> Decimal:
    start = interest_start(due_on)
    periods = rate_periods(UK, series, start, start, start + timedelta(days=days - 1))
    return accrue(lambda _day: Decimal("1000.00"), periods, mode, "GBP").amount


def test_govuk_example_daily_rounding_gives_11_50():
    # £1,000 at 8.5%: £85 a year, £0.23 a day, 50 days → £11.50
    assert _uk_interest(GOVUK_FIXTURE, date(2018, 3, 1), 50, RoundingMode.daily) == Decimal("11.50")


def test_govuk_example_exact_gives_11_64():
    assert _uk_interest(GOVUK_FIXTURE, date(2018, 3, 1), 50, RoundingMode.exact) == Decimal("11.64")


def test_govuk_example_with_the_packs_dated_history():
    # Base rate on 31 Dec 2017 was 0.5% in the pack's history → 8.5% for debts late in H1 2018.
    series = rule_pack().reference_rates["BOE_BANK_RATE"]
    assert _uk_interest(series, date(2018, 3, 1), 50, RoundingMode.daily) == Decimal("11.50")
    assert _uk_interest(series, date(2018, 3, 1), 50, RoundingMode.exact) == Decimal("11.64")


def test_current_uk_rate_gives_16_10_exact():
    series = rule_pack().reference_rates["BOE_BANK_RATE"]
    start = date(2026, 2, 1)
    (period,) = rate_periods(UK, series, start, start, start + timedelta(days=49))
    assert period.rate_percent == Decimal("11.75")
    assert period.fixed_on == date(2025, 12, 31)
    accrual = accrue(lambda _day: Decimal(1000), [period], RoundingMode.exact, "GBP")
    assert accrual.amount == Decimal("16.10")
    assert accrue(lambda _day: Decimal(1000), [period], RoundingMode.daily, "GBP").amount == Decimal("16.00")


def test_uk_rate_stays_fixed_for_the_debt_across_a_base_rate_change():
    # Late from Nov 2025 (fixing 30 Jun 2025: 4.25%), still 12.25% after the Dec 2025 cut.
    series = rule_pack().reference_rates["BOE_BANK_RATE"]
    start = date(2025, 11, 1)
    periods = rate_periods(UK, series, start, start, date(2026, 3, 1))
    assert [p.rate_percent for p in periods] == [Decimal("12.25")]


def test_ireland_changes_rate_per_half_year_piece_by_piece():
    ie = rule_pack().jurisdictions["IE"].versions("statutory_interest")[0]
    assert isinstance(ie, StatutoryInterestRule)
    series = rule_pack().reference_rates["ECB_MRO"]
    start = date(2025, 5, 1)
    periods = rate_periods(ie.formula, series, start, start, date(2025, 8, 31))
    assert [(p.from_date, p.to_date, p.rate_percent) for p in periods] == [
        (date(2025, 5, 1), date(2025, 6, 30), Decimal("11.15")),  # MRO 3.15 on 1 Jan 2025
        (date(2025, 7, 1), date(2025, 8, 31), Decimal("10.15")),  # MRO 2.15 on 1 Jul 2025
    ]
    accrual = accrue(lambda _day: Decimal("10000.00"), periods, RoundingMode.exact, "EUR")
    expected = Decimal(10000) * (Decimal("11.15") * 61 + Decimal("10.15") * 62) / Decimal(36500)
    assert accrual.amount == expected.quantize(Decimal("0.01"))


def test_series_fixing_follows_every_change():
    de = rule_pack().jurisdictions["DE"].versions("statutory_interest")[0]
    assert isinstance(de, StatutoryInterestRule)
    series = rule_pack().reference_rates["DE_BASISZINSSATZ"]
    periods = rate_periods(de.formula, series, date(2024, 12, 1), date(2024, 12, 1), date(2025, 7, 10))
    assert [p.rate_percent for p in periods] == [Decimal("12.37"), Decimal("11.27"), Decimal("10.27")]
    assert sum(p.days for p in periods) == (date(2025, 7, 10) - date(2024, 12, 1)).days + 1


def test_fixing_dates():
    assert fixing_date(date(2026, 1, 1), ["12-31", "06-30"]) == date(2025, 12, 31)
    assert fixing_date(date(2026, 7, 1), ["12-31", "06-30"]) == date(2026, 6, 30)
    assert fixing_date(date(2026, 7, 1), ["01-01", "07-01"]) == date(2026, 7, 1)


def test_texas_interest_starts_on_day_30_after_due():
    tx = rule_pack().jurisdictions["US-TX"].versions("statutory_interest")[0]
    assert isinstance(tx, StatutoryInterestRule)
    assert interest_start(date(2026, 1, 31), tx.start_days_after_due) == date(2026, 3, 2)


def test_negative_reference_rates_never_give_negative_interest():
    series = RateSeries(
        name="NEG",
        description="fixture",
        citations=[Citation(cite="fixture")],
        points=[{"from": date(2020, 1, 1), "value": Decimal("-12")}],
    )
    formula = InterestFormula(reference="NEG", margin_pp=Decimal(8))
    (period,) = rate_periods(formula, series, date(2021, 1, 1), date(2021, 1, 1), date(2021, 2, 1))
    assert period.rate_percent == 0


money = st.decimals(min_value=0, max_value=Decimal("10000000"), places=2)
rates = st.decimals(min_value=0, max_value=Decimal(100), places=2)
days = st.integers(min_value=1, max_value=3000)


@given(
    principal=money, rate=rates, first=days, second=days, start=st.dates(date(2000, 1, 1), date(2030, 1, 1))
)
def test_interest_is_additive_over_split_periods_at_one_rate(principal, rate, first, second, start):
    formula = InterestFormula(rate_percent=rate)
    middle = start + timedelta(days=first)
    end = middle + timedelta(days=second - 1)
    whole = accrue(
        lambda _day: principal, rate_periods(formula, None, start, start, end), RoundingMode.exact, "GBP"
    )
    head = accrue(
        lambda _day: principal,
        rate_periods(formula, None, start, start, middle - timedelta(days=1)),
        "exact",
        "GBP",
    )
    tail = accrue(
        lambda _day: principal, rate_periods(formula, None, start, middle, end), RoundingMode.exact, "GBP"
    )
    assert abs(head.unrounded + tail.unrounded - whole.unrounded) <= Decimal("1e-15")
    assert abs(head.amount + tail.amount - whole.amount) <= Decimal("0.01")


@given(principal=money, rate=rates, length=days, mode=st.sampled_from(list(RoundingMode)))
def test_interest_is_never_negative(principal, rate, length, mode):
    start = date(2026, 1, 1)
    periods = rate_periods(
        InterestFormula(rate_percent=rate), None, start, start, start + timedelta(days=length)
    )
    accrual = accrue(lambda _day: principal, periods, mode, "GBP")
    assert accrual.amount >= 0
    assert accrual.amount == accrual.amount.quantize(Decimal("0.01"))


def test_no_days_no_interest():
    assert (
        rate_periods(
            InterestFormula(rate_percent=Decimal(8)),
            None,
            date(2026, 1, 2),
            date(2026, 1, 2),
            date(2026, 1, 1),
        )
        == []
    )
