"""Partners' signed outcome webhooks through the gateway, and the ledger they build.

Cases reach `in_recovery` through the real workflow (real ASL, moto's interpreter). Each test
uses its own US state and partners serving only it, so routing never crosses tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from werkzeug.test import Client

from tests.integration.conftest import Api
from tests.integration.workflow_kit import (
    add_partner,
    case_in_recovery,
    collected,
    event,
    events_of,
    issue_secret,
    partner_key,
    signed,
)

pytestmark = pytest.mark.xdist_group("webhooks")


def post(api: Api, partner_id: str, payload: str, headers: dict[str, str]) -> Any:
    return api.as_key(None).call("POST", f"/v1/webhooks/partners/{partner_id}", data=payload, headers=headers)


def send(api: Api, partner_id: str, secret: str, body: dict[str, Any], webhook_id: str | None = None) -> Any:
    payload, headers = signed(secret, body, webhook_id)
    return post(api, partner_id, payload, headers)


def ledger_of(business: Api, case_id: str) -> dict[str, Any]:
    response = business.call("GET", f"/v1/cases/{case_id}/ledger")
    assert response.status_code == 200, response.json
    ledger: dict[str, Any] = response.json
    return ledger


def ledger_events(business: Api, case_id: str) -> list[dict[str, Any]]:
    return [e for e in events_of(business, case_id) if e["type"].startswith("ledger.")]


def test_unsigned_badly_signed_stale_or_unknown_partner_webhooks_get_401_and_record_nothing(
    operator: Api, business: Api, workflow_on: Callable[[float], None], table_items: Callable[[], int]
) -> None:
    workflow_on(0.1)
    case_id, agency = case_in_recovery(operator, business, "US-OR")
    secret = issue_secret(operator, agency)["secret"]
    body = collected(case_id, "100.00")
    payload, good = signed(secret, body)
    other_secret = "whsec_" + "A" * 32
    stale_payload, stale = signed(secret, body, at=datetime.now(UTC) - timedelta(minutes=6))
    _, wrong = signed(other_secret, body)
    before = table_items()

    responses = {
        "bad signature": post(business, agency, payload, wrong),
        "tampered body": post(business, agency, payload.replace("100.00", "900.00"), good),
        "stale timestamp": post(business, agency, stale_payload, stale),
        "unknown partner": post(business, "par_nobody", payload, good),
        "no headers": post(business, agency, payload, {"Content-Type": "application/json"}),
        "malformed signature": post(business, agency, payload, {**good, "webhook-signature": "garbage"}),
    }

    for name, response in responses.items():
        assert response.status_code == 401, name
        assert response.json["type"].endswith("/unauthorized"), name
        assert response.headers["Content-Type"] == "application/problem+json", name
    assert table_items() == before
    assert ledger_events(business, case_id) == []


def test_one_webhook_id_sent_five_times_is_recorded_once(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    workflow_on(0.1)
    case_id, agency = case_in_recovery(operator, business, "US-NV")
    secret = issue_secret(operator, agency)["secret"]
    body = collected(case_id, "250.00", reference="PAY-1")

    responses = [send(business, agency, secret, body, webhook_id="msg_redelivered_0001") for _ in range(5)]

    assert [r.status_code for r in responses] == [200] * 5
    assert [r.json["duplicate"] for r in responses] == [False, True, True, True, True]
    assert len(ledger_events(business, case_id)) == 1
    ledger = ledger_of(business, case_id)
    assert [e["kind"] for e in ledger["entries"]] == ["collected", "contingency_fee"]
    assert ledger["totals"]["collected"] == "250.00"
    assert ledger["totals"]["contingency_fees"] == "50.00"  # 20% (workflow_kit's terms)
    assert ledger["totals"]["net_to_creditor"] == "200.00"
    claim = business.call("GET", f"/v1/cases/{case_id}/assessment").json  # the claim counts it once too
    assert (claim["paid"], claim["principal"]) == ("250.00", "3750.00")
    assert claim["last_payment"]["source"] == "collected" and claim["last_payment"]["reference"] == "PAY-1"
    assert business.call("GET", f"/v1/cases/{case_id}").json["balance"] == "3750.00"


def test_fifty_concurrent_webhooks_on_one_case_give_an_exact_ledger(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    from handoff.local.server import application

    workflow_on(0.1)
    case_id, agency = case_in_recovery(operator, business, "US-AZ", amount="10000.00")
    secret = issue_secret(operator, agency)["secret"]
    amounts = [Decimal("10.00") + Decimal(n) / 100 for n in range(50)]  # 10.00 … 10.49

    def deliver(amount: Decimal) -> int:
        api = Api(Client(application))  # a client per thread
        status: int = send(api, agency, secret, collected(case_id, str(amount))).status_code
        return status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(deliver, amounts))

    assert statuses == [200] * 50
    ledger = ledger_of(business, case_id)
    totals = ledger["totals"]
    assert Decimal(totals["collected"]) == sum(amounts)
    assert Decimal(totals["balance"]) == Decimal("10000.00") - sum(amounts)
    assert len([e for e in ledger["entries"] if e["kind"] == "collected"]) == 50
    assert len(ledger_events(business, case_id)) == 50
    verified = business.call("GET", f"/v1/cases/{case_id}/verify").json
    assert verified["intact"] is True


def test_fifty_concurrent_outcomes_in_the_service_retry_on_conflict(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    """Bypass the gateway's one-at-a-time Lambda model: the optimistic-locking retries must hold."""
    from handoff.adapters.dynamodb import case_repository
    from handoff.adapters.webhook_secrets import claimed
    from handoff.domain.outcomes import outcome_event
    from handoff.services.partner_webhooks import record_outcome

    workflow_on(0.1)
    case_id, agency = case_in_recovery(operator, business, "US-CO", amount="10000.00")

    def record(n: int) -> bool:
        body = outcome_event.validate_python(collected(case_id, "1.00"))
        receipt = record_outcome(
            case_repository(), claimed, lambda _: None, agency, f"msg_direct_{n}", body, datetime.now(UTC)
        )
        return receipt.duplicate

    with ThreadPoolExecutor(max_workers=10) as pool:
        duplicates = list(pool.map(record, range(50)))

    assert duplicates == [False] * 50
    assert ledger_of(business, case_id)["totals"]["collected"] == "50.00"


