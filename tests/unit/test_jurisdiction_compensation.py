"""Fixed compensation tiers and their boundary semantics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff.domain.jurisdictions import rule_pack
from handoff.domain.jurisdictions.compensation import compensation_for
from handoff.domain.jurisdictions.pack import FixedCompensationRule


def _rule(code: str) -> FixedCompensationRule:
    (rule,) = rule_pack().jurisdictions[code].in_force("fixed_compensation", date(2026, 2, 5))
    assert isinstance(rule, FixedCompensationRule)
    return rule


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.01", 40),
        ("999.99", 40),
        ("1000", 70),
        ("1000.00", 70),
        ("9999.99", 70),
        ("10000", 100),
        ("250000", 100),
    ],
)
def test_uk_tiers_use_strict_upper_bounds(amount, expected):
    assert compensation_for(Decimal(amount), _rule("GB-ENG")) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("1000", 40), ("1000.01", 70), ("10000", 70), ("10000.01", 100)],
)
def test_ireland_tiers_include_their_upper_bounds(amount, expected):
    assert compensation_for(Decimal(amount), _rule("IE")) == expected


@pytest.mark.parametrize("code", ["DE", "FR", "NL"])
def test_flat_forty_euros(code):
    assert compensation_for(Decimal("5"), _rule(code)) == 40
    assert compensation_for(Decimal("5000000"), _rule(code)) == 40


def test_nothing_outstanding_nothing_due():
    assert compensation_for(Decimal(0), _rule("GB-ENG")) == 0


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000000"), places=2)


@given(a=amounts, b=amounts, code=st.sampled_from(["GB-ENG", "GB-WLS", "GB-SCT", "IE", "DE", "FR", "NL"]))
def test_compensation_is_monotone_in_the_amount(a, b, code):
    low, high = sorted((a, b))
    rule = _rule(code)
    assert compensation_for(low, rule) <= compensation_for(high, rule)
