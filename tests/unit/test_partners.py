"""Partners: jurisdiction patterns, amount bands at their edges, declarations and requests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from handoff.domain.partners import (
    AmountBand,
    FixedFee,
    Partner,
    PartnerRequest,
    PartnerStatus,
    PartnerType,
    PercentFee,
    jurisdiction_matches,
    patterns_covering,
)


def partner_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Northern Recoveries",
        "type": "agency",
        "jurisdictions": ["GB", "US-*"],
        "amount_bands": [{"currency": "GBP", "min": "100.00", "max": "50000.00"}],
        "debt_types": ["commercial", "goods"],
        "capacity": 10,
        "fee_terms": {"contingency_percent": "20", "exclusivity_days": 30},
        "priority": 1,
        "contact_email": "placements@northern.example",
    }
    body.update(overrides)
    return body


# --- jurisdiction patterns --------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "code", "expected"),
    [
        # `*` serves everywhere
        ("*", "US-CA", True),
        ("*", "US", True),
        ("*", "JP", True),
        # `US-*` serves any US subdivision, not the bare country nor a look-alike
        ("US-*", "US-CA", True),
        ("US-*", "US-TX", True),
        ("US-*", "US", False),
        ("US-*", "USA", False),
        ("US-*", "GB-ENG", False),
        ("US-*", "UM-67", False),
        # a country serves itself and its subdivisions
        ("GB", "GB", True),
        ("GB", "GB-ENG", True),
        ("GB", "GB-SCT", True),
        ("GB", "GBR", False),
        ("GB", "IE", False),
        ("US", "US-NY", True),
        # an exact subdivision serves only itself
        ("US-CA", "US-CA", True),
        ("US-CA", "US-TX", False),
        ("US-CA", "US", False),
        ("GB-ENG", "GB-ENG", True),
        ("GB-ENG", "GB-WLS", False),
        ("GB-ENG", "GB", False),
    ],
)
def test_jurisdiction_matches(pattern: str, code: str, expected: bool) -> None:
    assert jurisdiction_matches(pattern, code) is expected
    assert (pattern in patterns_covering(code)) is expected


CODES = ["US", "US-CA", "US-TX", "GB", "GB-ENG", "GB-SCT", "DE", "DE-BY", "IE", "JP", "UM-67"]
PATTERNS = ["*", "US", "US-*", "US-CA", "GB", "GB-*", "GB-ENG", "DE", "DE-*", "IE", "UM-*"]


@given(st.sampled_from(PATTERNS), st.sampled_from(CODES))
def test_the_covering_set_agrees_with_the_matcher(pattern: str, code: str) -> None:
    assert (pattern in patterns_covering(code)) is jurisdiction_matches(pattern, code)


@pytest.mark.parametrize(
    ("given_", "stored"),
    [
        ("*", "*"),
        ("us-*", "US-*"),
        (" gb ", "GB"),
        ("US-CA", "US-CA"),
        ("GB-ENG", "GB-ENG"),
        ("FR-75C", "FR-75C"),
    ],
)
def test_valid_jurisdiction_patterns_are_stored_upper_case(given_: str, stored: str) -> None:
    partner = PartnerRequest.model_validate(partner_body(jurisdictions=[given_]))
    assert partner.jurisdictions == [stored]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("USA", "should match pattern"),
        ("U*", "should match pattern"),
        ("**", "should match pattern"),
        ("US-**", "should match pattern"),
        ("XX", "not an ISO 3166-1"),
        ("XX-*", "not an ISO 3166-1"),
        ("US-ZZ", "not an ISO 3166-2"),
        ("", "at least 1"),
    ],
)
def test_invalid_jurisdiction_patterns_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PartnerRequest.model_validate(partner_body(jurisdictions=[pattern]))


# --- amount bands -----------------------------------------------------------------------

BANDS = [
    # currency, min, max, amount, inside?
    ("USD", "1000.00", "50000.00", "999.99", False),  # just below min
    ("USD", "1000.00", "50000.00", "1000.00", True),  # min is inclusive
    ("USD", "1000.00", "50000.00", "49999.99", True),  # just below max
    ("USD", "1000.00", "50000.00", "50000.00", False),  # max is exclusive
    ("USD", "1000.00", "50000.00", "50000.01", False),  # just above max
    ("GBP", "0", "10000", "0.00", True),
    ("GBP", "0", "10000", "9999.99", True),
    ("GBP", "0", "10000", "10000.00", False),
    ("EUR", "250.00", None, "249.99", False),
    ("EUR", "250.00", None, "250.00", True),
    ("EUR", "250.00", None, "999999999.99", True),  # no max: no upper limit
    ("JPY", "100000", "5000000", "99999", False),
    ("JPY", "100000", "5000000", "100000", True),
    ("JPY", "100000", "5000000", "4999999", True),
    ("JPY", "100000", "5000000", "5000000", False),
    ("JPY", "100000", "5000000", "5000001", False),
    ("BHD", "10.000", "20.000", "9.999", False),
    ("BHD", "10.000", "20.000", "10.000", True),
    ("BHD", "10.000", "20.000", "19.999", True),
    ("BHD", "10.000", "20.000", "20.000", False),
]


@pytest.mark.parametrize(("currency", "low", "high", "amount", "inside"), BANDS)
def test_band_is_min_inclusive_max_exclusive(
    currency: str, low: str, high: str | None, amount: str, inside: bool
) -> None:
    band = AmountBand(currency=currency, min=Decimal(low), max=None if high is None else Decimal(high))
    assert band.contains(Decimal(amount)) is inside


def test_adjacent_bands_chain_without_overlap_or_gap() -> None:
    lower = AmountBand(currency="USD", min=Decimal(0), max=Decimal(10000))
    upper = AmountBand(currency="USD", min=Decimal(10000), max=Decimal(50000))
    for amount in ("9999.99", "10000.00", "10000.01"):
        assert [lower.contains(Decimal(amount)), upper.contains(Decimal(amount))].count(True) == 1


@pytest.mark.parametrize(
    ("band", "message"),
    [
        ({"currency": "JPY", "min": "1000.5"}, "more decimals than JPY allows"),
        ({"currency": "USD", "min": "0", "max": "10.001"}, "more decimals than USD allows"),
        ({"currency": "USD", "min": "10", "max": "10"}, "must be above min"),
        ({"currency": "USD", "min": "20", "max": "10"}, "must be above min"),
        ({"currency": "USD", "min": "-1"}, "greater than or equal to 0"),
        ({"currency": "XYZ", "min": "0"}, "not an ISO 4217"),
        ({"currency": "USD", "min": "0", "extra": 1}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_bands_are_refused(band: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AmountBand.model_validate(band)


def test_band_amounts_are_kept_at_the_currency_scale() -> None:
    band = AmountBand.model_validate({"currency": "USD", "min": "10", "max": "250"})
    assert (str(band.min), str(band.max)) == ("10.00", "250.00")
    assert str(AmountBand(currency="JPY", min=Decimal(5))) == "JPY [5, no max)"


# --- partner declarations ---------------------------------------------------------------


def test_a_request_becomes_a_partner_with_an_id_and_no_open_cases() -> None:
    request = PartnerRequest.model_validate(partner_body())
    partner = request.to_partner("agency-north")
    assert partner.partner_id == "agency-north"
    assert partner.open_cases == 0
    assert partner.free_capacity == 10
    assert partner.type is PartnerType.agency
    assert partner.status is PartnerStatus.active
    assert partner.band_for("GBP") == request.amount_bands[0]
    assert partner.band_for("USD") is None


def test_request_refuses_the_system_managed_fields() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        PartnerRequest.model_validate(partner_body(open_cases=3))
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        PartnerRequest.model_validate(partner_body(partner_id="p1"))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"jurisdictions": ["GB", "gb"]}, "jurisdiction 'GB' is listed twice"),
        (
            {"amount_bands": [{"currency": "GBP", "min": "0"}, {"currency": "GBP", "min": "5"}]},
            "amount band currency 'GBP' is listed twice",
        ),
        ({"debt_types": ["goods", "goods"]}, "debt type 'goods' is listed twice"),
        ({"debt_types": ["loans"]}, "debt_types.0"),
        ({"type": "bailiff"}, "type"),
        ({"jurisdictions": []}, "at least 1 item"),
        ({"amount_bands": []}, "at least 1 item"),
        ({"capacity": -1}, "greater than or equal to 0"),
        ({"priority": -1}, "greater than or equal to 0"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"status": "paused"}, "status"),
        ({"fee_terms": {"contingency_percent": "101"}}, "less than or equal to 100"),
    ],
)
def test_invalid_partner_declarations_are_refused(override: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PartnerRequest.model_validate(partner_body(**override))


@pytest.mark.parametrize(
    ("recall_fee", "expected"),
    [
        (
            {"kind": "fixed", "amount": {"currency": "GBP", "amount": "150"}},
            FixedFee.model_validate({"amount": {"currency": "GBP", "amount": "150.00"}}),
        ),
        ({"kind": "percent", "percent": "7.5"}, PercentFee(percent=Decimal("7.5"))),
        (None, None),
    ],
)
def test_recall_fee_is_money_or_percent(recall_fee: dict[str, Any] | None, expected: object) -> None:
    terms = {"contingency_percent": "25", "direct_payment_fee_percent": "10", "recall_fee": recall_fee}
    partner = PartnerRequest.model_validate(partner_body(fee_terms=terms))
    assert partner.fee_terms.recall_fee == expected


@pytest.mark.parametrize(
    "recall_fee",
    [
        {"kind": "fixed", "percent": "5"},
        {"kind": "percent", "amount": {"currency": "GBP", "amount": "1"}},
        {"kind": "fixed", "amount": {"currency": "JPY", "amount": "1.5"}},
        {"kind": "flat", "amount": "5"},
    ],
)
def test_malformed_recall_fees_are_refused(recall_fee: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        PartnerRequest.model_validate(
            partner_body(fee_terms={"contingency_percent": "25", "recall_fee": recall_fee})
        )


def test_a_partner_may_hold_more_cases_than_a_lowered_capacity() -> None:
    partner = Partner.model_validate({**partner_body(capacity=5), "partner_id": "p1", "open_cases": 7})
    assert partner.free_capacity == 0


def test_partner_round_trips_through_json() -> None:
    partner = PartnerRequest.model_validate(partner_body()).to_partner("p1", open_cases=3)
    assert Partner.model_validate_json(partner.model_dump_json()) == partner
