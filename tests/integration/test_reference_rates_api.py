"""Reference rates through the API: operators record fixings, letters refuse assumed rates (409),
businesses confirm them per case, and the workflow holds rather than fails."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

from handoff.domain.clock import utcnow
from handoff.local.aws import LocalAws
from tests.conftest import EXAMPLES, load_example
from tests.integration.conftest import Api
from tests.integration.workflow_kit import (
    events_of,
    ready_case,
    submit,
    wait_for_status,
    wait_until,
)

pytestmark = pytest.mark.xdist_group("reference_rates")  # they record fixings every claim reads

TEST_VALUE = {"source": "test fixture, not a published rate", "verification": "unverified"}
KEEP = {"BOE_BANK_RATE#2026-06-30"}  # recorded for the whole session (conftest)


@pytest.fixture(autouse=True)
def forget_recorded_fixings(local_aws: LocalAws) -> Iterator[None]:
    """Each test starts from the seed (and the session's fixing), and leaves it so."""
    yield
    from handoff.handlers.wiring import maintained_rates

    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoint)
    items = client.query(
        TableName=local_aws.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "RATES"}},
    )["Items"]
    for item in items:
        if item["sk"]["S"] not in KEEP:
            client.delete_item(TableName=local_aws.table, Key={"pk": item["pk"], "sk": item["sk"]})
    maintained_rates().forget()


def german_case(due_on: str = "2026-05-31") -> dict[str, Any]:
    return {
        "creditor_reference": f"DE-{uuid.uuid4().hex[:8]}",
        "debtor": {
            "legal_name": "Schuldner GmbH",
            "entity_type": "company",
            "address": {"lines": ["Hauptstr. 1"], "city": "München", "postal_code": "80331", "country": "DE"},
        },
        "currency": "EUR",
        "invoices": [{"number": "R-1", "issued_on": "2026-05-01", "due_on": due_on, "amount": "1000.00"}],
        "terms": {"governing_law": "DE"},
    }


def put(operator: Api, series: str, day: str, **body: Any) -> Any:
    return operator.call("PUT", f"/v1/reference-rates/{series}/{day}", json=body)


def test_an_operator_records_a_fixing_with_its_source_and_the_series_lists_it(
    operator: Api, business: Api
) -> None:
    first = put(operator, "DE_BASISZINSSATZ", "2026-07-01", value="9.99", **TEST_VALUE)
    again = put(operator, "DE_BASISZINSSATZ", "2026-07-01", value="9.99", **TEST_VALUE)
    corrected = put(operator, "DE_BASISZINSSATZ", "2026-07-01", value="8.88", **TEST_VALUE)
    series = business.call("GET", "/v1/reference-rates/DE_BASISZINSSATZ")

    assert first.status_code == 201, first.json
    assert first.json["recorded_by"].startswith("operator:")
    assert (first.json["value"], first.json["source"], first.json["changed"]) == (
        "9.99",
        TEST_VALUE["source"],
        True,
    )
    assert first.json["recorded_through"] == "2026-12-31"  # BGB §247: the 1 Jul value holds for the half-year
    assert (again.status_code, again.json["changed"], again.json["revisions"]) == (200, False, [])
    assert (corrected.status_code, corrected.json["value"]) == (200, "8.88")
    assert [r["value"] for r in corrected.json["revisions"]] == ["9.99"]  # kept, never lost
    assert series.status_code == 200
    latest = series.json["fixings"][-1]
    assert (latest["effective_from"], latest["value"], latest["origin"]) == ("2026-07-01", "8.88", "recorded")
    assert series.json["fixings"][0]["origin"] == "seed"
    assert series.json["recorded_through"] == "2026-12-31"
    assert [r["value"] for r in series.json["revisions"]["2026-07-01"]] == ["9.99"]
    listed = {s["series"]: s for s in operator.call("GET", "/v1/reference-rates").json["items"]}
    assert listed["DE_BASISZINSSATZ"]["latest"]["value"] == "8.88"
    assert listed["FL_CFO_JUDGMENT"]["coverage"] == "per_period"


