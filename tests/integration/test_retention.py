"""Retention, legal holds and erasure on moto, through the gateway (docs/data-model.md, "Retention").

A debtor who is a sole trader (name and address are personal data) with a contact, notes and a
bank reference; evidence, a document and a packet in S3; a webhook endpoint that logged deliveries.
After erasure none of it is left anywhere in the table (indexes included) or in any bucket, while
the timeline's hash chain and the ledger still verify.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from handoff.local.aws import LocalAws, invoke_local
from handoff.local.receiver import Receiver
from tests.integration.conftest import Api, scan_all
from tests.integration.workflow_kit import (
    PDF,
    case_in_recovery,
    event,
    events_of,
    issue_secret,
    signed,
    submit,
    upload,
    wait_until,
)

pytestmark = pytest.mark.xdist_group("retention")

PERSONAL = (
    "Jane Roe",  # the sole trader's name, and the contact's
    "roe@plumbing.example",
    "+441132000001",
    "7 Mill Street",
    "LS2 9JT",
    "Boiler repair for Mrs Roe",  # an invoice description
    "Spoke to Jane on her mobile",  # a contact-log note
    "JROE BACS 4471",  # a bank reference of a direct payment
    "jane-roe-invoice",  # an evidence file name
    "Jane paid the rest in cash",  # the withdrawal note
    "Roe v Acme, claim 26-77",  # a legal hold's reason
)


def personal_case(case_payload: dict[str, Any]) -> dict[str, Any]:
    payload = json.loads(json.dumps(case_payload))
    debtor = payload["debtor"]
    debtor.update(entity_type="sole_trader", legal_name="Jane Roe Plumbing", registration_number="UTR123")
    debtor["address"].update(lines=["7 Mill Street"], postal_code="LS2 9JT")
    debtor["contacts"] = [{"name": "Jane Roe", "email": "roe@plumbing.example", "phone": "+441132000001"}]
    payload["invoices"][0]["description"] = "Boiler repair for Mrs Roe"
    payload["contact_log"][0]["note"] = "Spoke to Jane on her mobile"
    return payload


def set_days(operator: Api, business: Api, days: int | None) -> None:
    tenant_id = business.call("GET", "/v1/retention-policy").json["tenant_id"]
    response = operator.call(
        "PUT", f"/v1/tenants/{tenant_id}/retention-policy", json={"days_after_close": days}
    )
    assert response.status_code == 200, response.json


def tenant_of(business: Api) -> str:
    tenant_id: str = business.call("GET", "/v1/retention-policy").json["tenant_id"]
    return tenant_id


def daily_run() -> dict[str, Any]:
    """What EventBridge delivers once a day, handed to the retention function as Lambda would."""
    scheduled = {"detail-type": "Scheduled Event", "source": "aws.events", "time": "2026-12-02T03:17:00Z"}
    result: dict[str, Any] = invoke_local("retention", scheduled)
    return result


def versions(local_aws: LocalAws, bucket: str, prefix: str) -> list[str]:
    listed = boto3.client("s3", endpoint_url=local_aws.endpoint).list_object_versions(
        Bucket=bucket, Prefix=prefix
    )
    return [v["Key"] for v in [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]]


def case_objects(local_aws: LocalAws, tenant_id: str, case_id: str) -> dict[str, list[str]]:
    return {
        area: versions(local_aws, bucket, f"{area}/{tenant_id}/{case_id}/")
        for area, bucket in (
            ("evidence", local_aws.evidence_bucket),
            ("documents", local_aws.documents_bucket),
            ("packets", local_aws.packets_bucket),
        )
    }


def tenant_items(local_aws: LocalAws, tenant_id: str) -> list[dict[str, Any]]:
    """Every item of one tenant (each carries its id), and every idempotency record."""
    return [i for i in scan_all(local_aws) if tenant_id in json.dumps(i) or i["pk"]["S"] == "IDEMPOTENCY"]


def settled(business: Api, case_id: str) -> list[str]:
    """Wait until no upload of the case is pending (the verifier has checked each); their statuses."""

    def statuses() -> list[str] | None:
        items = business.call("GET", f"/v1/cases/{case_id}/evidence").json["items"]
        found = [e["status"] for e in items]
        return None if "pending_upload" in found else found

    result: list[str] = wait_until(statuses, what="uploads checked")
    return result


@pytest.fixture
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def full_case(business: Api, case_payload: dict[str, Any]) -> str:
    """A case with personal data in every place it can go, then withdrawn (ended)."""
    case_id = submit(business, personal_case(case_payload))
    evidence = upload(
        business, case_id, "invoice", PDF + b"roe", "jane-roe-invoice.pdf", "application/pdf", "INV-1001"
    )
    assert settled(business, case_id) == ["verified"], evidence
    assert (
        business.call("POST", f"/v1/cases/{case_id}/documents", json={"kind": "demand_letter"}).status_code
        == 201
    )
    assert business.call("POST", f"/v1/cases/{case_id}/packet").status_code == 201
    paid = business.call(
        "POST",
        f"/v1/cases/{case_id}/payments",
        json={"amount": "100.00", "paid_on": "2026-09-01", "reference": "JROE BACS 4471"},
        headers={"Idempotency-Key": f"pay-{uuid.uuid4()}"},
    )
    assert paid.status_code == 200, paid.json
    held = business.call(
        "POST", f"/v1/cases/{case_id}/legal-hold", json={"reason": "Roe v Acme, claim 26-77"}
    )
    assert held.status_code == 200, held.json
    lifted = business.call("POST", f"/v1/cases/{case_id}/legal-hold/lift", json={"reason": "Claim settled"})
    assert lifted.status_code == 200, lifted.json
    withdrawn = business.call(
        "POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "Jane paid the rest in cash"}
    )
    assert withdrawn.status_code == 200, withdrawn.json
    return case_id


# --- the policy ----------------------------------------------------------------------------------


def test_the_operator_sets_a_tenants_policy_and_the_business_reads_it(operator: Api, business: Api) -> None:
    tenant_id = tenant_of(business)

    default = business.call("GET", "/v1/retention-policy").json
    set_days(operator, business, 2190)
    mine = business.call("GET", "/v1/retention-policy").json
    read_by_operator = operator.call("GET", f"/v1/tenants/{tenant_id}/retention-policy").json
    set_days(operator, business, None)
    back = business.call("GET", "/v1/retention-policy").json
    refused = operator.call("PUT", f"/v1/tenants/{tenant_id}/retention-policy", json={"days_after_close": -1})
    unknown = operator.call(
        "PUT", "/v1/tenants/ten_00000000000000000000/retention-policy", json={"days_after_close": 5}
    )

    assert default == {
        "tenant_id": tenant_id,
        "days_after_close": 30,
        "source": "default",
        "default_days": 30,
    }
    assert mine["days_after_close"] == 2190 and mine["source"] == "tenant"
    assert read_by_operator == mine
    assert back["source"] == "default" and back["days_after_close"] == 30
    assert refused.status_code == 422
    assert [p["name"] for p in refused.json["invalid-params"]] == ["body.days_after_close"]
    assert unknown.status_code == 404


# --- legal holds ---------------------------------------------------------------------------------


def test_holds_by_business_and_operator_are_each_lifted_by_their_holder_and_hold_the_packets(
    operator: Api, business: Api, case_payload: dict[str, Any], local_aws: LocalAws
) -> None:
    tenant_id = tenant_of(business)
    case_id = submit(business, case_payload)
    assert business.call("POST", f"/v1/cases/{case_id}/packet").status_code == 201
    key = f"packets/{tenant_id}/{case_id}/v0001.zip"
    s3 = boto3.client("s3", endpoint_url=local_aws.endpoint)

    def packet_hold() -> str:
        status: str = s3.get_object_legal_hold(Bucket=local_aws.packets_bucket, Key=key)["LegalHold"][
            "Status"
        ]
        return status

    operator_path = f"/v1/tenants/{tenant_id}/cases/{case_id}"
    by_business = business.call("POST", f"/v1/cases/{case_id}/legal-hold", json={"reason": "Our claim"})
    again = business.call("POST", f"/v1/cases/{case_id}/legal-hold", json={"reason": "Our claim"})
    by_operator = operator.call("POST", f"{operator_path}/legal-hold", json={"reason": "Regulator inquiry"})
    held_packet = packet_hold()
    business_lifts = business.call("POST", f"/v1/cases/{case_id}/legal-hold/lift", json={"reason": "Settled"})
    still_held_packet = packet_hold()
    operator_lifts = operator.call(
        "POST", f"{operator_path}/legal-hold/lift", json={"reason": "Inquiry closed"}
    )

    assert by_business.status_code == again.status_code == by_operator.status_code == 200
    assert [h["holder"] for h in by_operator.json["legal_holds"]] == ["business", "operator"]
    assert held_packet == "ON"
    assert [h["holder"] for h in business_lifts.json["legal_holds"]] == ["operator"]  # not the operator's
    assert still_held_packet == "ON"
    assert operator_lifts.json["legal_holds"] == []
    assert packet_hold() == "OFF"
    timeline = [
        (e["type"], e["data"].get("holder"))
        for e in events_of(business, case_id)
        if "legal_hold" in e["type"]
    ]
    assert timeline == [
        ("legal_hold.placed", "business"),  # placed once: the repeat records nothing
        ("legal_hold.placed", "operator"),
        ("legal_hold.lifted", "business"),
        ("legal_hold.lifted", "operator"),
    ]
    elsewhere = operator.call(
        "POST", f"/v1/tenants/ten_00000000000000000000/cases/{case_id}/legal-hold", json={"reason": "x"}
    )
    assert elsewhere.status_code == 404  # the case under another tenant's id does not exist


# --- erasure requests ----------------------------------------------------------------------------


def test_erasure_is_refused_with_the_reason_while_the_case_is_open_or_held(
    operator: Api, business: Api, case_payload: dict[str, Any]
) -> None:
    case_id = submit(business, case_payload)
    before = len(events_of(business, case_id))

    while_open = business.call("POST", f"/v1/cases/{case_id}/erasure")
    operator.call(
        "POST", f"/v1/tenants/{tenant_of(business)}/cases/{case_id}/legal-hold", json={"reason": "Litigation"}
    )
    business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "Paid"})
    while_held = business.call("POST", f"/v1/cases/{case_id}/erasure")

    assert while_open.status_code == while_held.status_code == 409
    assert while_open.headers["Content-Type"] == "application/problem+json"
    assert while_open.json["type"].endswith("/erasure-refused") and while_open.json["reason"] == "case_open"
    assert while_held.json["reason"] == "legal_hold" and "operator" in while_held.json["detail"]
    types = [e["type"] for e in events_of(business, case_id)][before:]
    assert types == ["legal_hold.placed", "case.status_changed"]  # the refusals wrote nothing
    assert business.call("GET", f"/v1/cases/{case_id}/retention").json["erasure"] is None


def test_erasure_waits_while_a_presigned_upload_could_still_arrive(
    business: Api, case_payload: dict[str, Any]
) -> None:
    case_id = submit(business, case_payload)
    declared = business.call(
        "POST",
        f"/v1/cases/{case_id}/evidence",
        json={
            "kind": "terms",
            "filename": "terms.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
        },
    )
    assert declared.status_code == 201, declared.json  # the upload is handed out, not used yet
    business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "Paid"})

    refused = business.call("POST", f"/v1/cases/{case_id}/erasure")

    assert refused.status_code == 409
    assert refused.json["reason"] == "upload_pending" and "ask again after" in refused.json["detail"]
    assert business.call("GET", f"/v1/cases/{case_id}/retention").json["erasure"] is None


def test_another_tenants_case_is_a_404_for_erasure_and_holds(
    operator: Api, business: Api, case_payload: dict[str, Any], tenant_profile: dict[str, Any]
) -> None:
    case_id = submit(business, case_payload)
    business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "Paid"})
    tenant = operator.call("POST", "/v1/tenants", json=tenant_profile).json
    other = operator.as_key(
        operator.call(
            "POST", "/v1/api-keys", json={"kind": "business", "tenant_id": tenant["tenant_id"]}
        ).json["secret"]
    )

    assert other.call("POST", f"/v1/cases/{case_id}/erasure").status_code == 404
    assert other.call("POST", f"/v1/cases/{case_id}/legal-hold", json={"reason": "x"}).status_code == 404
    assert other.call("GET", f"/v1/cases/{case_id}/retention").status_code == 404
    assert business.call("GET", f"/v1/cases/{case_id}/retention").json["erasure"] is None


def test_an_erased_case_keeps_no_personal_data_anywhere_and_still_verifies(
    business: Api, case_payload: dict[str, Any], local_aws: LocalAws, webhook_receiver: Receiver
) -> None:
    endpoint = business.call(
        "POST", "/v1/webhook-endpoints", json={"url": webhook_receiver.url, "event_types": ["*"]}
    )
    webhook_receiver.secret = endpoint.json["secret"]
    tenant_id = tenant_of(business)
    case_id = full_case(business, case_payload)

    def withdrawal_delivered() -> list[dict[str, Any]]:
        return [e for e in webhook_receiver.received if e["data"].get("to") == "withdrawn"]

    (withdrawal,) = wait_until(withdrawal_delivered, what="the withdrawal delivered")
    deliveries = wait_until(
        lambda: [
            i for i in tenant_items(local_aws, tenant_id) if i.get("type", {}).get("S") == "webhook_delivery"
        ],
        what="deliveries logged",
    )
    assert withdrawal["data"]["note"].startswith("redacted:sha256:")  # webhooks never carry the text
    assert not any(text in json.dumps(deliveries) for text in PERSONAL)
    assert any(place for place in case_objects(local_aws, tenant_id, case_id).values())
    assert all(
        text in json.dumps(tenant_items(local_aws, tenant_id)) for text in ("Jane Roe", "JROE BACS 4471")
    )
    documents = business.call("GET", f"/v1/cases/{case_id}/documents").json["items"]
    summary_before = business.call("GET", f"/v1/cases/{case_id}").json["summary"]

    erased = business.call("POST", f"/v1/cases/{case_id}/erasure")
    repeated = business.call("POST", f"/v1/cases/{case_id}/erasure")
    verified = business.call("GET", f"/v1/cases/{case_id}/verify").json

    assert erased.status_code == 200, erased.json
    erasure = erased.json["erasure"]
    assert erasure["trigger"] == "request" and erasure["completed_at"] is not None
    assert erasure["files"] == 4  # the evidence, the demand letter, the statement, the packet
    assert set(erasure["removed"]) == {
        "debtor.contacts.0",
        "debtor.address.postal_code",
        "debtor.registration_number",
    }
    assert repeated.status_code == 200 and repeated.json["erasure"] == erasure  # done once
    assert verified["intact"] is True and verified["breaks"] == []
    assert case_objects(local_aws, tenant_id, case_id) == {"evidence": [], "documents": [], "packets": []}
    everything = json.dumps(tenant_items(local_aws, tenant_id))  # the case, events, rows, delivery logs,
    for text in PERSONAL:  # idempotency records (the indexes project these same items)
        assert text not in everything, text
    case = business.call("GET", f"/v1/cases/{case_id}").json
    assert case["summary"] == summary_before  # the figures stand
    assert case["case"]["debtor"]["legal_name"].startswith("redacted:sha256:")
    assert case["case"]["debtor"]["contacts"] == []
    types = [e["type"] for e in events_of(business, case_id)]
    assert types[-2:] == ["erasure.started", "case.erased"]
    evidence = business.call("GET", f"/v1/cases/{case_id}/evidence").json["items"]
    assert evidence[0]["filename"] == "erased.pdf" and evidence[0]["erased_at"]
    gone = business.call("GET", f"/v1/cases/{case_id}/documents/{documents[0]['document_id']}")
    assert gone.status_code == 404 and "erased" in gone.json["detail"]
    assert business.call("GET", f"/v1/cases/{case_id}/packet").status_code == 404
    for path, body in (
        ("contacts", {"at": "2026-10-01T10:00:00Z", "channel": "email", "outcome": "no_answer"}),
        ("documents", {"kind": "statement_of_account"}),
    ):
        refused = business.call("POST", f"/v1/cases/{case_id}/{path}", json=body)
        assert refused.status_code == 409, (path, refused.json)
    hold = business.call("POST", f"/v1/cases/{case_id}/legal-hold", json={"reason": "too late"})
    assert hold.status_code == 409


def test_tampering_with_an_erased_case_is_still_detected(
    business: Api, case_payload: dict[str, Any], local_aws: LocalAws
) -> None:
    case_id = submit(business, personal_case(case_payload))
    business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "Jane paid the rest in cash"})
    assert business.call("POST", f"/v1/cases/{case_id}/erasure").status_code == 200
    dynamodb = boto3.client("dynamodb", endpoint_url=local_aws.endpoint)
    items = sorted(
        (
            i
            for i in scan_all(local_aws)
            if i["pk"]["S"].endswith(f"#CASE#{case_id}") and i["sk"]["S"].startswith("EVENT#")
        ),
        key=lambda i: i["sk"]["S"],
    )
    withdrawal = next(i for i in items if '"note": "redacted:sha256:' in i["data"]["S"])
    data = json.loads(withdrawal["data"]["S"])
    data["note"] = "redacted:sha256:" + "0" * 64  # another marker
    dynamodb.put_item(TableName=local_aws.table, Item={**withdrawal, "data": {"S": json.dumps(data)}})

    report = business.call("GET", f"/v1/cases/{case_id}/verify").json

    assert report["intact"] is False
    assert report["breaks"] == [
        {"seq": int(withdrawal["seq"]["N"]), "reason": "content changed after it was recorded"}
    ]


# --- the daily job -------------------------------------------------------------------------------


def test_the_daily_job_erases_only_ended_unheld_cases_past_their_tenants_retention(
    operator: Api,
    business: Api,
    case_payload: dict[str, Any],
    tenant_profile: dict[str, Any],
    local_aws: LocalAws,
) -> None:
    set_days(operator, business, 0)  # due as soon as they end
    ended = submit(business, personal_case(case_payload))
    business.call("POST", f"/v1/cases/{ended}/withdraw", json={"reason": "Jane paid the rest in cash"})
    upload(business, ended, "terms", PDF + b"terms", "terms.pdf", "application/pdf")
    settled(business, ended)
    held = submit(business, personal_case(case_payload))
    business.call("POST", f"/v1/cases/{held}/withdraw", json={"reason": "Paid"})
    business.call("POST", f"/v1/cases/{held}/legal-hold", json={"reason": "Roe v Acme, claim 26-77"})
    still_open = submit(business, personal_case(case_payload))
    tenant = operator.call("POST", "/v1/tenants", json=tenant_profile).json  # keeps the default, 30 days
    patient = operator.as_key(
        operator.call(
            "POST", "/v1/api-keys", json={"kind": "business", "tenant_id": tenant["tenant_id"]}
        ).json["secret"]
    )
    recent = submit(patient, personal_case(case_payload))
    patient.call("POST", f"/v1/cases/{recent}/withdraw", json={"reason": "Paid"})

    first = daily_run()
    second = daily_run()

    assert ended in first["case_ids"]
    assert not {held, still_open, recent} & set(first["case_ids"])
    assert ended not in second["case_ids"]  # erased once
    retention = business.call("GET", f"/v1/cases/{ended}/retention").json
    assert retention["erasure"]["trigger"] == "retention"
    assert retention["erasure"]["requested_by"] == "system:retention"
    assert business.call("GET", f"/v1/cases/{ended}/verify").json["intact"] is True
    assert case_objects(local_aws, tenant_of(business), ended)["evidence"] == []
    for kept, api in ((held, business), (still_open, business), (recent, patient)):
        view = api.call("GET", f"/v1/cases/{kept}/retention").json
        assert view["erasure"] is None, kept
        assert "Jane Roe" in json.dumps(api.call("GET", f"/v1/cases/{kept}").json)
    assert (
        patient.call("GET", f"/v1/cases/{recent}/retention").json["erase_after"]
        > datetime.now(UTC).isoformat()
    )

    business.call("POST", f"/v1/cases/{held}/legal-hold/lift", json={"reason": "Claim dismissed"})
    assert held in daily_run()["case_ids"]  # due again once the hold is lifted


def test_a_case_closed_by_its_partner_is_erased_and_its_ledger_stands(
    operator: Api, business: Api, workflow_on: Callable[[float], None], local_aws: LocalAws
) -> None:
    workflow_on(0.1)
    set_days(operator, business, 0)
    case_id, agency = case_in_recovery(operator, business, "US-ME")
    secret = issue_secret(operator, agency)["secret"]
    for body in (
        event(
            "judgment.obtained",
            case_id=case_id,
            court="Cumberland County Superior Court",
            docket="CV-26-0042",
            amount="4000.00",
            interest="0.00",
            costs="0.00",
            currency="USD",
            date="2026-11-02",
        ),
        event(
            "payment.collected",
            case_id=case_id,
            amount="4000.00",
            currency="USD",
            collected_on="2026-11-20",
            reference="JROE BACS 4471",
        ),
        event("case.closed", case_id=case_id, close_code="paid_in_full", note="Jane paid the rest in cash"),
    ):
        payload, headers = signed(secret, body)
        sent = business.as_key(None).call(
            "POST", f"/v1/webhooks/partners/{agency}", data=payload, headers=headers
        )
        assert sent.status_code == 200, sent.json
    ledger = business.call("GET", f"/v1/cases/{case_id}/ledger").json

    assert case_id in daily_run()["case_ids"]

    assert business.call("GET", f"/v1/cases/{case_id}/ledger").json["totals"] == ledger["totals"]
    assert business.call("GET", f"/v1/cases/{case_id}/verify").json["intact"] is True
    recorded = json.dumps(events_of(business, case_id))
    for text in ("CV-26-0042", "JROE BACS 4471", "Jane paid the rest in cash"):
        assert text not in recorded


# --- Object Lock ---------------------------------------------------------------------------------


def test_a_packet_is_locked_no_longer_than_the_policy_yet_the_eraser_deletes_it(
    operator: Api, business: Api, case_payload: dict[str, Any], local_aws: LocalAws
) -> None:
    set_days(operator, business, 30)
    tenant_id = tenant_of(business)
    case_id = submit(business, case_payload)
    made = datetime.now(UTC)
    assert business.call("POST", f"/v1/cases/{case_id}/packet").status_code == 201
    s3 = boto3.client("s3", endpoint_url=local_aws.endpoint)
    key = f"packets/{tenant_id}/{case_id}/v0001.zip"
    (version,) = s3.list_object_versions(Bucket=local_aws.packets_bucket, Prefix=key)["Versions"]

    lock = s3.head_object(
        Bucket=local_aws.packets_bucket, Key=key
    )  # moto 5.2.5's GetObjectRetention is a 500
    with pytest.raises(s3.exceptions.ClientError):  # nobody deletes it without bypassing governance
        s3.delete_object(Bucket=local_aws.packets_bucket, Key=key, VersionId=version["VersionId"])
    business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "Paid"})
    erased = business.call("POST", f"/v1/cases/{case_id}/erasure")

    assert lock["ObjectLockMode"] == "GOVERNANCE"
    until = lock["ObjectLockRetainUntilDate"]
    assert made + timedelta(days=30) - timedelta(minutes=5) < until <= datetime.now(UTC) + timedelta(days=30)
    assert erased.status_code == 200, erased.json
    assert versions(local_aws, local_aws.packets_bucket, key) == []


def test_a_packet_made_while_the_case_is_held_is_born_under_legal_hold(
    business: Api, case_payload: dict[str, Any], local_aws: LocalAws
) -> None:
    tenant_id = tenant_of(business)
    case_id = submit(business, case_payload)
    business.call("POST", f"/v1/cases/{case_id}/legal-hold", json={"reason": "Litigation"})

    assert business.call("POST", f"/v1/cases/{case_id}/packet").status_code == 201

    s3 = boto3.client("s3", endpoint_url=local_aws.endpoint)
    key = f"packets/{tenant_id}/{case_id}/v0001.zip"
    assert s3.get_object_legal_hold(Bucket=local_aws.packets_bucket, Key=key)["LegalHold"]["Status"] == "ON"


def test_idempotency_records_keep_no_personal_data_and_replays_still_answer(
    business: Api, case_payload: dict[str, Any], local_aws: LocalAws
) -> None:
    key = f"retention-{uuid.uuid4()}"
    payload = personal_case(case_payload)
    first = business.call("POST", "/v1/cases", json=payload, headers={"Idempotency-Key": key})
    replay = business.call("POST", "/v1/cases", json=payload, headers={"Idempotency-Key": key})
    time.sleep(0.1)

    records = [i for i in scan_all(local_aws) if i["pk"]["S"] == "IDEMPOTENCY"]
    mine = [r for r in records if first.json["case_id"] in r.get("data", {}).get("S", "")]
    assert first.status_code == replay.status_code == 201
    assert replay.json == first.json
    assert [json.loads(r["data"]["S"]) for r in mine] == [{"case_id": first.json["case_id"]}]
    assert "Jane Roe" not in json.dumps(records)
