"""The timeline is a hash chain: /verify detects an edited, removed or reordered event."""

from __future__ import annotations

import uuid
from typing import Any

import boto3

from tests.integration.conftest import Api, scan_all


def _case_with_events(business: Api, case_payload: dict[str, Any]) -> str:
    created = business.call(
        "POST", "/v1/cases", json=case_payload, headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    case_id: str = created.json["case_id"]
    for day in (1, 2):
        contact = {"at": f"2026-09-0{day}T09:00:00Z", "channel": "email", "outcome": "no_answer"}
        business.call("POST", f"/v1/cases/{case_id}/contacts", json=contact)
    return case_id


def _event_items(local_aws: Any, case_id: str) -> list[dict[str, Any]]:
    items = scan_all(local_aws)
    return sorted(
        (i for i in items if i["pk"]["S"].endswith(f"#CASE#{case_id}") and i["sk"]["S"].startswith("EVENT#")),
        key=lambda i: i["sk"]["S"],
    )


def test_an_untouched_timeline_verifies(business: Api, case_payload: dict[str, Any]) -> None:
    case_id = _case_with_events(business, case_payload)

    report = business.call("GET", f"/v1/cases/{case_id}/verify").json
    events = business.call("GET", f"/v1/cases/{case_id}/events").json["items"]

    assert report["intact"] is True and report["breaks"] == []
    assert report["events"] == 3
    assert report["last_hash"] == events[-1]["hash"]
    assert [e["prev_hash"] for e in events[1:]] == [e["hash"] for e in events[:-1]]


def test_an_edited_event_is_detected(business: Api, case_payload: dict[str, Any], local_aws: Any) -> None:
    case_id = _case_with_events(business, case_payload)
    second = _event_items(local_aws, case_id)[1]
    second["data"] = {"S": second["data"]["S"].replace("no_answer", "promised_to_pay")}
    boto3.client("dynamodb", endpoint_url=local_aws.endpoint).put_item(TableName=local_aws.table, Item=second)

    report = business.call("GET", f"/v1/cases/{case_id}/verify").json

    assert report["intact"] is False
    assert report["breaks"] == [{"seq": 2, "reason": "content changed after it was recorded"}]


def test_a_removed_event_is_detected(business: Api, case_payload: dict[str, Any], local_aws: Any) -> None:
    case_id = _case_with_events(business, case_payload)
    last = _event_items(local_aws, case_id)[-1]
    boto3.client("dynamodb", endpoint_url=local_aws.endpoint).delete_item(
        TableName=local_aws.table, Key={"pk": last["pk"], "sk": last["sk"]}
    )

    report = business.call("GET", f"/v1/cases/{case_id}/verify").json

    assert report["intact"] is False
    assert "does not end where the case says" in report["breaks"][-1]["reason"]


def test_another_tenant_cannot_verify_my_case(
    operator: Api, business: Api, case_payload: dict[str, Any], tenant_profile: dict[str, Any]
) -> None:
    case_id = _case_with_events(business, case_payload)
    tenant = operator.call("POST", "/v1/tenants", json=tenant_profile).json
    other = operator.as_key(
        operator.call(
            "POST", "/v1/api-keys", json={"kind": "business", "tenant_id": tenant["tenant_id"]}
        ).json["secret"]
    )

    assert other.call("GET", f"/v1/cases/{case_id}/verify").status_code == 404
