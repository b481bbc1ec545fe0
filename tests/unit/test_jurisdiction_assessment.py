"""`assess`: the one entry point, end to end on intakes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from handoff.domain.claim import Claim as LegalAssessment
from handoff.domain.claim import ClaimHistory, ClaimOptions, Payment, claim_as_of
from handoff.domain.jurisdictions.limitation import LimitationStatus
from handoff.domain.jurisdictions.pack import RestartEvent, RoundingMode
from handoff.domain.jurisdictions.sections import Basis
from handoff.domain.models import CaseIntake


def assess(
    intake: CaseIntake,
    as_of: date,
    letter_date: date | None = None,
    payments: list[tuple[date, Decimal]] | None = None,
    *,
    rounding: RoundingMode = RoundingMode.exact,
    creditor_is_natural_person: bool = False,
) -> LegalAssessment:
    """The claim of an intake with `payments` reported since (unallocated), as the API computes it."""
    history = ClaimHistory(payments=[Payment(on=on, amount=amount) for on, amount in payments or []])
    options = ClaimOptions(rounding=rounding, creditor_is_natural_person=creditor_is_natural_person)
    return claim_as_of(intake, history, as_of, letter_date=letter_date, options=options)


def make_intake(
    *,
    country: str = "GB",
    subdivision: str | None = "GB-ENG",
    entity_type: str = "company",
    currency: str = "GBP",
    invoices: list[dict[str, Any]] | None = None,
    terms: dict[str, Any] | None = None,
    contact_log: list[dict[str, Any]] | None = None,
) -> CaseIntake:
    address: dict[str, Any] = {"lines": ["1 High Street"], "city": "Town", "country": country}
    if subdivision:
        address["subdivision"] = subdivision
    return CaseIntake.model_validate(
        {
            "creditor_reference": "ACME-1",
            "debtor": {"legal_name": "Debtor Ltd", "entity_type": entity_type, "address": address},
            "currency": currency,
            "invoices": invoices
            or [{"number": "INV-1", "issued_on": "2026-01-01", "due_on": "2026-01-31", "amount": "1000.00"}],
            "terms": terms or {},
            "contact_log": contact_log or [],
        }
    )


def test_england_company_case_end_to_end():
    a = assess(
        make_intake(), as_of=date(2026, 3, 22), letter_date=date(2026, 4, 1), rounding=RoundingMode.exact
    )
    assert isinstance(a, LegalAssessment)
    assert (a.pack_version, a.jurisdiction, a.law_jurisdiction, a.law_basis) == (
        "2026.02.1",
        "GB-ENG",
        "GB-ENG",
        "debtor",
    )
    assert a.interest.basis is Basis.statutory
    assert a.interest.total == Decimal("16.10")  # £1,000 x 11.75% x 50/365
    assert a.interest.rounding is RoundingMode.exact
    assert a.interest.rates_percent == [Decimal("11.75")]
    assert a.interest.rule_id == "statutory_interest" and a.interest.citations
    assert a.compensation.total == Decimal("70.00")
    assert a.compensation.invoices[0].amount == Decimal("70.00")
    assert a.limitation.status is LimitationStatus.running
    assert a.limitation.ends_on == date(2032, 2, 1)
    assert a.response.rule_id == "response_period.pre_action_conduct"
    assert (a.response.deadline, a.response.business_days) == (date(2026, 4, 15), False)
    assert a.small_claims.ceiling == Decimal("10000.00") and a.small_claims.within is True
    assert "not legal advice" in a.disclaimer


def test_daily_rounding_is_the_tenants_option():
    # GOV.UK method: £1,000 x 11.75% / 365 = £0.3219... → £0.32 a day; x 50 days = £16.00
    a = assess(make_intake(), as_of=date(2026, 3, 22), rounding=RoundingMode.daily)
    assert a.interest.rounding is RoundingMode.daily
    assert a.interest.total == Decimal("16.00")  # £0.32 a day x 50
    assert a.interest.invoices[0].segments[0].daily_amount == Decimal("0.32")


@pytest.mark.parametrize("entity_type", ["individual", "sole_trader"])
def test_debt_protocol_for_individuals_and_sole_traders(entity_type):
    a = assess(make_intake(entity_type=entity_type), as_of=date(2026, 3, 2), letter_date=date(2026, 3, 2))
    assert a.response.rule_id == "response_period.debt_protocol"
    assert a.response.deadline == date(2026, 4, 1)
    assert (a.response.days, a.response.business_days, a.response.calendar) == (30, False, "calendar days")
    assert set(a.response.enclosures) == {
        "information_sheet",
        "reply_form",
        "financial_statement",
        "statement_of_account",
    }
    assert not a.response.product_default


def test_product_default_where_the_law_gives_no_period():
    a = assess(make_intake(subdivision="GB-SCT"), as_of=date(2026, 3, 20), letter_date=date(2026, 4, 1))
    assert a.response.product_default and a.response.rule_id is None
    assert "Product default, not law" in (a.response.note or "")
    assert (a.response.days, a.response.business_days) == (10, True)
    assert a.response.deadline == date(2026, 4, 16)  # Scotland: Good Friday only
    assert "GB-SCT" in a.response.calendar


def test_german_debtor_in_a_land_gets_the_land_calendar():
    intake = make_intake(country="DE", subdivision="DE-BY", currency="EUR")
    a = assess(intake, as_of=date(2026, 1, 2), letter_date=date(2026, 1, 2))
    assert a.jurisdiction == "DE"
    assert "DE-BY" in a.response.calendar
    assert a.response.deadline == date(2026, 1, 19)  # 6 Jan (Epiphany) is a holiday in Bavaria


def test_contractual_interest_overrides_statutory():
    terms = {"interest": {"kind": "contractual", "rate_percent": "2"}, "agreement_reference": "MSA-1"}
    a = assess(make_intake(terms=terms), as_of=date(2026, 3, 22))
    assert a.interest.basis is Basis.contractual
    assert a.interest.rule_id == "contract"
    assert a.interest.total == Decimal("2.74")  # 1000 x 2% x 50/365
    assert a.compensation.total == Decimal("70.00")  # compensation is not a rate: still statutory


def test_no_interest_when_the_terms_say_none():
    a = assess(make_intake(terms={"interest": {"kind": "none"}}), as_of=date(2026, 3, 22))
    assert a.interest.basis is Basis.none
    assert a.interest.total == Decimal("0.00")


@pytest.mark.parametrize(
    ("late_fee", "expected"),
    [
        ({"amount": "25.00"}, "50.00"),
        ({"percent": "1.5"}, "33.75"),
        ({"amount": "10", "percent": "1"}, "42.50"),
    ],
)
def test_late_fees_replace_fixed_compensation(late_fee, expected):
    invoices = [
        {"number": "A", "issued_on": "2026-01-01", "due_on": "2026-01-31", "amount": "1000.00"},
        {
            "number": "B",
            "issued_on": "2026-01-01",
            "due_on": "2026-02-15",
            "amount": "1500.00",
            "paid": "250.00",
        },
        {"number": "C", "issued_on": "2026-03-01", "due_on": "2026-04-30", "amount": "900.00"},  # not yet due
    ]
    a = assess(make_intake(invoices=invoices, terms={"late_fee": late_fee}), as_of=date(2026, 3, 22))
    assert a.late_fees.basis is Basis.contractual
    assert a.late_fees.total == Decimal(expected)
    assert [row.number for row in a.late_fees.invoices] == ["A", "B"]
    assert a.compensation.total == Decimal("0.00") and a.compensation.rule_id is None
    assert "late fee" in (a.compensation.reason or "")


def test_gbp_tiers_do_not_apply_to_a_euro_debt():
    a = assess(make_intake(currency="EUR", terms={"governing_law": "GB-ENG"}), as_of=date(2026, 3, 22))
    assert a.compensation.total == Decimal("0.00")
    assert a.compensation.rule_id is None
    assert "GBP" in (a.compensation.reason or "") and "EUR" in (a.compensation.reason or "")
    assert a.small_claims.within is None


def test_governing_law_decides_interest_and_limitation_the_debtor_decides_deadlines():
    intake = make_intake(country="IE", subdivision=None, currency="EUR", terms={"governing_law": "DE"})
    a = assess(intake, as_of=date(2026, 3, 22), letter_date=date(2026, 3, 23))
    assert (a.jurisdiction, a.law_jurisdiction, a.law_basis) == ("IE", "DE", "governing_law")
    assert a.interest.rule_jurisdiction == "DE"
    assert a.interest.rates_percent == [Decimal("10.27")]
    assert a.compensation.total == Decimal("40.00")
    assert a.limitation.ends_on == date(2029, 12, 31)
    assert a.small_claims.rule_jurisdiction == "IE" and a.small_claims.ceiling is None
    assert a.response.product_default


def test_a_bare_country_as_governing_law_resolves_to_the_debtors_nation():
    a = assess(make_intake(subdivision="GB-SCT", terms={"governing_law": "GB"}), as_of=date(2026, 3, 22))
    assert a.law_jurisdiction == "GB-SCT"
    assert a.limitation.extinguishes is True


def test_unknown_jurisdiction_gives_reasons_not_exceptions():
    intake = make_intake(country="JP", subdivision=None, currency="JPY", invoices=[
        {"number": "J", "issued_on": "2026-01-01", "due_on": "2026-01-31", "amount": "100000"}
    ])  # fmt: skip
    a = assess(intake, as_of=date(2026, 3, 22), letter_date=date(2026, 3, 23))
    assert a.jurisdiction is None and a.law_jurisdiction is None
    for section in (a.interest, a.compensation, a.limitation, a.small_claims):
        assert section.rule_id is None
        assert "JP is not in rule pack 2026.02.1" in (section.reason or "")
    assert a.limitation.status is LimitationStatus.unknown
    assert a.interest.total == Decimal("0")
    assert a.response.product_default and a.response.deadline.weekday() < 5


def test_gaps_explain_missing_rules():
    intake = make_intake(country="CA", subdivision="CA-ON", currency="CAD")
    a = assess(intake, as_of=date(2026, 3, 22))
    assert a.interest.nature == "court_prejudgment"  # Ontario's table: quarters not recorded are stale
    assert any(w.code == "stale_rate" for w in a.warnings)
    assert a.small_claims.ceiling == Decimal("50000.00")
    old = assess(intake, as_of=date(2025, 9, 30))
    assert old.small_claims.ceiling == Decimal("35000.00")


@pytest.mark.parametrize(
    ("state", "natural_person", "ceiling"),
    [
        ("US-CA", False, "6250.00"),
        ("US-CA", True, "12500.00"),
        ("US-WA", False, "5000.00"),
        ("US-WA", True, "10000.00"),
    ],
)
def test_us_small_claims_depend_on_the_claimant(state, natural_person, ceiling):
    intake = make_intake(country="US", subdivision=state, currency="USD")
    a = assess(intake, as_of=date(2026, 3, 22), creditor_is_natural_person=natural_person)
    assert a.small_claims.ceiling == Decimal(ceiling)
    assert a.small_claims.currency == "USD"


def test_texas_interest_from_day_30_after_due():
    intake = make_intake(country="US", subdivision="US-TX", currency="USD")
    a = assess(intake, as_of=date(2026, 3, 22))
    (row,) = a.interest.invoices
    assert row.starts_on == date(2026, 3, 2) and row.days == 21
    assert a.interest.total == Decimal("3.45")  # 1000 x 6% x 21/365
    assert assess(intake, as_of=date(2026, 2, 20)).interest.invoices == []


def test_us_limitation_uses_the_shorter_goods_period_when_unsure():
    intake = make_intake(
        country="US", subdivision="US-NY", currency="USD", terms={"agreement_reference": "MSA"}
    )
    a = assess(intake, as_of=date(2026, 3, 22))
    assert a.limitation.years == 4
    assert "UCC" in (a.limitation.period_basis or "")


def test_part_payment_in_the_contact_log_restarts_english_limitation():
    invoices = [{"number": "OLD", "issued_on": "2019-05-01", "due_on": "2019-05-31", "amount": "500.00"}]
    log = [{"at": "2023-01-10T09:00:00Z", "channel": "phone", "outcome": "partial_payment"}]
    a = assess(make_intake(invoices=invoices, contact_log=log), as_of=date(2026, 2, 5))
    assert a.limitation.status is LimitationStatus.running
    assert (a.limitation.ends_on, a.limitation.restarted_on) == (date(2029, 1, 10), date(2023, 1, 10))
    barred = assess(make_intake(invoices=invoices), as_of=date(2026, 2, 5))
    assert barred.limitation.status is LimitationStatus.expired


def test_dated_payments_passed_in_restart_limitation():
    invoices = [{"number": "OLD", "issued_on": "2019-05-01", "due_on": "2019-05-31", "amount": "500.00"}]
    a = assess(
        make_intake(invoices=invoices), as_of=date(2026, 2, 5), payments=[(date(2023, 1, 10), Decimal(50))]
    )
    assert a.limitation.ends_on == date(2029, 1, 10)
    assert a.limitation.restarts[0].source == "payments:direct"


def test_oral_acknowledgement_counts_in_germany_but_not_in_england():
    invoices = [{"number": "OLD", "issued_on": "2021-05-01", "due_on": "2021-05-31", "amount": "500.00"}]
    log = [{"at": "2024-03-01T09:00:00Z", "channel": "phone", "outcome": "acknowledged"}]
    england = assess(make_intake(invoices=invoices, contact_log=log), as_of=date(2026, 2, 5))
    assert england.limitation.restarted_on is None
    assert england.limitation.restarts[0].event is RestartEvent.acknowledgement
    german = make_intake(country="DE", subdivision=None, currency="EUR", invoices=invoices, contact_log=log)
    germany = assess(german, as_of=date(2026, 2, 5))
    assert germany.limitation.restarted_on == date(2024, 3, 1)
    assert germany.limitation.ends_on == date(2027, 3, 1)


def test_written_promise_counts_only_where_the_rule_says_so():
    invoices = [{"number": "OLD", "issued_on": "2019-05-01", "due_on": "2019-05-31", "amount": "500.00"}]
    log = [{"at": "2023-06-01T09:00:00Z", "channel": "email", "outcome": "promised_to_pay"}]
    illinois = make_intake(
        country="US", subdivision="US-IL", currency="USD", invoices=invoices, contact_log=log
    )
    assert assess(illinois, as_of=date(2026, 2, 5)).limitation.restarted_on == date(2023, 6, 1)
    english = assess(make_intake(invoices=invoices, contact_log=log), as_of=date(2026, 2, 5))
    assert english.limitation.restarted_on is None


def test_scottish_prescription_reports_extinguished():
    invoices = [{"number": "OLD", "issued_on": "2019-05-01", "due_on": "2019-05-31", "amount": "500.00"}]
    a = assess(make_intake(subdivision="GB-SCT", invoices=invoices), as_of=date(2026, 2, 5))
    assert a.limitation.status is LimitationStatus.extinguished
    assert a.limitation.extinguishes is True


def test_one_barred_invoice_marks_the_case_and_each_invoice_is_listed():
    invoices = [
        {"number": "OLD", "issued_on": "2019-05-01", "due_on": "2019-05-31", "amount": "500.00"},
        {"number": "NEW", "issued_on": "2026-01-01", "due_on": "2026-01-31", "amount": "500.00"},
    ]
    a = assess(make_intake(invoices=invoices), as_of=date(2026, 2, 5))
    assert a.limitation.status is LimitationStatus.expired
    assert {row.number: row.status for row in a.limitation.invoices} == {
        "OLD": LimitationStatus.expired,
        "NEW": LimitationStatus.running,
    }


def test_amounts_are_decimals_at_the_minor_unit():
    intake = make_intake(country="IE", subdivision=None, currency="EUR", invoices=[
        {"number": "X", "issued_on": "2025-01-01", "due_on": "2025-05-01", "amount": "1234.56"}
    ])  # fmt: skip
    a = assess(intake, as_of=date(2026, 2, 5))
    for value in (a.interest.total, a.compensation.total, a.late_fees.total, a.interest.invoices[0].amount):
        assert isinstance(value, Decimal) and value.as_tuple().exponent == -2
    assert [s.rate_percent for s in a.interest.invoices[0].segments] == [
        Decimal("11.15"),
        Decimal("10.15"),
        Decimal("10.15"),
    ]
    assert a.compensation.total == Decimal("70.00")  # IE: > €1,000 and ≤ €10,000
