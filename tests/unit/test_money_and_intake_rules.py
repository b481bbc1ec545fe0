"""Money at the currency's minor unit, and the intake rules that span fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from handoff.domain.errors import InvalidRequestError
from handoff.domain.intake_rules import check_intake, intake_problems
from handoff.domain.models import CaseIntake
from handoff.domain.money import AmountScaleError, CurrencyError, exact, minor_unit, rounded


@pytest.mark.parametrize(("currency", "digits"), [("JPY", 0), ("GBP", 2), ("EUR", 2), ("BHD", 3), ("KWD", 3)])
def test_minor_units_follow_iso_4217(currency: str, digits: int) -> None:
    assert minor_unit(currency) == digits


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(CurrencyError):
        minor_unit("XYZ")


@pytest.mark.parametrize(("amount", "currency"), [("0.001", "GBP"), ("1.5", "JPY"), ("1.0001", "BHD")])
def test_more_decimals_than_the_currency_allows_is_an_error(amount: str, currency: str) -> None:
    with pytest.raises(AmountScaleError):
        exact(Decimal(amount), currency)


def test_exact_amounts_are_normalised_to_the_minor_unit() -> None:
    assert str(exact(Decimal("12.5"), "GBP")) == "12.50"
    assert str(exact(Decimal("100"), "JPY")) == "100"


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_rounding_stays_within_half_a_minor_unit(amount: Decimal) -> None:
    assert abs(rounded(amount, "GBP") - amount) <= Decimal("0.005")


def _intake(payload: dict[str, Any]) -> CaseIntake:
    return CaseIntake.model_validate(payload)


def test_example_intake_has_no_problems(case_payload: dict[str, Any]) -> None:
    assert intake_problems(_intake(case_payload)) == []


def test_every_problem_is_reported_at_once_with_its_path(case_payload: dict[str, Any]) -> None:
    case_payload["invoices"][0]["amount"] = "10.001"
    case_payload["invoices"][1]["due_on"] = "2026-01-01"
    case_payload["debtor"]["address"]["subdivision"] = "DE-BY"

    with pytest.raises(InvalidRequestError) as raised:
        check_intake(_intake(case_payload))

    assert {p.loc for p in raised.value.problems} == {
        ("invoices", 0, "amount"),
        ("invoices", 1, "due_on"),
        ("debtor", "address", "subdivision"),
    }


def test_duplicate_invoice_numbers_are_refused(case_payload: dict[str, Any]) -> None:
    case_payload["invoices"][1]["number"] = case_payload["invoices"][0]["number"]

    assert [p.loc for p in intake_problems(_intake(case_payload))] == [("invoices", 1, "number")]


def test_contractual_interest_needs_a_rate(case_payload: dict[str, Any]) -> None:
    case_payload["terms"]["interest"] = {"kind": "contractual"}

    assert [p.loc for p in intake_problems(_intake(case_payload))] == [("terms", "interest", "rate_percent")]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("currency",), "ABC"),
        (("debtor", "address", "country"), "UK"),
        (("debtor", "address", "subdivision"), "GB-XXX"),
        (("debtor", "contacts", 0, "phone"), "+4411320000"),
        (("debtor", "entity_type"), "trust"),
        (("invoices", 0, "amount"), "-1"),
        (("contact_log", 0, "at"), "2026-06-05T10:00:00"),
    ],
)
def test_field_level_validation(case_payload: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = case_payload
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value

    with pytest.raises(ValidationError) as raised:
        _intake(case_payload)

    assert tuple(raised.value.errors()[0]["loc"][: len(path)]) == path


def test_unknown_fields_are_refused(case_payload: dict[str, Any]) -> None:
    case_payload["surprise"] = True

    with pytest.raises(ValidationError):
        _intake(case_payload)