def test_recorded_fixings_take_precedence_over_the_seed_in_the_claim(operator: Api, business: Api) -> None:
    case_id = submit(business, german_case())
    before = business.call("GET", f"/v1/cases/{case_id}/assessment?as_of=2026-09-30").json

    put(operator, "DE_BASISZINSSATZ", "2026-07-01", value="9.99", **TEST_VALUE)
    after = business.call("GET", f"/v1/cases/{case_id}/assessment?as_of=2026-09-30").json

    stale = [w for w in before["warnings"] if w["code"] == "stale_rate"]
    assert [(w["series"], w["period_from"], w["period_to"], w["assumed_percent"]) for w in stale] == [
        ("DE_BASISZINSSATZ", "2026-07-01", "2026-09-30", "1.27")
    ]
    assert [w for w in after["warnings"] if w["code"] == "stale_rate"] == []
    segments = after["interest"]["invoices"][0]["segments"]
    assert [(s["from_date"], s["rate_percent"], s["stale"]) for s in segments] == [
        ("2026-06-01", "10.27", False),
        ("2026-07-01", "18.99", False),  # the recorded 9.99 + 9pp (BGB §288(2))
    ]
    # €1,000 x 10.27% x 30/365 + €1,000 x 18.99% x 92/365 = 8.4411 + 47.8652 = 56.3063 → 56.31
    assert after["interest"]["total"] == "56.31"


REFUSED = [
    ("NO_SUCH_SERIES", "2026-07-01", {"value": "1.00"}, "path.series"),
    ("boe_bank_rate", "2026-07-01", {"value": "1.00"}, "path.series"),
    ("BOE_BANK_RATE", "2026-13-01", {"value": "1.00"}, "path.effective_from"),
    ("BOE_BANK_RATE", "2026-07-01", {"value": 3.75}, "body.value"),
    ("BOE_BANK_RATE", "2026-07-01", {"value": "3,75"}, "body.value"),
    ("BOE_BANK_RATE", "2026-07-01", {"value": "abc"}, "body.value"),
    ("BOE_BANK_RATE", "2026-07-01", {"value": "250"}, "body.value"),
    ("BOE_BANK_RATE", "2026-07-01", {"value": "1.00", "through": "2026-06-01"}, "body.through"),
    ("BOE_BANK_RATE", "2026-07-01", {"value": "1.00", "colour": "red"}, "body.colour"),
    ("BOE_BANK_RATE", "2026-07-01", {"value": "1.00", "source": None}, "body.source"),
    ("DE_BASISZINSSATZ", "2026-07-02", {"value": "1.00"}, "path.effective_from"),
]


@pytest.mark.parametrize(("series", "day", "body", "field"), REFUSED)
def test_a_bad_fixing_is_refused_naming_the_field_and_nothing_is_written(
    operator: Api, table_items: Callable[[], int], series: str, day: str, body: dict[str, Any], field: str
) -> None:
    payload = {"source": "test", **body}
    if payload["source"] is None:
        del payload["source"]
    before = table_items()

    response = operator.call("PUT", f"/v1/reference-rates/{series}/{day}", json=payload)

    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in [p["name"] for p in response.json["invalid-params"]]
    assert table_items() == before


def test_a_fixing_far_in_the_future_is_refused(operator: Api, table_items: Callable[[], int]) -> None:
    later = (utcnow().date() + timedelta(days=60)).isoformat()
    before = table_items()
    response = put(operator, "ECB_MRO", later, value="2.40", source="test")
    assert response.status_code == 422
    assert [p["name"] for p in response.json["invalid-params"]] == ["path.effective_from"]
    assert table_items() == before


