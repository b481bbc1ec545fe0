"""Fault tolerance: throttled DynamoDB, failing S3, crashing Lambdas — retried, or recorded once.

How faults are injected, and why there. The product's boto3 clients (``adapters.aws``) use
botocore's *standard* retry mode with ``max_attempts=5``: botocore itself retries a throttle
(``ProvisionedThroughputExceededException``, ``ThrottlingException``, S3 ``SlowDown``) or a
5xx up to four times before the caller sees an exception. A fault raised from ``before-call``
or by patching ``_make_api_call`` would skip those retries and test a failure that cannot
happen. So ``Fault`` hooks ``before-send.<service>.<Operation>`` on the product's own cached
client: it answers chosen HTTP attempts with the error response AWS sends (status, error
code, body), and botocore's retry handler, retry quota and error parsing run as on AWS. A
fault that must reach the product therefore lasts ``CLIENT_ATTEMPTS`` attempts per call (or
for ever); a shorter one is absorbed by botocore (``max_attempts=5`` in botocore's config
means five *retries*: six attempts). The back-off between botocore's attempts
(up to 1+2+4+8 s for a throttle) is set to zero for these tests only (``no_client_backoff``):
the attempts still happen, just without the sleep.

Above botocore: a workflow step's exception is retried by the ASL's Retry (locally twice,
about a second apart) and then caught into ``RecordFailure``; the API maps a throttle to a
503 problem with ``Retry-After``; outbound webhooks retry through the queue.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
import requests
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from handoff.local.aws import LocalAws, register_function
from tests.integration.conftest import Api
from tests.integration.test_outbound_webhooks import Receiver, deliveries, register, wait_for
from tests.integration.test_outbound_webhooks import fast_retries as fast_retries
from tests.integration.test_outbound_webhooks import receiver as receiver
from tests.integration.workflow_kit import (
    add_partner,
    events_of,
    ready_case,
    submit,
    upload_complete_evidence,
    us_case,
    wait_for_status,
    waiting_for,
)

pytestmark = pytest.mark.xdist_group("faults")

# adapters.aws: retries={"mode": "standard", "max_attempts": 5}, which botocore reads as five
# retries: six attempts in all (checked by `test_the_clients_make_six_attempts`).
CLIENT_ATTEMPTS = 6
STEP_ATTEMPTS = 3  # the ASL's Retry locally: the first try and RetryMaxAttempts=2


# --- fault injection -------------------------------------------------------------------------------


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass
class Fault:
    """Answer matching HTTP attempts with an AWS error response, `times` times (None: for ever)."""

    status: int
    code: str
    match: Callable[[AWSPreparedRequest], bool]
    times: int | None = None
    json_protocol: bool = True  # DynamoDB speaks JSON; S3 answers errors in XML
    hits: int = 0
    sent: list[str] = field(default_factory=list)

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if self.times is not None and self.hits >= self.times:
            return None
        if not self.match(request):
            return None
        self.hits += 1
        if self.json_protocol:
            body = json.dumps(
                {"__type": f"com.amazonaws.dynamodb.v20120810#{self.code}", "message": "injected"}
            )
            headers = {"content-type": "application/x-amz-json-1.0"}
        else:
            body = f"<Error><Code>{self.code}</Code><Message>injected</Message></Error>"
            headers = {"content-type": "application/xml"}
        return AWSResponse(request.url, self.status, headers, _Raw(body.encode()))


def body_of(request: AWSPreparedRequest) -> bytes:
    body = request.body
    return body if isinstance(body, bytes) else b""


def dynamodb_throttle(*needles: str, times: int | None = None) -> Fault:
    """`ProvisionedThroughputExceededException` for requests whose body holds every needle."""
    wanted = [n.encode() for n in needles]
    return Fault(
        400,
        "ProvisionedThroughputExceededException",
        lambda r: all(n in body_of(r) for n in wanted),
        times,
    )


def s3_error(code: str, key_part: str, times: int | None = None, status: int = 503) -> Fault:
    return Fault(status, code, lambda r: key_part in r.url, times, json_protocol=False)


@contextmanager
def injected(client: Any, operation: str, fault: Fault) -> Iterator[Fault]:
    event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}"
    client.meta.events.register(event, fault)
    try:
        yield fault
    finally:
        client.meta.events.unregister(event, fault)


@pytest.fixture
def no_client_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore still makes every attempt; it just does not sleep between them."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


@pytest.fixture
def dynamodb(local_aws: LocalAws, no_client_backoff: None) -> Any:
    from handoff.adapters.aws import dynamodb

    return dynamodb()


@pytest.fixture
def s3(local_aws: LocalAws, no_client_backoff: None) -> Any:
    from handoff.adapters.aws import s3

    return s3()


def types_of(business: Api, case_id: str, event_type: str) -> list[dict[str, Any]]:
    return [e for e in events_of(business, case_id) if e["type"] == event_type]


def transitions(business: Api, case_id: str) -> list[str]:
    return [e["data"]["to"] for e in types_of(business, case_id, "case.status_changed")]


def statements_of(business: Api, case_id: str) -> list[dict[str, Any]]:
    generated = types_of(business, case_id, "document.generated")
    return [e for e in generated if e["data"]["kind"] == "statement_of_account"]


def tenant_of(business: Api, case_id: str) -> str:
    actor: str = events_of(business, case_id)[0]["actor"]
    return actor.split(":")[1]


def packet_keys(local_aws: LocalAws, tenant_id: str, case_id: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=local_aws.endpoint)
    prefix = f"packets/{tenant_id}/{case_id}/"
    listed = client.list_objects_v2(Bucket=local_aws.packets_bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def pending_uploads(local_aws: LocalAws, tenant_id: str, case_id: str) -> list[Any]:
    client = boto3.client("s3", endpoint_url=local_aws.endpoint)
    prefix = f"packets/{tenant_id}/{case_id}/"
    uploads: list[Any] = client.list_multipart_uploads(Bucket=local_aws.packets_bucket, Prefix=prefix).get(
        "Uploads", []
    )
    return uploads


def assert_good_packet(business: Api, case_id: str, recorded: dict[str, Any]) -> None:
    """The latest packet downloads, hashes to what the timeline says, and its manifest is whole."""
    link = business.call("GET", f"/v1/cases/{case_id}/packet")
    assert link.status_code == 200, link.json
    content = requests.get(link.json["url"], timeout=30).content
    assert hashlib.sha256(content).hexdigest() == recorded["sha256"]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["files"]:
            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    assert manifest["case_id"] == case_id and manifest["packet_version"] == recorded["version"]


# --- 1. DynamoDB throttling ----------------------------------------------------------------------


def test_the_clients_make_six_attempts(dynamodb: Any, s3: Any) -> None:
    for client in (dynamodb, s3):
        assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": CLIENT_ATTEMPTS}


def test_a_throttle_the_client_absorbs_never_reaches_the_workflow(
    business: Api, workflow_on: Callable[[float], None], dynamodb: Any
) -> None:
    # Given DynamoDB throttling the packet step's final write for all but the client's last attempt
    workflow_on(5)
    case_id = submit(business, us_case("US-IA"))
    wait_for_status(business, case_id, "on_hold")
    throttle = dynamodb_throttle(case_id, '"packet_ready"', times=CLIENT_ATTEMPTS - 1)
    calls: list[str] = []
    from handoff.handlers import workflow_steps

    def counted(event: dict[str, Any], context: Any) -> Any:
        calls.append(event["case_id"])
        return workflow_steps.assemble_packet(event, context)

    register_function("workflow_packet", counted)
    try:
        with injected(dynamodb, "TransactWriteItems", throttle):
            upload_complete_evidence(business, case_id, us_case("US-IA"))
            waiting_for(business, case_id, "debtor_response")
    finally:
        register_function("workflow_packet", workflow_steps.assemble_packet)

    # Then the step ran once: botocore's own retries were enough
    assert throttle.hits == CLIENT_ATTEMPTS - 1
    assert calls == [case_id]
    assert len(types_of(business, case_id, "packet.assembled")) == 1


def test_a_throttle_outlasting_the_clients_retries_in_a_step_is_retried_by_the_workflow_and_recorded_once(
    business: Api, workflow_on: Callable[[float], None], dynamodb: Any, local_aws: LocalAws
) -> None:
    """The write that moves the case to packet_ready is throttled for one whole boto3 call."""
    # Given a case held for its evidence, and DynamoDB throttling the packet step's final write
    workflow_on(5)  # a long response window: the case waits for the debtor once the demand is out
    case_id = submit(business, us_case("US-IN"))
    wait_for_status(business, case_id, "on_hold")
    throttle = dynamodb_throttle(case_id, '"packet_ready"', times=CLIENT_ATTEMPTS)

    # When the evidence arrives and the workflow runs through the throttle
    with injected(dynamodb, "TransactWriteItems", throttle):
        upload_complete_evidence(business, case_id, us_case("US-IN"))
        waiting_for(business, case_id, "debtor_response")

    # Then botocore spent its five attempts, the step was retried, and the case went on
    assert throttle.hits == CLIENT_ATTEMPTS
    assert transitions(business, case_id) == ["on_hold", "submitted", "packet_ready", "demand_issued"]
    # with one packet and one statement: the retried step did not do its work twice
    packets = types_of(business, case_id, "packet.assembled")
    assert [p["data"]["version"] for p in packets] == [1]
    statements = [
        e
        for e in types_of(business, case_id, "document.generated")
        if e["data"]["kind"] == "statement_of_account"
    ]
    assert len(statements) == 1
    assert packet_keys(local_aws, tenant_of(business, case_id), case_id) == [packets[0]["data"]["key"]]
    assert_good_packet(business, case_id, packets[0]["data"])
    assert business.call("GET", f"/v1/cases/{case_id}/verify").json["intact"] is True


def test_a_throttle_that_outlasts_every_retry_ends_in_a_recorded_failure_with_no_packet(
    business: Api, workflow_on: Callable[[float], None], dynamodb: Any, local_aws: LocalAws
) -> None:
    # Given DynamoDB refusing the packet step's final write for as long as it is tried
    workflow_on(5)
    case_id = submit(business, us_case("US-KS"))
    wait_for_status(business, case_id, "on_hold")
    throttle = dynamodb_throttle(case_id, '"packet_ready"')

    # When the workflow runs
    with injected(dynamodb, "TransactWriteItems", throttle):
        upload_complete_evidence(business, case_id, us_case("US-KS"))
        case = wait_for_status(business, case_id, "failed", timeout=60)

    # Then every step attempt spent every client attempt, and the failure is on the timeline once
    assert throttle.hits == STEP_ATTEMPTS * CLIENT_ATTEMPTS
    failures = [e for e in types_of(business, case_id, "case.status_changed") if e["data"]["to"] == "failed"]
    assert len(failures) == 1
    assert failures[0]["data"]["error"] == "ProvisionedThroughputExceededException"
    assert case["status"] == "failed"
    # and the case points at no packet, and no packet object or upload is left behind
    tenant_id = tenant_of(business, case_id)
    assert types_of(business, case_id, "packet.assembled") == []
    assert business.call("GET", f"/v1/cases/{case_id}/packet").status_code == 404
    assert packet_keys(local_aws, tenant_id, case_id) == []
    assert pending_uploads(local_aws, tenant_id, case_id) == []

    # When the throttle is over, a new packet can be made: version 1, whole
    made = business.call("POST", f"/v1/cases/{case_id}/packet")
    assert made.status_code == 201, made.json
    assert made.json["version"] == 1
    assert_good_packet(business, case_id, types_of(business, case_id, "packet.assembled")[0]["data"])


def test_a_throttled_submission_is_a_503_to_retry_and_writes_nothing(
    business: Api, case_payload: dict[str, Any], dynamodb: Any
) -> None:
    # Given DynamoDB throttling the write of this very case for longer than botocore retries
    reference = f"THROTTLED-{uuid.uuid4().hex[:10]}"
    payload = {**case_payload, "creditor_reference": reference}
    headers = {"Idempotency-Key": f"submit-{uuid.uuid4()}"}
    throttle = dynamodb_throttle(reference, times=CLIENT_ATTEMPTS)

    # When the business submits it
    with injected(dynamodb, "TransactWriteItems", throttle):
        refused = business.call("POST", "/v1/cases", json=payload, headers=headers)

    # Then it is told to try again, in a problem document
    assert throttle.hits == CLIENT_ATTEMPTS
    assert refused.status_code == 503, refused.json
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json["type"].endswith("/service-unavailable")
    # and no case was written
    listed = business.call("GET", "/v1/cases").json["items"]
    assert [c for c in listed if c["creditor_reference"] == reference] == []

    # When it retries with the same Idempotency-Key, the case is created, once
    retried = business.call("POST", "/v1/cases", json=payload, headers=headers)
    replayed = business.call("POST", "/v1/cases", json=payload, headers=headers)
    assert retried.status_code == replayed.status_code == 201, retried.json
    assert retried.json["case_id"] == replayed.json["case_id"]
    listed = business.call("GET", "/v1/cases").json["items"]
    assert [c["case_id"] for c in listed if c["creditor_reference"] == reference] == [retried.json["case_id"]]


def test_a_throttled_idempotency_record_is_a_503_too(
    business: Api, case_payload: dict[str, Any], dynamodb: Any
) -> None:
    # Given the idempotency store throttled (the first write of a submission)
    reference = f"THROTTLED-{uuid.uuid4().hex[:10]}"
    payload = {**case_payload, "creditor_reference": reference}
    headers = {"Idempotency-Key": f"submit-{uuid.uuid4()}"}
    throttle = dynamodb_throttle('"IDEMPOTENCY"', times=CLIENT_ATTEMPTS)

    with injected(dynamodb, "PutItem", throttle):
        refused = business.call("POST", "/v1/cases", json=payload, headers=headers)

    assert throttle.hits == CLIENT_ATTEMPTS
    assert refused.status_code == 503, refused.json
    assert "Retry-After" in refused.headers
    listed = business.call("GET", "/v1/cases").json["items"]
    assert [c for c in listed if c["creditor_reference"] == reference] == []
    assert business.call("POST", "/v1/cases", json=payload, headers=headers).status_code == 201


def idempotency_records(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "IDEMPOTENCY"}},
    )["Items"]
    return items


def test_a_lost_idempotency_record_never_makes_a_second_case(
    business: Api, case_payload: dict[str, Any], dynamodb: Any, local_aws: LocalAws
) -> None:
    # Given the case is stored but the idempotency record of its success cannot be written
    reference = f"LOST-RECORD-{uuid.uuid4().hex[:10]}"
    payload = {**case_payload, "creditor_reference": reference}
    headers = {"Idempotency-Key": f"submit-{uuid.uuid4()}"}
    throttle = dynamodb_throttle('"IDEMPOTENCY"', times=CLIENT_ATTEMPTS)
    with injected(dynamodb, "UpdateItem", throttle):
        refused = business.call("POST", "/v1/cases", json=payload, headers=headers)
    assert throttle.hits == CLIENT_ATTEMPTS
    assert refused.status_code == 503, refused.json
    stored = [
        c for c in business.call("GET", "/v1/cases").json["items"] if c["creditor_reference"] == reference
    ]
    assert len(stored) == 1
    # and a retry at once is told the first attempt is still in progress
    assert business.call("POST", "/v1/cases", json=payload, headers=headers).status_code == 409

    # When the in-progress record has timed out and the business retries
    for item in idempotency_records(dynamodb, local_aws.table):
        if item.get("status", {}).get("S") == "INPROGRESS":
            dynamodb.update_item(
                TableName=local_aws.table,
                Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET in_progress_expiration = :past",
                ExpressionAttributeValues={":past": {"N": "0"}},
            )
    retried = business.call("POST", "/v1/cases", json=payload, headers=headers)

    # Then it gets the case its first attempt stored, and there is still one
    assert retried.status_code == 201, retried.json
    assert retried.json["case_id"] == stored[0]["case_id"]
    listed = business.call("GET", "/v1/cases").json["items"]
    assert [c["case_id"] for c in listed if c["creditor_reference"] == reference] == [stored[0]["case_id"]]
    assert len(types_of(business, stored[0]["case_id"], "case.submitted")) == 1

    # and once the idempotency record itself has expired, the key still names that one case:
    # the same body gets it back, another body is a conflict
    for item in idempotency_records(dynamodb, local_aws.table):
        dynamodb.delete_item(TableName=local_aws.table, Key={"pk": item["pk"], "sk": item["sk"]})
    again = business.call("POST", "/v1/cases", json=payload, headers=headers)
    assert (again.status_code, again.json["case_id"]) == (201, stored[0]["case_id"])
    for item in idempotency_records(dynamodb, local_aws.table):
        dynamodb.delete_item(TableName=local_aws.table, Key={"pk": item["pk"], "sk": item["sk"]})
    other = business.call(
        "POST", "/v1/cases", json={**payload, "creditor_reference": "OTHER"}, headers=headers
    )
    assert other.status_code == 409, other.json


# --- 2. S3 errors ----------------------------------------------------------------------------------


def test_s3_slowdowns_within_the_clients_retries_do_not_show(
    business: Api, case_payload: dict[str, Any], s3: Any, local_aws: LocalAws
) -> None:
    # Given S3 answering SlowDown to the first attempts of every packet write
    case_id = submit(business, case_payload)
    faults = [
        s3_error("SlowDown", f"/{case_id}/v0001.zip", times=CLIENT_ATTEMPTS - 1),
    ]
    with (
        injected(s3, "UploadPart", faults[0]),
        injected(s3, "CompleteMultipartUpload", s3_error("InternalError", case_id, CLIENT_ATTEMPTS - 1, 500)),
        injected(s3, "PutObject", s3_error("SlowDown", f"/{case_id}/", times=CLIENT_ATTEMPTS - 1)),
    ):
        made = business.call("POST", f"/v1/cases/{case_id}/packet")

    # Then the packet is made once, whole, and nothing is pending
    assert made.status_code == 201, made.json
    packets = types_of(business, case_id, "packet.assembled")
    assert [p["data"]["version"] for p in packets] == [1]
    assert_good_packet(business, case_id, packets[0]["data"])
    assert pending_uploads(local_aws, tenant_of(business, case_id), case_id) == []


def test_an_s3_failure_while_completing_a_packet_leaves_nothing_and_a_retry_makes_it(
    business: Api, case_payload: dict[str, Any], s3: Any, local_aws: LocalAws
) -> None:
    # Given S3 failing CompleteMultipartUpload for the case's packet, after its parts were uploaded
    case_id = submit(business, case_payload)
    tenant_id = tenant_of(business, case_id)
    fault = s3_error("InternalError", f"/{case_id}/v0001.zip", status=500)
    with injected(s3, "CompleteMultipartUpload", fault):
        failed = business.call("POST", f"/v1/cases/{case_id}/packet")

    # Then the caller may retry; no packet is visible, recorded, or left half-uploaded
    assert fault.hits == CLIENT_ATTEMPTS
    assert failed.status_code == 503, failed.json
    assert "Retry-After" in failed.headers
    assert packet_keys(local_aws, tenant_id, case_id) == []
    assert pending_uploads(local_aws, tenant_id, case_id) == []
    assert types_of(business, case_id, "packet.assembled") == []
    assert business.call("GET", f"/v1/cases/{case_id}/packet").status_code == 404

    # When retried, the packet is version 1 and whole
    made = business.call("POST", f"/v1/cases/{case_id}/packet")
    assert made.status_code == 201 and made.json["version"] == 1
    assert_good_packet(business, case_id, types_of(business, case_id, "packet.assembled")[0]["data"])


def test_a_packet_upload_abandoned_mid_way_is_cleaned_up_by_the_next_attempt(
    business: Api, case_payload: dict[str, Any], s3: Any, local_aws: LocalAws
) -> None:
    """The process "dies" after a part went up: S3 is down, so not even the abort gets through."""
    case_id = submit(business, case_payload)
    tenant_id = tenant_of(business, case_id)
    key = f"/{case_id}/v0001.zip"
    with (
        injected(s3, "CompleteMultipartUpload", s3_error("ServiceUnavailable", key)),
        injected(s3, "AbortMultipartUpload", s3_error("ServiceUnavailable", key)),
    ):
        failed = business.call("POST", f"/v1/cases/{case_id}/packet")
    assert failed.status_code == 503
    assert len(pending_uploads(local_aws, tenant_id, case_id)) == 1  # what a dead process leaves
    assert packet_keys(local_aws, tenant_id, case_id) == []

    # When the packet is made again
    made = business.call("POST", f"/v1/cases/{case_id}/packet")

    # Then it is whole, and the abandoned upload is gone (not only after the bucket's lifecycle rule)
    assert made.status_code == 201 and made.json["version"] == 1
    assert_good_packet(business, case_id, types_of(business, case_id, "packet.assembled")[0]["data"])
    assert pending_uploads(local_aws, tenant_id, case_id) == []
    assert packet_keys(local_aws, tenant_id, case_id) == [f"packets/{tenant_id}/{case_id}/v0001.zip"]


def test_a_packet_made_but_not_recorded_is_deleted_and_made_again(
    business: Api, case_payload: dict[str, Any], dynamodb: Any, local_aws: LocalAws
) -> None:
    """The packet object was completed, then recording it failed: the case never pointed at it."""
    case_id = submit(business, case_payload)
    tenant_id = tenant_of(business, case_id)
    throttle = dynamodb_throttle(case_id, '"packet.assembled"', times=CLIENT_ATTEMPTS)
    with injected(dynamodb, "TransactWriteItems", throttle):
        failed = business.call("POST", f"/v1/cases/{case_id}/packet")
    assert failed.status_code == 503
    assert types_of(business, case_id, "packet.assembled") == []
    assert business.call("GET", f"/v1/cases/{case_id}/packet").status_code == 404
    assert packet_keys(local_aws, tenant_id, case_id) == []  # the unrecorded object was deleted

    made = business.call("POST", f"/v1/cases/{case_id}/packet")

    assert made.status_code == 201 and made.json["version"] == 1, made.json
    recorded = types_of(business, case_id, "packet.assembled")
    assert len(recorded) == 1
    assert_good_packet(business, case_id, recorded[0]["data"])
    assert packet_keys(local_aws, tenant_id, case_id) == [recorded[0]["data"]["key"]]
    statements = [
        e
        for e in types_of(business, case_id, "document.generated")
        if e["data"]["kind"] == "statement_of_account"
    ]
    assert len(statements) == 1  # the failed attempt's statement went into the packet that was made


def test_a_document_whose_timeline_entry_failed_is_not_the_cases_and_not_packed(
    business: Api, case_payload: dict[str, Any], dynamodb: Any
) -> None:
    """The letter's file and record were stored, then putting its hash on the timeline failed."""
    case_id = submit(business, case_payload)
    throttle = dynamodb_throttle(case_id, '"document.generated"', "demand_letter", times=CLIENT_ATTEMPTS)
    with injected(dynamodb, "TransactWriteItems", throttle):
        failed = business.call("POST", f"/v1/cases/{case_id}/documents", json={"kind": "demand_letter"})
    assert failed.status_code == 503, failed.json
    assert business.call("GET", f"/v1/cases/{case_id}/documents").json["items"] == []

    made = business.call("POST", f"/v1/cases/{case_id}/documents", json={"kind": "demand_letter"})
    packed = business.call("POST", f"/v1/cases/{case_id}/packet")

    assert made.status_code == 201, made.json
    listed = business.call("GET", f"/v1/cases/{case_id}/documents").json["items"]
    assert [d["document_id"] for d in listed if d["kind"] == "demand_letter"] == [made.json["document_id"]]
    assert packed.status_code == 201, packed.json
    link = business.call("GET", f"/v1/cases/{case_id}/packet").json
    with zipfile.ZipFile(io.BytesIO(requests.get(link["url"], timeout=30).content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    letters = [f["sha256"] for f in manifest["files"] if "demand_letter" in f["path"]]
    assert letters == [made.json["sha256"]]


def test_a_packet_left_unrecorded_by_a_dead_writer_does_not_block_the_next_version(
    business: Api, case_payload: dict[str, Any], dynamodb: Any, s3: Any, local_aws: LocalAws
) -> None:
    """As above, but the writer "died" before it could delete the object: the key stays taken."""
    case_id = submit(business, case_payload)
    tenant_id = tenant_of(business, case_id)
    with (
        injected(dynamodb, "TransactWriteItems", dynamodb_throttle(case_id, '"packet.assembled"')),
        injected(s3, "DeleteObject", s3_error("ServiceUnavailable", f"/{case_id}/v0001.zip")),
    ):
        failed = business.call("POST", f"/v1/cases/{case_id}/packet")
    assert failed.status_code == 503
    assert packet_keys(local_aws, tenant_id, case_id) == [f"packets/{tenant_id}/{case_id}/v0001.zip"]

    made = business.call("POST", f"/v1/cases/{case_id}/packet")

    # Then the packet is written and recorded at the next free version; v1 is never pointed at
    assert made.status_code == 201, made.json
    recorded = types_of(business, case_id, "packet.assembled")
    assert [p["data"]["version"] for p in recorded] == [2]
    assert_good_packet(business, case_id, recorded[0]["data"])
    assert business.call("GET", f"/v1/cases/{case_id}/verify").json["intact"] is True


# --- 3. A Lambda raising ---------------------------------------------------------------------------


class LambdaCrashedError(Exception):
    """Stands for what kills an invocation after its work is done (a timeout, an out-of-memory)."""


@pytest.mark.parametrize(
    ("function", "step"),
    [
        ("workflow_packet", "assemble_packet"),
        ("workflow_demand", "issue_demand"),
        ("workflow_routing", "route"),
        ("workflow_referral", "send_referral"),
    ],
)
def test_a_step_that_crashes_after_its_work_is_retried_without_doing_it_twice(
    business: Api, workflow_on: Callable[..., None], function: str, step: str
) -> None:
    from handoff.handlers import workflow_steps

    real = getattr(workflow_steps, step)
    state = {"assemble_packet": "US-AL", "issue_demand": "US-AR", "route": "US-CT", "send_referral": "US-HI"}
    jurisdiction = state[step]
    agency = add_partner([jurisdiction], "agency", "USD", capacity=5)
    crashed: list[str] = []

    def crash_once(event: dict[str, Any], context: Any) -> Any:
        result = real(event, context)
        if not crashed:
            crashed.append(event["case_id"])
            raise LambdaCrashedError("injected: the invocation died after doing its work")
        return result

    workflow_on(0.1)
    register_function(function, crash_once)
    try:
        case_id = ready_case(business, us_case(jurisdiction))
        waiting_for(business, case_id, "partner_acceptance")
    finally:
        register_function(function, real)

    assert crashed == [case_id]
    assert transitions(business, case_id) == [
        "on_hold",
        "submitted",
        "packet_ready",
        "demand_issued",
        "routing",
        "assigned",
    ]
    kinds = [e["data"]["kind"] for e in types_of(business, case_id, "document.generated")]
    assert sorted(kinds) == ["agency_placement", "demand_letter", "statement_of_account"]
    assert len(types_of(business, case_id, "packet.assembled")) == 1
    assert len(types_of(business, case_id, "routing.decided")) == 1
    from handoff.adapters.partner_store import partner_repository

    assert partner_repository().get(agency).open_cases == 1  # capacity reserved once


@pytest.mark.xdist_group("faults-webhooks")  # beside the workflow faults, on the other worker
def test_a_webhook_sender_that_crashes_is_retried_and_the_delivery_is_logged(
    business: Api, receiver: Receiver, case_payload: dict[str, Any], dynamodb: Any
) -> None:
    """The receiver got the event, then the sender could not log it: SQS brings the message back."""
    created = register(business, receiver.url, ["case.submitted"]).json
    endpoint_id, secret = created["endpoint_id"], created["secret"]
    # the sender's own write (the delivery log) is throttled for one whole call
    throttle = dynamodb_throttle(endpoint_id, '"delivered"', times=CLIENT_ATTEMPTS)

    with injected(dynamodb, "PutItem", throttle):
        case_id = submit_case(business, case_payload)
        logged = wait_for(
            lambda: [d for d in deliveries(business, endpoint_id) if d["status"] == "delivered"], 30
        )

    assert throttle.hits == CLIENT_ATTEMPTS
    assert len(logged) == 1 and logged[0]["case_id"] == case_id
    # delivered at least once, always as the same signed message, so the receiver can dedupe
    bodies = receiver.bodies(secret)
    assert len(bodies) == 2
    assert {h["webhook-id"] for h, _ in receiver.received} == {logged[0]["message_id"]}
    assert all(b["data"]["case_id"] == case_id for b in bodies)


@pytest.mark.xdist_group("faults-webhooks")
def test_a_sender_that_keeps_crashing_sends_the_event_to_the_dead_letter_queue(
    business: Api, receiver: Receiver, case_payload: dict[str, Any], local_aws: LocalAws
) -> None:
    """Not a failed delivery (that is logged and retried by the sender) but a sender that cannot run."""
    from handoff.handlers import webhook_sender

    endpoint_id = register(business, receiver.url, ["case.submitted"]).json["endpoint_id"]
    runs: list[int] = []

    def broken(event: dict[str, Any], context: Any) -> Any:
        runs.append(len(event["Records"]))
        raise RuntimeError("injected: the sender cannot start")

    sqs = boto3.client("sqs", endpoint_url=local_aws.endpoint)
    dlq = sqs.get_queue_url(QueueName=f"{local_aws.outbound_queue}-dlq")["QueueUrl"]
    register_function("webhook_sender", broken)
    try:
        case_id = submit_case(business, case_payload)

        def dead_lettered() -> list[dict[str, Any]]:
            messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
            return [json.loads(m["Body"]) for m in messages if case_id in m["Body"]]

        parked = wait_for(dead_lettered, 45)
    finally:
        register_function("webhook_sender", webhook_sender.handler)

    # Then it was tried as often as the queue's redrive policy allows, and is kept, not lost
    assert len(runs) >= 5  # maxReceiveCount of the outbound queue
    assert parked[0]["case_id"] == case_id and parked[0]["type"] == "case.submitted"
    assert receiver.received == [] and deliveries(business, endpoint_id) == []


def submit_case(business: Api, payload: dict[str, Any]) -> str:
    created = business.call("POST", "/v1/cases", json=payload, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.json
    return str(created.json["case_id"])
