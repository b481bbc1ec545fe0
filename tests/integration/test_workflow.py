"""The case workflow end to end on the real ASL file, run by moto's Step Functions interpreter.

Each test uses its own US state as the debtor's jurisdiction and its own partners serving
only that state, so routing in one test never sees another test's partners.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests

from handoff.local.aws import LocalAws, register_function
from tests.integration.conftest import Api
from tests.integration.workflow_kit import (
    add_partner,
    events_of,
    partner_key,
    ready_case,
    submit,
    us_case,
    wait_for_status,
    waiting_for,
)

pytestmark = pytest.mark.xdist_group("workflow")


def statuses(business: Api, case_id: str) -> list[str]:
    return [e["data"]["to"] for e in events_of(business, case_id) if e["type"] == "case.status_changed"]


def test_small_case_goes_to_an_agency_that_accepts(
    operator: Api, business: Api, workflow_on: Callable[[float], None], local_aws: LocalAws
) -> None:
    agency = add_partner(["US-CA"], "agency", "USD", ("0", "10000"))
    add_partner(["US-CA"], "agency", "USD", ("10000", None))  # band does not fit
    payload = us_case("US-CA", "4000.00")
    workflow_on(0.1)  # response window: a few seconds

    case_id = ready_case(business, payload)
    waiting_for(business, case_id, "partner_acceptance")
    accepted = partner_key(operator, agency).call("POST", f"/v1/assignments/{case_id}/accept")
    case = wait_for_status(business, case_id, "in_recovery")

    assert accepted.status_code == 200
    assert statuses(business, case_id) == [
        "on_hold",
        "submitted",
        "packet_ready",
        "demand_issued",
        "routing",
        "assigned",
        "accepted",
        "in_recovery",
    ]
    decided = next(e for e in events_of(business, case_id) if e["type"] == "routing.decided")
    assert decided["data"]["partner_id"] == agency
    assert decided["data"]["rule_id"] == "agency-default"
    kinds = {e["data"]["kind"] for e in events_of(business, case_id) if e["type"] == "document.generated"}
    assert kinds == {"statement_of_account", "demand_letter", "agency_placement"}
    assert case["status"] == "in_recovery"
    partner = partner_key(operator, agency)
    in_recovery = partner.call("GET", "/v1/assignments?status=in_recovery").json["items"]
    assigned = partner.call("GET", "/v1/assignments?status=assigned").json["items"]
    assert [c["case_id"] for c in in_recovery] == [case_id] and assigned == []
    case_file = partner.call("GET", f"/v1/assignments/{case_id}").json
    assert {e["kind"] for e in case_file["evidence"]} == {"invoice", "terms", "proof_of_delivery"}
    assert "agency_placement" in {d["kind"] for d in case_file["documents"]}
    assert case_file["creditor"]["legal_name"] == "Acme Supplies Ltd"
    packet = partner.call("GET", f"/v1/assignments/{case_id}/packet").json
    assert requests.get(packet["url"], timeout=30).content[:2] == b"PK"
    placement = next(d for d in case_file["documents"] if d["kind"] == "agency_placement")
    link = partner.call("GET", f"/v1/assignments/{case_id}/documents/{placement['document_id']}").json
    assert hashlib.sha256(requests.get(link["url"], timeout=30).content).hexdigest() == placement["sha256"]
    downloads = [e for e in events_of(business, case_id) if e["type"] == "packet.downloaded"]
    assert downloads[-1]["actor"].startswith("agency:")


def test_large_case_goes_to_an_attorney(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    add_partner(["US-NY"], "agency", "USD")
    attorney = add_partner(["US-*"], "attorney", "USD", priority=1)
    workflow_on(0.1)

    case_id = ready_case(business, us_case("US-NY", "25000.00"))
    waiting_for(business, case_id, "partner_acceptance")

    decided = next(e for e in events_of(business, case_id) if e["type"] == "routing.decided")
    assert decided["data"]["rule_id"] == "attorney-escalation"
    assert decided["data"]["partner_type"] == "attorney"
    assert status_is(business, case_id, "assigned")
    assert attorney in decided["data"]["ranking"] or decided["data"]["partner_id"] is not None


def status_is(business: Api, case_id: str, status: str) -> bool:
    return bool(business.call("GET", f"/v1/cases/{case_id}").json["status"] == status)


def test_first_partner_declines_and_the_case_is_rerouted(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    first = add_partner(["US-TX"], "agency", "USD", priority=1)
    second = add_partner(["US-TX"], "agency", "USD", priority=2)
    workflow_on(0.1)

    case_id = ready_case(business, us_case("US-TX"))
    waiting_for(business, case_id, "partner_acceptance")
    declined = partner_key(operator, first).call(
        "POST", f"/v1/assignments/{case_id}/decline", json={"reason": "conflict of interest"}
    )
    waiting_for(business, case_id, "partner_acceptance")
    partner_key(operator, second).call("POST", f"/v1/assignments/{case_id}/accept")
    wait_for_status(business, case_id, "in_recovery")

    assert declined.status_code == 200
    decisions = [
        e["data"]["partner_id"] for e in events_of(business, case_id) if e["type"] == "routing.decided"
    ]
    assert decisions == [first, second]
    assert partner_key(operator, first).call("GET", f"/v1/assignments/{case_id}").status_code == 404


def test_no_matching_partner_goes_to_the_review_queue_and_an_operator_assigns_it(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    workflow_on(0.1)
    case_id = ready_case(business, us_case("US-WA"))

    wait_for_status(business, case_id, "manual_review")
    queue = operator.call("GET", "/v1/review-queue").json["items"]
    agency = add_partner(["US-WA"], "agency", "USD")
    assigned = operator.call("POST", f"/v1/review-queue/{case_id}/assign", json={"partner_id": agency})
    waiting_for(business, case_id, "partner_acceptance")
    partner_key(operator, agency).call("POST", f"/v1/assignments/{case_id}/accept")

    assert case_id in [item["case_id"] for item in queue]
    assert assigned.status_code == 200
    wait_for_status(business, case_id, "in_recovery")
    assert case_id not in [i["case_id"] for i in operator.call("GET", "/v1/review-queue").json["items"]]


def test_no_answer_from_partners_ends_in_manual_review(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    for priority in (1, 2, 3, 4):
        add_partner(["US-IL"], "agency", "USD", priority=priority)
    workflow_on(0.05, acceptance_days=5)  # acceptance window: 5 days → 1 s

    case_id = ready_case(business, us_case("US-IL"))
    wait_for_status(business, case_id, "manual_review", timeout=90)

    declines = [e for e in events_of(business, case_id) if e["type"] == "assignment.declined"]
    assert len(declines) == 3  # max_partner_tries
    assert {d["data"]["reason"] for d in declines} == {"no answer in time"}


def test_dispute_during_the_response_window_puts_the_case_on_hold(
    business: Api, workflow_on: Callable[[float], None]
) -> None:
    workflow_on(5)  # plenty of time to dispute
    case_id = ready_case(business, us_case("US-GA"))
    waiting_for(business, case_id, "debtor_response")

    disputed = business.call("POST", f"/v1/cases/{case_id}/dispute", json={"reason": "goods were faulty"})
    case = wait_for_status(business, case_id, "on_hold")

    assert disputed.status_code == 200
    assert "routing" not in statuses(business, case_id)
    assert case["status"] == "on_hold"
    assert business.call("POST", f"/v1/cases/{case_id}/dispute", json={"reason": "again"}).status_code == 409


def test_payment_in_full_resolves_the_case_before_handoff(
    business: Api, workflow_on: Callable[[float], None]
) -> None:
    workflow_on(5)
    case_id = ready_case(business, us_case("US-PA", "4000.00"))
    waiting_for(business, case_id, "debtor_response")

    part = business.call(
        "POST",
        f"/v1/cases/{case_id}/payments",
        json={"amount": "1500.00", "paid_on": "2026-11-20"},
        headers={"Idempotency-Key": "pay-part-0001"},
    )
    replay = business.call(
        "POST",
        f"/v1/cases/{case_id}/payments",
        json={"amount": "1500.00", "paid_on": "2026-11-20"},
        headers={"Idempotency-Key": "pay-part-0001"},
    )
    rest = business.call(
        "POST",
        f"/v1/cases/{case_id}/payments",
        json={"amount": "2500.00", "paid_on": "2026-11-21"},
        headers={"Idempotency-Key": "pay-rest-0001"},
    )
    case = wait_for_status(business, case_id, "resolved")

    assert part.status_code == replay.status_code == rest.status_code == 200
    assert case["paid_directly"] == "4000.00" and case["balance"] == "0.00"
    assert "routing" not in statuses(business, case_id)


def test_a_payment_with_too_many_decimals_is_refused(
    business: Api, workflow_on: Callable[[float], None]
) -> None:
    case_id = submit(business, us_case("US-MA"))

    response = business.call(
        "POST",
        f"/v1/cases/{case_id}/payments",
        json={"amount": "10.001", "paid_on": "2026-11-20"},
        headers={"Idempotency-Key": "pay-bad-00001"},
    )

    assert response.status_code == 422
    assert [p["name"] for p in response.json["invalid-params"]] == ["body.amount"]


def test_withdrawal_while_a_partner_decides_frees_the_partner(
    operator: Api, business: Api, workflow_on: Callable[[float], None]
) -> None:
    agency = add_partner(["US-FL"], "agency", "USD", capacity=1)
    workflow_on(0.1)
    case_id = ready_case(business, us_case("US-FL"))
    waiting_for(business, case_id, "partner_acceptance")
    partner = partner_key(operator, agency)
    listed = partner.call("GET", "/v1/assignments").json["items"]

    withdrawn = business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "settled privately"})

    assert [c["case_id"] for c in listed] == [case_id]
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert partner.call("GET", "/v1/assignments").json["items"] == []
    assert partner.call("GET", f"/v1/assignments/{case_id}").status_code == 404
    from handoff.adapters.partner_store import partner_repository

    assert partner_repository().get(agency).open_cases == 0
    assert business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "twice"}).status_code == 409


def test_a_failing_step_is_retried_then_recorded_as_failed(
    business: Api, workflow_on: Callable[[float], None], local_aws: LocalAws
) -> None:
    from handoff.handlers import workflow_steps

    calls: list[str] = []

    class S3UnavailableError(Exception):
        pass

    def broken(event: dict[str, Any], context: Any) -> Any:
        calls.append(event["case_id"])
        raise S3UnavailableError("injected: S3 is unavailable")

    workflow_on(0.1)
    register_function("workflow_packet", broken)
    try:
        case_id = ready_case(business, us_case("US-DE"))
        case = wait_for_status(business, case_id, "failed", timeout=90)
    finally:
        register_function("workflow_packet", workflow_steps.assemble_packet)

    failure = next(e for e in events_of(business, case_id) if e["data"].get("to") == "failed")
    assert calls.count(case_id) == 3  # the first try and two retries (RetryMaxAttempts=2 locally)
    assert failure["data"]["error"] == "S3UnavailableError"
    assert "injected" in failure["data"]["cause"]
    assert case["status"] == "failed"
    sfn = boto3.client("stepfunctions", endpoint_url=local_aws.endpoint)
    runs = sfn.list_executions(stateMachineArn=local_aws.state_machine_arn, statusFilter="FAILED")[
        "executions"
    ]
    assert any(r["name"].startswith(case_id) for r in runs)


def gb_case(subdivision: str, due_on: str) -> dict[str, Any]:
    """A one-invoice debt owed by a company in `subdivision`, under its own law."""
    payload = us_case("US-CA", "1000.00")
    payload["currency"] = "GBP"
    payload["debtor"]["address"] = {"lines": ["1 High St"], "city": "Town", "country": "GB"} | {
        "subdivision": subdivision
    }
    payload["terms"] = {"payment_days": 30, "interest": {"kind": "statutory"}, "governing_law": subdivision}
    payload["invoices"] = [{**payload["invoices"][0], "issued_on": "2019-05-01", "due_on": due_on}]
    return payload


def test_an_extinguished_debt_closes_as_time_barred_and_a_time_barred_one_is_held(
    business: Api, workflow_on: Callable[[float], None]
) -> None:
    # Scotland: five years' prescription from 2019-06-01 extinguished the debt (PL(S)A 1973 s.6);
    # England: six years from 2019-06-01 ended 2025-06-01, the debt remains but is time-barred
    # (held: an operator may release it, and then it gets only a request for payment).
    workflow_on(1)
    scottish = submit(business, gb_case("GB-SCT", "2019-05-31"))
    english = submit(business, gb_case("GB-ENG", "2019-05-31"))

    closed = wait_for_status(business, scottish, "closed")
    held = wait_for_status(business, english, "on_hold")

    assert statuses(business, scottish) == ["uncollectible", "closed"]
    closing = [e for e in events_of(business, scottish) if e["type"] == "case.status_changed"][-1]
    assert closing["data"]["close_code"] == "time_barred"
    assert closing["data"]["standing"] == "extinguished"
    assert closing["data"]["extinguished_on"] == "2024-06-01"  # the last day of the five years
    assert not [e for e in events_of(business, scottish) if e["type"] == "document.generated"]
    assert closed["legal"]["limitation"]["status"] == "extinguished"
    assert held["legal"]["limitation"]["status"] == "expired"
    reasons = [e for e in events_of(business, english) if e["type"] == "case.status_changed"][-1]["data"]
    assert "time_barred" in [r["code"] for r in reasons["reasons"]]
    assert statuses(business, english) == ["on_hold"]