def test_a_letter_that_would_assume_a_rate_is_refused_until_the_business_confirms_it(business: Api) -> None:
    case_id = submit(business, german_case())
    today = utcnow().date().isoformat()

    refused = business.call("POST", f"/v1/cases/{case_id}/documents", json={"kind": "demand_letter"})
    statement = business.call("POST", f"/v1/cases/{case_id}/documents", json={"kind": "statement_of_account"})

    assert refused.status_code == 409 and statement.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json["type"].endswith("/stale-rate")
    assert refused.json["stale_rates"] == [
        {
            "series": "DE_BASISZINSSATZ",
            "period_from": "2026-07-01",
            "period_to": today,
            "assumed_percent": "1.27",
        }
    ]
    assert f"/v1/cases/{case_id}/rate-confirmations" in refused.json["detail"]
    assert business.call("GET", f"/v1/cases/{case_id}/documents").json["items"] == []

    confirmed = business.call(
        "POST", f"/v1/cases/{case_id}/rate-confirmations", json={"series": "DE_BASISZINSSATZ", "note": "ok"}
    )
    letter = business.call("POST", f"/v1/cases/{case_id}/documents", json={"kind": "demand_letter"})

    assert confirmed.status_code == 201, confirmed.json
    assert confirmed.json["confirmed"] == [
        {
            "series": "DE_BASISZINSSATZ",
            "period_from": "2026-07-01",
            "period_to": today,
            "assumed_percent": "1.27",
        }
    ]
    assert [w["confirmed"] for w in confirmed.json["warnings"] if w["code"] == "stale_rate"] == [True]
    assert letter.status_code == 201, letter.json
    recorded = [e for e in events_of(business, case_id) if e["type"] == "rate.confirmed"]
    assert recorded and recorded[0]["data"]["periods"][0]["assumed_percent"] == "1.27"
    assert recorded[0]["actor"].startswith("business:")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"series": "NO_SUCH"}, 422, "body.series"),
        ({"series": "DE_BASISZINSSATZ", "period_to": "2999-01-01"}, 422, "body.period_to"),
        (
            {"series": "DE_BASISZINSSATZ", "period_from": "2026-09-01", "period_to": "2026-08-01"},
            422,
            "body.period_from",
        ),
        ({"series": "DE_BASISZINSSATZ", "extra": 1}, 422, "body.extra"),
        ({"series": "BOE_BANK_RATE"}, 409, None),  # the German claim assumes no Bank Rate
        ({"series": "DE_BASISZINSSATZ", "period_from": "2026-07-01", "period_to": "2026-07-31"}, 409, None),
    ],
)
def test_a_confirmation_that_confirms_nothing_is_refused(
    business: Api, body: dict[str, Any], status: int, field: str | None
) -> None:
    case_id = submit(business, german_case())
    response = business.call("POST", f"/v1/cases/{case_id}/rate-confirmations", json=body)

    assert response.status_code == status, response.json
    if field:
        assert field in [p["name"] for p in response.json["invalid-params"]]
    assert [e for e in events_of(business, case_id) if e["type"] == "rate.confirmed"] == []


def stale_hold(business: Api, case_id: str) -> dict[str, Any] | None:
    for event in reversed(events_of(business, case_id)):
        if event["type"] == "case.status_changed" and event["data"].get("to") == "on_hold":
            reasons: list[dict[str, Any]] = event["data"].get("reasons") or []
            return next((r for r in reasons if r["code"] == "stale_rate"), None)
    return None


def test_the_workflow_holds_a_case_whose_rate_is_not_recorded_and_a_recorded_fixing_releases_it(
    operator: Api, business: Api, workflow_on: Callable[..., None]
) -> None:
    workflow_on(0.2)
    payload = load_example("cases/globex-muller-de.json")  # interest runs on past 30 Jun 2026
    case_id = ready_case(business, payload)

    hold = wait_until(lambda: stale_hold(business, case_id), 60, "a stale_rate hold")
    case = business.call("GET", f"/v1/cases/{case_id}").json
    recorded = put(operator, "DE_BASISZINSSATZ", "2026-07-01", value="9.99", **TEST_VALUE)

    assert (hold["series"], hold["period_from"], hold["assumed_percent"]) == (
        "DE_BASISZINSSATZ",
        "2026-07-01",
        "1.27",
    )
    assert case["status"] == "on_hold"
    assert recorded.status_code == 201 and recorded.json["released_cases"] >= 1
    wait_for_status(business, case_id, "demand_issued", timeout=60)
    released = [e for e in events_of(business, case_id) if e["data"].get("reason") == "hold released"]
    assert released and released[-1]["data"]["previous"] == ["stale_rate"]


def test_a_confirmation_releases_a_case_held_for_its_rate(
    business: Api, workflow_on: Callable[..., None]
) -> None:
    workflow_on(0.2)
    case_id = ready_case(business, load_example("cases/globex-muller-de.json"))
    wait_until(lambda: stale_hold(business, case_id), 60, "a stale_rate hold")

    confirmed = business.call(
        "POST", f"/v1/cases/{case_id}/rate-confirmations", json={"series": "DE_BASISZINSSATZ"}
    )

    assert confirmed.status_code == 201, confirmed.json
    wait_for_status(business, case_id, "demand_issued", timeout=60)


