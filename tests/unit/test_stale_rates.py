"""A day whose reference value is not recorded: the claim says so, and a confirmation covers it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from handoff.domain.claim import ClaimOptions, RateConfirmation, claim_as_of
from handoff.domain.jurisdictions.pack import Verification, rule_pack
from handoff.domain.models import CaseIntake
from handoff.domain.money import rounded
from handoff.domain.reference_rates import RecordedFixing, with_recorded


def intake(country: str, subdivision: str | None, currency: str, due_on: str) -> CaseIntake:
    address: dict[str, Any] = {"lines": ["1 Main Street"], "city": "Town", "country": country}
    if subdivision:
        address["subdivision"] = subdivision
    return CaseIntake.model_validate(
        {
            "creditor_reference": "REF-1",
            "debtor": {"legal_name": "Debtor Ltd", "entity_type": "company", "address": address},
            "currency": currency,
            "invoices": [
                {"number": "INV-1", "issued_on": "2018-01-01", "due_on": due_on, "amount": "1000.00"}
            ],
            "terms": {},
        }
    )


def recorded(series: str, day: str, value: str) -> RecordedFixing:
    return RecordedFixing(
        series=series,
        effective_from=date.fromisoformat(day),
        value=Decimal(value),
        source="test fixture, not a published rate",
        verification=Verification.unverified,
        recorded_by="operator:test",
        recorded_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def stale_of(claim: Any) -> list[tuple[str | None, date | None, date | None, Decimal | None, bool]]:
    return [
        (w.series, w.period_from, w.period_to, w.assumed_percent, w.confirmed)
        for w in claim.warnings
        if w.code == "stale_rate"
    ]


GB_H2_2026 = intake("GB", "GB-ENG", "GBP", "2026-08-15")  # interest from 16 Aug: Bank Rate on 30 Jun 2026


def test_uk_interest_starting_after_an_unrecorded_fixing_date_warns_with_the_value_it_assumes() -> None:
    claim = claim_as_of(GB_H2_2026, None, date(2026, 10, 1))

    assert stale_of(claim) == [
        ("BOE_BANK_RATE", date(2026, 6, 30), date(2026, 6, 30), Decimal("3.75"), False)
    ]
    assert claim.unconfirmed_stale_rates
    [segment] = claim.interest.invoices[0].segments
    assert (segment.rate_percent, segment.fixed_on, segment.stale) == (
        Decimal("11.75"),
        date(2026, 6, 30),
        True,
    )


def test_once_the_fixing_is_recorded_the_claim_uses_it_and_stops_warning() -> None:
    pack = with_recorded(rule_pack(), [recorded("BOE_BANK_RATE", "2026-06-30", "3.75")])
    claim = claim_as_of(GB_H2_2026, None, date(2026, 10, 1), pack=pack)

    assert stale_of(claim) == []
    # £1,000 x 11.75% x 47 days (16 Aug..1 Oct) / 365 = £15.1301… → £15.13
    assert claim.interest.total == Decimal("15.13")


def test_a_confirmation_covers_the_assumed_value_and_only_that_value() -> None:
    confirmed = ClaimOptions(
        confirmed_rates=[
            RateConfirmation(
                series="BOE_BANK_RATE",
                period_from=date(2026, 2, 6),
                period_to=date(2026, 10, 1),
                assumed_percent=Decimal("3.75"),
            )
        ]
    )
    claim = claim_as_of(GB_H2_2026, None, date(2026, 10, 1), options=confirmed)
    assert stale_of(claim) == [("BOE_BANK_RATE", date(2026, 6, 30), date(2026, 6, 30), Decimal("3.75"), True)]
    assert claim.unconfirmed_stale_rates == []

    # An operator then records a change on 19 Mar 2026 (test value): 30 June is still not recorded,
    # and the value assumed for it is no longer the one the business confirmed.
    pack = with_recorded(rule_pack(), [recorded("BOE_BANK_RATE", "2026-03-19", "3.50")])
    again = claim_as_of(GB_H2_2026, None, date(2026, 10, 1), options=confirmed, pack=pack)
    assert stale_of(again) == [
        ("BOE_BANK_RATE", date(2026, 6, 30), date(2026, 6, 30), Decimal("3.50"), False)
    ]


def test_a_rate_that_follows_the_series_is_stale_only_for_the_days_not_recorded() -> None:
    # Germany: base rate + 9pp day by day (BGB §288(2)); 1.27% is recorded through 30 Jun 2026.
    # Due 31 May: 1 Jun..30 Sep = 122 days at 10.27%: €1,000 x 10.27% x 122 / 365 = 34.3265… → 34.33.
    claim = claim_as_of(intake("DE", None, "EUR", "2026-05-31"), None, date(2026, 9, 30))

    segments = claim.interest.invoices[0].segments
    assert [(s.from_date, s.to_date, s.stale) for s in segments] == [
        (date(2026, 6, 1), date(2026, 6, 30), False),
        (date(2026, 7, 1), date(2026, 9, 30), True),
    ]
    assert stale_of(claim) == [
        ("DE_BASISZINSSATZ", date(2026, 7, 1), date(2026, 9, 30), Decimal("1.27"), False)
    ]
    assert claim.interest.total == Decimal("34.33")


def test_a_sparse_quarterly_table_warns_for_each_quarter_it_does_not_list() -> None:
    # Florida (§55.03): the CFO's rate quarter by quarter. Q1 and Q2 2019 are not in the table (6.09%
    # of Q4 2018 is assumed); Q3 2019 is 6.77%. Interest from 1 Jan to 30 Sep 2019 on $1,000:
    # 181 days at 6.09% + 92 days at 6.77% = 30.1997… + 17.0640… = 47.2637… → 47.26.
    claim = claim_as_of(intake("US", "US-FL", "USD", "2018-12-31"), None, date(2019, 9, 30))

    assert stale_of(claim) == [
        ("FL_CFO_JUDGMENT", date(2019, 1, 1), date(2019, 6, 30), Decimal("6.09"), False)
    ]
    expected = Decimal(1000) * (Decimal("6.09") * 181 + Decimal("6.77") * 92) / (100 * 365)
    assert claim.interest.total == rounded(expected, "USD") == Decimal("47.26")


def test_ontario_takes_the_rate_of_the_quarter_interest_starts_and_warns_when_it_is_not_recorded() -> None:
    unrecorded = claim_as_of(intake("CA", "CA-ON", "CAD", "2024-04-30"), None, date(2024, 9, 30))
    assert stale_of(unrecorded) == [
        ("ON_PREJUDGMENT", date(2024, 5, 1), date(2024, 5, 1), Decimal("0.5"), False)
    ]

    recorded_quarter = claim_as_of(intake("CA", "CA-ON", "CAD", "2026-04-09"), None, date(2026, 7, 18))
    assert stale_of(recorded_quarter) == []
    # Q2 2026: 2.5% (secondary source). 10 Apr..18 Jul = 100 days: $1,000 x 2.5% x 100 / 365 = 6.849… → 6.85
    assert recorded_quarter.interest.total == Decimal("6.85")