def test_a_partner_cannot_post_about_another_partners_case(
    operator: Api, business: Api, workflow_on: Callable[[float], None], table_items: Callable[[], int]
) -> None:
    workflow_on(0.1)
    case_id, _agency = case_in_recovery(operator, business, "US-UT")
    intruder = add_partner(["US-UT"], "agency", "USD", capacity=0)  # never routed to
    secret = issue_secret(operator, intruder)["secret"]
    intruder_api = partner_key(operator, intruder)
    before = table_items()

    response = send(business, intruder, secret, collected(case_id, "100.00"))
    ledger = intruder_api.call("GET", f"/v1/assignments/{case_id}/ledger")

    assert response.status_code == 404
    assert ledger.status_code == 404
    assert table_items() == before


def test_wrong_currency_or_inexact_amounts_are_refused_and_nothing_is_recorded(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    workflow_on(0.1)
    case_id, agency = case_in_recovery(operator, business, "US-NM")
    secret = issue_secret(operator, agency)["secret"]
    euro = {**collected(case_id, "100.00")}
    euro["data"] = {**euro["data"], "currency": "EUR"}

    wrong_currency = send(business, agency, secret, euro)
    inexact = send(business, agency, secret, collected(case_id, "100.001"))
    unknown_field = send(business, agency, secret, collected(case_id, "1.00", surprise=True))
    unknown_type = send(business, agency, secret, event("payment.refunded", case_id=case_id))
    next_week = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    future = send(business, agency, secret, collected(case_id, "1.00", on=next_week))

    assert future.status_code == 422
    assert [p["name"] for p in future.json["invalid-params"]] == ["body.data.collected_on"]
    assert wrong_currency.status_code == 422
    assert [p["name"] for p in wrong_currency.json["invalid-params"]] == ["body.data.currency"]
    assert inexact.status_code == 422
    assert [p["name"] for p in inexact.json["invalid-params"]] == ["body.data.amount"]
    assert unknown_field.status_code == unknown_type.status_code == 422
    assert ledger_events(business, case_id) == []


def test_settlement_judgment_and_closure_move_the_case_and_fill_the_ledger(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    workflow_on(0.1)
    case_id, agency = case_in_recovery(operator, business, "US-MN")
    secret = issue_secret(operator, agency)["secret"]
    partner = partner_key(operator, agency)

    judged = send(
        business,
        agency,
        secret,
        event(
            "judgment.obtained",
            case_id=case_id,
            court="Hennepin County District Court",
            docket="27-CV-26-1234",
            amount="4000.00",
            interest="150.00",
            costs="350.00",
            currency="USD",
            date="2026-11-02",
        ),
    )
    settled = send(
        business,
        agency,
        secret,
        event(
            "settlement.agreed",
            case_id=case_id,
            amount="4200.00",
            currency="USD",
            instalments=[
                {"due_on": "2026-12-01", "amount": "2100.00"},
                {"due_on": "2027-01-01", "amount": "2100.00"},
            ],
        ),
    )
    noted = send(
        business, agency, secret, event("status.updated", case_id=case_id, code="S100", note="Debtor called")
    )
    paid = send(business, agency, secret, collected(case_id, "4500.00", on="2026-11-21"))
    partner_view = partner.call("GET", f"/v1/assignments/{case_id}/ledger")
    closed = send(business, agency, secret, event("case.closed", case_id=case_id, close_code="paid_in_full"))
    again = send(business, agency, secret, event("case.closed", case_id=case_id, close_code="paid_in_full"))

    assert judged.status_code == settled.status_code == noted.status_code == paid.status_code == 200
    assert (judged.json["status"], settled.json["status"], noted.json["status"]) == (
        "judgment",
        "settled",
        "settled",
    )
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert again.status_code == 404  # a closed case no longer takes outcomes (a new webhook-id)
    transitions = [
        e["data"]["to"] for e in events_of(business, case_id) if e["type"] == "case.status_changed"
    ]
    assert transitions[-4:] == ["judgment", "settled", "recovered", "closed"]
    assert partner_view.status_code == 200
    ledger = ledger_of(business, case_id)
    assert partner_view.json["totals"] == ledger["totals"]  # the partner sees the same figures
    totals = ledger["totals"]
    payment = next(e for e in ledger["entries"] if e["kind"] == "collected")
    assert payment["allocation"] == {"costs": "350.00", "interest": "150.00", "principal": "4000.00"}
    assert totals["balance"] == "0.00" and totals["overpayment"] == "0.00"
    assert totals["contingency_fees"] == "900.00"
    assert totals["net_to_creditor"] == "3600.00"
    assert [e["kind"] for e in ledger["entries"]][-1] == "closure"
    claim = business.call(
        "GET", f"/v1/cases/{case_id}/assessment"
    ).json  # the ledger's figures are the claim's
    assert claim["merged_into_judgment"] == "2026-11-02"
    assert (claim["balance"], claim["total"], claim["standing"]) == ("0.00", "0.00", "settled")
    [applied] = claim["payments"]
    assert (applied["costs"], applied["interest"], applied["principal"]) == ("350.00", "150.00", "4000.00")
    from handoff.adapters.partner_store import partner_repository

    assert partner_repository().get(agency).open_cases == 0  # closing freed the partner


def test_two_secrets_are_valid_during_rotation_and_a_retired_one_is_refused(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    workflow_on(0.1)
    case_id, agency = case_in_recovery(operator, business, "US-WI")
    first = issue_secret(operator, agency)
    second = issue_secret(operator, agency)

    with_first = send(business, agency, first["secret"], collected(case_id, "1.00"))
    with_second = send(business, agency, second["secret"], collected(case_id, "2.00"))
    third = issue_secret(operator, agency)
    retired = send(business, agency, first["secret"], collected(case_id, "3.00"))
    still_second = send(business, agency, second["secret"], collected(case_id, "4.00"))
    with_third = send(business, agency, third["secret"], collected(case_id, "5.00"))

    assert with_first.status_code == with_second.status_code == 200
    assert third["retired_secret_id"] == first["secret_id"] and second["retired_secret_id"] is None
    assert retired.status_code == 401
    assert still_second.status_code == with_third.status_code == 200
    assert ledger_of(business, case_id)["totals"]["collected"] == "12.00"


def test_webhook_secrets_are_issued_once_by_operators_and_stored_sealed(
    operator: Api, business: Api, local_aws: Any
) -> None:
    import base64

    import boto3

    agency = add_partner(["US-MI"], "agency", "USD")

    issued = issue_secret(operator, agency)
    by_business = business.call("POST", f"/v1/partners/{agency}/webhook-secrets")
    unknown = operator.call("POST", "/v1/partners/par_nobody/webhook-secrets")

    assert issued["secret"].startswith("whsec_")
    assert len(base64.b64decode(issued["secret"].removeprefix("whsec_"))) >= 24
    assert by_business.status_code == 403
    assert unknown.status_code == 404
    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoint)
    items = client.query(
        TableName=local_aws.table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues={":pk": {"S": f"PARTNER#{agency}"}, ":sk": {"S": "WEBHOOKSECRET#"}},
    )["Items"]
    assert len(items) == 1
    assert issued["secret"] not in json.dumps(items)
    assert issued["secret"].removeprefix("whsec_") not in json.dumps(items)