def test_the_import_command_records_a_published_table_into_a_table(
    operator: Api, local_aws: LocalAws, capsys: pytest.CaptureFixture[str]
) -> None:
    from handoff.handlers.wiring import maintained_rates
    from handoff.local.__main__ import main

    sample = EXAMPLES / "reference-rates" / "bundesbank-basiszinssatz-BBK01.SU0115.csv"
    args = ["rates", "import", str(sample), "--series", "DE_BASISZINSSATZ"]
    args += ["--table", local_aws.table, "--endpoint-url", local_aws.endpoint, "--recorded-by", "cli:test"]

    first = main(args)
    first_out = capsys.readouterr().out
    second = main(args)
    second_out = capsys.readouterr().out
    maintained_rates().forget()  # the command wrote the table itself, not through this process's API
    series = operator.call("GET", "/v1/reference-rates/DE_BASISZINSSATZ").json

    assert (first, second) == (0, 0)
    assert "20 values read, 0 rows with no value, 0 refused" in first_out
    assert "DE_BASISZINSSATZ 2016-07-01..2022-12-31" in first_out and "recorded" in first_out
    assert second_out.count("unchanged") == 7 and "  recorded" not in second_out.replace("is recorded", "")
    recorded = [f for f in series["fixings"] if f["origin"] == "recorded"]
    assert len(recorded) == 7 and {f["recorded_by"] for f in recorded} == {"cli:test"}
    assert recorded[0]["source"].startswith("Deutsche Bundesbank time series BBK01.SU0115")
    assert recorded[0]["through"] == "2022-12-31"


def test_the_import_command_records_nothing_when_a_row_cannot_be_read(
    local_aws: LocalAws, tmp_path: Any, table_items: Callable[[], int], capsys: pytest.CaptureFixture[str]
) -> None:
    from handoff.local.__main__ import main

    broken = tmp_path / "boe.csv"
    lines = (EXAMPLES / "reference-rates" / "boe-bank-rate-IUDBEDR.csv").read_text().splitlines()
    lines[13] = "17 Dec 2025,4.0O"  # a letter O for a zero
    broken.write_text("\n".join(lines))
    before = table_items()

    code = main(
        ["rates", "import", str(broken), "--table", local_aws.table, "--endpoint-url", local_aws.endpoint]
    )

    out = capsys.readouterr().out
    assert code == 1
    assert "line 14: '4.0O' is not a number" in out
    assert "nothing recorded" in out
    assert table_items() == before


def test_interest_for_a_recorded_value_appears_in_the_letter_figures(operator: Api, business: Api) -> None:
    case_id = submit(business, german_case())
    put(operator, "DE_BASISZINSSATZ", "2026-07-01", value="1.27", source="test: the value assumed so far")
    claim = business.call("GET", f"/v1/cases/{case_id}/assessment").json
    today = date.fromisoformat(claim["as_of"])
    days = (today - date(2026, 6, 1)).days + 1
    expected = (Decimal(1000) * Decimal("10.27") * days / (100 * 365)).quantize(Decimal("0.01"))
    assert claim["interest"]["total"] == str(expected)
    assert (
        business.call("POST", f"/v1/cases/{case_id}/documents", json={"kind": "demand_letter"}).status_code
        == 201
    )


def test_a_rate_that_turns_stale_after_the_demand_holds_the_case_at_routing_instead_of_failing(
    operator: Api, business: Api, workflow_on: Callable[..., None]
) -> None:
    workflow_on(0.4)
    payload = load_example("cases/globex-muller-de.json")
    case_id = ready_case(business, payload)
    wait_until(lambda: stale_hold(business, case_id), 60, "a stale_rate hold")
    business.call("POST", f"/v1/cases/{case_id}/rate-confirmations", json={"series": "DE_BASISZINSSATZ"})
    wait_for_status(business, case_id, "demand_issued", timeout=60)

    # While the debtor's window runs, an operator corrects the 1 Jan 2026 value (a test value): the
    # value assumed from 1 Jul is no longer the one Globex confirmed, so the referral letter cannot go.
    corrected = put(operator, "DE_BASISZINSSATZ", "2026-01-01", value="9.99", **TEST_VALUE)
    held = wait_for_status(business, case_id, "on_hold", timeout=60)

    assert corrected.status_code == 201
    assert held["status"] == "on_hold"
    hold = stale_hold(business, case_id)
    assert hold is not None and (hold["period_from"], hold["assumed_percent"]) == ("2026-07-01", "9.99")
    assert [e for e in events_of(business, case_id) if e["type"] == "routing.decided"] == []
    assert "failed" not in [e["data"].get("to") for e in events_of(business, case_id)]
