"""The claim through the API: worked examples from FACTS.md and the statutes, each with its arithmetic."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from tests.integration.conftest import Api


def debtor(country: str, subdivision: str | None) -> dict[str, Any]:
    address = {"lines": ["1 Main Street"], "city": "Town", "country": country}
    if subdivision:
        address["subdivision"] = subdivision
    return {"legal_name": "Debtor Ltd", "entity_type": "company", "address": address}


def intake(
    country: str, subdivision: str | None, currency: str, due_on: str, amount: str = "1000.00", **terms: Any
) -> dict[str, Any]:
    return {
        "creditor_reference": f"REF-{uuid.uuid4().hex[:8]}",
        "debtor": debtor(country, subdivision),
        "currency": currency,
        "invoices": [{"number": "INV-1", "issued_on": "2019-01-01", "due_on": due_on, "amount": amount}],
        "terms": terms,
    }


def submit(business: Api, payload: dict[str, Any]) -> str:
    created = business.call("POST", "/v1/cases", json=payload, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.json
    return str(created.json["case_id"])


def assessment(business: Api, case_id: str, as_of: str) -> dict[str, Any]:
    response = business.call("GET", f"/v1/cases/{case_id}/assessment?as_of={as_of}")
    assert response.status_code == 200, response.json
    return dict(response.json)


def test_statutory_interest_exact_by_default_and_daily_for_a_tenant_that_chooses_it(
    operator: Api, business: Api, tenant_profile: dict[str, Any]
) -> None:
    # £1,000 x 11.75% x 50/365 = £16.0959 → £16.10 exact; £0.3219 a day → £0.32 x 50 = £16.00 daily.
    # Due 2026-01-31: interest from 1 Feb; 1 Feb..22 Mar = 28 + 22 = 50 days. BoE 3.75% on 31 Dec 2025 + 8.
    payload = intake("GB", "GB-ENG", "GBP", "2026-01-31")
    a = assessment(business, submit(business, payload), "2026-03-22")
    [row] = a["interest"]["invoices"]
    assert (row["days"], row["amount"], a["interest"]["rounding"]) == (50, "16.10", "exact")
    assert row["segments"][0]["daily_amount"] == "0.32"  # shown either way
    assert row["segments"][0]["reference_series"] == "BOE_BANK_RATE"
    assert row["segments"][0]["fixed_on"] == "2025-12-31"
    assert a["compensation"]["total"] == "70.00"  # £1,000 is in the £1,000-£9,999.99 tier
    assert a["total"] == "1086.10"

    daily_profile = copy.deepcopy(tenant_profile) | {"interest_rounding": "daily"}
    tenant = operator.call("POST", "/v1/tenants", json=daily_profile).json
    key = operator.call("POST", "/v1/api-keys", json={"kind": "business", "tenant_id": tenant["tenant_id"]})
    daily = operator.as_key(key.json["secret"])
    b = assessment(daily, submit(daily, payload), "2026-03-22")
    assert (b["interest"]["total"], b["interest"]["rounding"]) == ("16.00", "daily")


def test_a_part_payment_reported_through_the_api_restarts_english_limitation(business: Api) -> None:
    # Due 2019-05-31: six years (LA 1980 s.5) from 2019-06-01 end on 2025-06-01. A part payment on
    # 2023-01-10 starts them anew (s.29(5)): 2023-01-10 + 6 years = 2029-01-10.
    case_id = submit(business, intake("GB", "GB-ENG", "GBP", "2019-05-31", form="written"))
    assert assessment(business, case_id, "2026-02-05")["limitation"]["status"] == "expired"
    paid = business.call(
        "POST",
        f"/v1/cases/{case_id}/payments",
        json={"amount": "50.00", "paid_on": "2023-01-10"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert paid.status_code == 200, paid.json
    a = assessment(business, case_id, "2026-02-05")
    assert (a["limitation"]["status"], a["limitation"]["ends_on"]) == ("running", "2029-01-10")
    assert a["principal"] == "950.00"
    assert a["invoices"][0]["movements"][0]["on"] == "2023-01-10"


def test_a_dutch_written_demand_restarts_the_five_years(business: Api) -> None:
    # BW 3:307: five years from the day after due: due 2020-03-31 → last day 2025-04-01.
    # BW 3:317/3:319: a written demand on 2024-06-01 starts a new five years: last day 2029-06-01.
    case_id = submit(business, intake("NL", None, "EUR", "2020-03-31"))
    before = assessment(business, case_id, "2026-02-05")["limitation"]
    assert (before["status"], before["ends_on"]) == ("expired", "2025-04-01")
    recorded = business.call(
        "POST", f"/v1/cases/{case_id}/legal-events", json={"kind": "written_demand", "on": "2024-06-01"}
    )
    assert recorded.status_code == 201, recorded.json
    after = assessment(business, case_id, "2026-02-05")["limitation"]
    assert (after["status"], after["ends_on"], after["restarted_on"]) == (
        "running",
        "2029-06-01",
        "2024-06-01",
    )


def test_new_york_services_get_six_years_and_goods_four(business: Api) -> None:
    # Due 2021-01-31, accrued 2021-02-01. CPLR 213(2): 6 years → 2027-02-01, running on 2026-02-05.
    # NY UCC 2-725: 4 years → 2025-02-01, expired on 2026-02-05.
    services = assessment(
        business,
        submit(business, intake("US", "US-NY", "USD", "2021-01-31", subject="services", form="written")),
        "2026-02-05",
    )["limitation"]
    assert (services["years"], services["ends_on"], services["status"]) == (6, "2027-02-01", "running")
    assert services["period_statute"] == "NY CPLR 213(2)"
    goods = assessment(
        business,
        submit(business, intake("US", "US-NY", "USD", "2021-01-31", subject="goods", form="written")),
        "2026-02-05",
    )["limitation"]
    assert (goods["years"], goods["ends_on"], goods["status"]) == (4, "2025-02-01", "expired")


def test_unknown_facts_take_the_shorter_period_and_say_so(business: Api) -> None:
    # Illinois: written 10 years (13-206), unwritten 5 (13-205), goods 4 (UCC 2-725): unknown → 4.
    a = assessment(business, submit(business, intake("US", "US-IL", "USD", "2021-01-31")), "2026-02-05")
    assert a["limitation"]["years"] == 4
    assert {w["field"] for w in a["warnings"] if w["code"] == "assumed_fact"} == {
        "terms.form",
        "terms.subject",
    }


def test_a_barred_german_claim_carries_no_interest_and_english_interest_stops_at_the_bar(
    business: Api,
) -> None:
    # BGB §§195, 199: due 2021-05-31 → three years from 31 Dec 2021 → barred after 2024-12-31;
    # BGB §217: the interest is barred with it.
    german = assessment(business, submit(business, intake("DE", None, "EUR", "2021-05-31")), "2026-02-05")
    assert german["limitation"]["status"] == "expired"
    assert german["interest"]["total"] == "0.00"
    assert german["compensation"]["total"] == "0.00"
    # England: six years to 2025-06-01; interest runs 2019-06-01..2025-06-01 and no further.
    english = assessment(
        business, submit(business, intake("GB", "GB-ENG", "GBP", "2019-05-31", form="written")), "2026-02-05"
    )
    [row] = english["interest"]["invoices"]
    assert row["until"] == "2025-06-01" and row["daily_amount"] == "0.00"


def test_an_extinguished_scottish_debt_cannot_be_demanded(business: Api) -> None:
    # PL(S)A 1973 s.6: five years from 2019-06-01 → extinguished after 2024-06-01.
    case_id = submit(business, intake("GB", "GB-SCT", "GBP", "2019-05-31"))
    a = assessment(business, case_id, "2026-12-01")
    assert (a["standing"], a["interest"]["total"], a["compensation"]["total"]) == (
        "extinguished",
        "0.00",
        "0.00",
    )
    refused = business.call("POST", f"/v1/cases/{case_id}/documents", json={"kind": "demand_letter"})
    assert refused.status_code == 409
    assert "extinguished" in refused.json["detail"]


def test_a_quote_is_computed_without_storing_anything(business: Api) -> None:
    payload = intake("GB", "GB-ENG", "GBP", "2026-01-31")
    quote = business.call("POST", "/v1/assessments?as_of=2026-03-22", json=payload)
    assert quote.status_code == 200, quote.json
    assert quote.json["assessment"]["interest"]["total"] == "16.10"
    assert quote.json["routing"]["outcome"] in {"partner_selected", "manual_review"}
    assert business.call("GET", "/v1/cases").json["items"] == []


def test_a_judgment_replaces_the_claims_charges_with_what_the_court_awarded(business: Api) -> None:
    # Before: £1,000 due 2026-01-31, statutory interest and £70 compensation (E&W).
    case_id = submit(business, intake("GB", "GB-ENG", "GBP", "2026-01-31", form="written"))
    assert assessment(business, case_id, "2026-06-30")["compensation"]["total"] == "70.00"
    judgment = {
        "kind": "judgment",
        "on": "2026-07-01",
        "note": "County Court at Leeds",
        "reference": "K1LS0001",
        "amount": "1000.00",
        "interest": "60.25",
        "costs": "115.00",
    }

    recorded = business.call("POST", f"/v1/cases/{case_id}/legal-events", json=judgment)
    after = assessment(business, case_id, "2026-07-15")

    assert recorded.status_code == 201, recorded.json
    assert after["merged_into_judgment"] == "2026-07-01"
    assert (after["judgment_interest"], after["judgment_costs"]) == ("60.25", "115.00")
    assert (after["interest"]["total"], after["compensation"]["total"]) == ("0.00", "0.00")
    assert after["balance"] == after["total"] == "1175.25"
    assert after["limitation"]["status"] == "judgment"
    assert assessment(business, case_id, "2026-06-30")["merged_into_judgment"] is None  # as of before it


def test_a_legal_event_carries_only_what_its_kind_can(business: Api) -> None:
    case_id = submit(business, intake("GB", "GB-ENG", "GBP", "2026-01-31"))

    acknowledged = business.call(
        "POST",
        f"/v1/cases/{case_id}/legal-events",
        json={"kind": "acknowledgement", "on": "2026-03-01", "amount": "10.00"},
    )
    inexact = business.call(
        "POST",
        f"/v1/cases/{case_id}/legal-events",
        json={"kind": "judgment", "on": "2026-03-01", "costs": "10.001"},
    )

    assert acknowledged.status_code == inexact.status_code == 422
    assert [p["name"] for p in acknowledged.json["invalid-params"]] == ["body.amount"]
    assert [p["name"] for p in inexact.json["invalid-params"]] == ["body.costs"]
    events = business.call("GET", f"/v1/cases/{case_id}/events").json["items"]
    assert [e["type"] for e in events] == ["case.submitted"]  # nothing written
