"""Outbound webhooks end to end on moto: endpoints, signed deliveries, retries, dead letters, replays.

A receiver on 127.0.0.1 (the local runtime allows loopback http) gets what `webhook_sender`
sends through the outbound queue, and checks every delivery with `standardwebhooks`.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from standardwebhooks import Webhook

from handoff.local.aws import LocalAws
from tests.integration.conftest import Api

pytestmark = pytest.mark.xdist_group("webhooks")


@dataclass
class Receiver:
    url: str
    status: int = 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def bodies(self, secret: str) -> list[dict[str, Any]]:
        """Every received body, each verified against its Standard Webhooks signature."""
        return [Webhook(secret).verify(body, headers) for headers, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def fast_retries(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Three attempts, about a second apart, so a dead letter takes seconds, not an hour."""
    from handoff.adapters.webhooks import reset_webhooks
    from handoff.config import webhook_sender_settings

    monkeypatch.setenv("WEBHOOK_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("WEBHOOK_RETRY_CAP_SECONDS", "1")
    webhook_sender_settings.cache_clear()
    reset_webhooks()
    yield
    monkeypatch.undo()
    webhook_sender_settings.cache_clear()
    reset_webhooks()


def wait_for(check: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"not true within {seconds}s")


def register(api: Api, url: str, event_types: list[str]) -> Any:
    return api.call("POST", "/v1/webhook-endpoints", json={"url": url, "event_types": event_types})


def submit(api: Api, case_payload: dict[str, Any]) -> str:
    created = api.call("POST", "/v1/cases", json=case_payload, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.json
    return str(created.json["case_id"])


def another_business(operator: Api, tenant_profile: dict[str, Any]) -> Api:
    tenant = operator.call("POST", "/v1/tenants", json=tenant_profile).json
    issued = operator.call(
        "POST", "/v1/api-keys", json={"kind": "business", "tenant_id": tenant["tenant_id"]}
    )
    return operator.as_key(issued.json["secret"])


def deliveries(api: Api, endpoint_id: str) -> list[dict[str, Any]]:
    listed = api.call("GET", f"/v1/webhook-endpoints/{endpoint_id}/deliveries")
    assert listed.status_code == 200, listed.json
    items: list[dict[str, Any]] = listed.json["items"]
    return items


def test_case_events_arrive_signed_and_verifiable(
    business: Api, receiver: Receiver, case_payload: dict[str, Any]
) -> None:
    # Given an endpoint for every event type
    created = register(business, receiver.url, ["*"])
    assert created.status_code == 201, created.json
    secret = created.json["secret"]
    assert secret.startswith("whsec_")
    endpoint_id = created.json["endpoint_id"]

    # When a case is submitted and then withdrawn
    case_id = submit(business, case_payload)
    withdrawn = business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "paid in full"})
    assert withdrawn.status_code == 200, withdrawn.json

    # Then both events arrive, each with a signature that verifies with the endpoint's secret
    wait_for(lambda: len(receiver.received) >= 2)
    bodies = sorted(receiver.bodies(secret), key=lambda b: b["data"]["seq"])
    assert [b["type"] for b in bodies] == ["case.submitted", "case.status_changed"]
    assert all(b["data"]["case_id"] == case_id for b in bodies)
    assert bodies[1]["data"]["to"] == "withdrawn"
    assert all(set(b) == {"type", "timestamp", "data"} for b in bodies)
    ids = {headers["webhook-id"] for headers, _ in receiver.received}
    assert len(ids) == 2  # one id per event and endpoint

    # And a wrong secret does not verify
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43 + "=").verify(receiver.received[0][1], receiver.received[0][0])

    # And each attempt is listed, newest first, without the payload
    listed = wait_for(
        lambda: len(deliveries(business, endpoint_id)) >= 2 and deliveries(business, endpoint_id)
    )
    assert {d["status"] for d in listed} == {"delivered"}
    assert {d["response_code"] for d in listed} == {200}
    assert {d["message_id"] for d in listed} == ids
    assert listed[0]["delivery_id"] > listed[1]["delivery_id"]
    assert "payload" not in listed[0]


def test_only_subscribed_event_types_are_sent(
    business: Api, receiver: Receiver, case_payload: dict[str, Any]
) -> None:
    secret = register(business, receiver.url, ["case.status_changed"]).json["secret"]
    case_id = submit(business, case_payload)
    business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "settled"})

    wait_for(lambda: receiver.received)
    time.sleep(1.5)  # room for a wrongly sent case.submitted to arrive too
    assert [b["type"] for b in receiver.bodies(secret)] == ["case.status_changed"]


def test_endpoint_list_and_delete_never_show_the_secret(business: Api, receiver: Receiver) -> None:
    created = register(business, receiver.url, ["case.submitted"]).json
    endpoint_id = created["endpoint_id"]

    listed = business.call("GET", "/v1/webhook-endpoints").json["items"]

    assert [e["endpoint_id"] for e in listed] == [endpoint_id]
    assert "secret" not in listed[0]
    assert listed[0]["event_types"] == ["case.submitted"]
    assert business.call("DELETE", f"/v1/webhook-endpoints/{endpoint_id}").status_code == 204
    assert business.call("GET", "/v1/webhook-endpoints").json["items"] == []
    assert business.call("DELETE", f"/v1/webhook-endpoints/{endpoint_id}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.acme.example/handoff",
        "ftp://hooks.acme.example/x",
        "https://10.0.0.7/hooks",
        "not a url",
    ],
)
def test_only_https_endpoints_are_accepted(business: Api, url: str) -> None:
    refused = register(business, url, ["*"])

    assert refused.status_code == 422, refused.json
    assert [p["name"] for p in refused.json["invalid-params"]] == ["body.url"]
    assert business.call("GET", "/v1/webhook-endpoints").json["items"] == []


def test_invalid_event_types_are_refused(business: Api, receiver: Receiver) -> None:
    for event_types in ([], ["Case Submitted"], "*"):
        refused = business.call(
            "POST", "/v1/webhook-endpoints", json={"url": receiver.url, "event_types": event_types}
        )
        assert refused.status_code == 422, refused.json


def test_failing_endpoint_is_retried_with_back_off_then_dead_lettered_and_replay_delivers(
    business: Api, receiver: Receiver, case_payload: dict[str, Any], local_aws: LocalAws
) -> None:
    # Given an endpoint that answers 500
    receiver.status = 500
    created = register(business, receiver.url, ["case.status_changed"]).json
    endpoint_id, secret = created["endpoint_id"], created["secret"]
    case_id = submit(business, case_payload)
    business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "paid in full"})

    # When its three attempts fail
    attempts = wait_for(lambda: [d for d in deliveries(business, endpoint_id) if d["status"] == "dead"], 40)
    history = list(reversed(deliveries(business, endpoint_id)))

    # Then each was recorded, the first two with a next attempt, the last one dead
    assert [d["attempt"] for d in history] == [1, 2, 3]
    assert [d["status"] for d in history] == ["failed", "failed", "dead"]
    assert all(d["response_code"] == 500 for d in history)
    assert all(d["next_attempt_at"] for d in history[:2]) and history[2]["next_attempt_at"] is None
    assert len({d["message_id"] for d in history}) == 1  # the same webhook-id on every attempt
    assert len(receiver.received) == 3
    for earlier, later in zip(receiver.received, receiver.received[1:], strict=False):
        assert int(later[0]["webhook-timestamp"]) >= int(earlier[0]["webhook-timestamp"]) + 1  # backed off
    dead = attempts[0]

    # And the message is in the dead-letter queue
    sqs = boto3.client("sqs", endpoint_url=local_aws.endpoint)
    dlq = sqs.get_queue_url(QueueName=f"{local_aws.outbound_queue}-dlq")["QueueUrl"]

    def dead_lettered() -> bool:
        messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
        return any(json.loads(m["Body"]).get("message_id") == dead["message_id"] for m in messages)

    wait_for(dead_lettered, 10)

    # When the endpoint recovers and the dead delivery is replayed
    receiver.status = 204
    replayed = business.call(
        "POST", f"/v1/webhook-endpoints/{endpoint_id}/deliveries/{dead['delivery_id']}/replay"
    )
    assert replayed.status_code == 202, replayed.json

    # Then it is delivered, with the same webhook-id and a valid signature
    delivered = wait_for(
        lambda: [d for d in deliveries(business, endpoint_id) if d["status"] == "delivered"], 20
    )
    assert delivered[0]["replay_of"] == dead["delivery_id"]
    assert delivered[0]["attempt"] == 1
    assert delivered[0]["message_id"] == dead["message_id"]
    assert receiver.received[-1][0]["webhook-id"] == dead["message_id"]
    assert receiver.bodies(secret)[-1]["data"]["case_id"] == case_id


def test_another_tenant_gets_404_for_endpoints_and_deliveries(
    business: Api,
    operator: Api,
    tenant_profile: dict[str, Any],
    receiver: Receiver,
    case_payload: dict[str, Any],
) -> None:
    endpoint_id = register(business, receiver.url, ["*"]).json["endpoint_id"]
    submit(business, case_payload)
    delivery_id = wait_for(lambda: deliveries(business, endpoint_id))[0]["delivery_id"]
    other = another_business(operator, tenant_profile)

    base = f"/v1/webhook-endpoints/{endpoint_id}"
    assert other.call("GET", "/v1/webhook-endpoints").json["items"] == []
    assert other.call("GET", f"{base}/deliveries").status_code == 404
    assert other.call("POST", f"{base}/deliveries/{delivery_id}/replay").status_code == 404
    assert other.call("DELETE", base).status_code == 404
    assert business.call("GET", f"{base}/deliveries").status_code == 200
    # nor may a delivery be replayed through another of one's own endpoints
    own_other = register(business, receiver.url, ["*"]).json["endpoint_id"]
    crossed = business.call("POST", f"/v1/webhook-endpoints/{own_other}/deliveries/{delivery_id}/replay")
    assert crossed.status_code == 404


def test_an_operator_key_may_not_manage_endpoints(operator: Api, receiver: Receiver) -> None:
    assert register(operator, receiver.url, ["*"]).status_code == 403


def test_signing_secrets_are_not_stored_in_clear(
    business: Api, receiver: Receiver, local_aws: LocalAws
) -> None:
    secret = register(business, receiver.url, ["*"]).json["secret"]
    raw = secret.removeprefix("whsec_")

    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoint)
    dumped = json.dumps(
        [
            item
            for page in client.get_paginator("scan").paginate(TableName=local_aws.table)
            for item in page["Items"]
        ]
    )

    assert raw not in dumped
    assert "webhook_endpoint" in dumped  # the endpoint is there, sealed


@dataclass
class ControlledResolver:
    """The sender's resolver in these tests: the n-th lookup of a host gets its n-th answer (the last
    repeats); other hosts (retries left over from earlier tests) resolve nowhere."""

    answers: dict[str, list[list[str]]]
    asked: list[str] = field(default_factory=list)

    def resolve(self, host: str, port: int) -> list[Any]:
        self.asked.append(host)
        answers = self.answers.get(host, [[]])
        answer = answers[min(self.asked.count(host), len(answers)) - 1]
        return [ipaddress.ip_address(a) for a in answer]


@pytest.fixture
def resolver(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[dict[str, list[list[str]]]], ControlledResolver]]:
    from handoff.adapters import webhooks as adapter

    def use(answers: dict[str, list[list[str]]]) -> ControlledResolver:
        controlled = ControlledResolver(answers)
        monkeypatch.setattr(adapter, "address_resolver", functools.cache(lambda: controlled))
        adapter.sender_deps.cache_clear()
        return controlled

    yield use
    monkeypatch.undo()
    adapter.sender_deps.cache_clear()


@pytest.mark.parametrize(
    "answer",
    [["169.254.169.254"], ["10.20.30.40"], ["93.184.216.34", "172.16.5.5"]],
    ids=["metadata", "10.x", "mix"],
)
def test_a_delivery_to_a_name_resolving_to_a_non_public_address_is_blocked_and_listed(
    business: Api, case_payload: dict[str, Any], resolver: Any, answer: list[str]
) -> None:
    # Given an endpoint whose public-looking name resolves (now) to an internal address
    controlled = resolver({"hooks.acme-mirror.example": [answer]})
    created = register(business, "https://hooks.acme-mirror.example/handoff", ["case.submitted"])
    assert created.status_code == 201, created.json

    # When an event is due for it
    submit(business, case_payload)

    # Then the attempt is recorded as blocked, and nothing was sent
    (first, *_) = wait_for(lambda: deliveries(business, created.json["endpoint_id"]))
    assert first["outcome"] == "blocked_address" and first["status"] == "failed"
    assert first["response_code"] is None
    assert "not public" in first["error"] and answer[-1] not in first["error"]
    assert "hooks.acme-mirror.example" in controlled.asked
    # (and retried like any failure until dead: wait, so no attempt is written during later tests)
    settled = wait_for(
        lambda: [d for d in deliveries(business, created.json["endpoint_id"]) if d["status"] == "dead"]
    )
    assert settled[0]["outcome"] == "blocked_address"


def test_dns_rebinding_cannot_redirect_a_delivery(
    business: Api, receiver: Receiver, case_payload: dict[str, Any], resolver: Any
) -> None:
    # Given a name that the system resolver does not know, answered by ours: first 127.0.0.1
    # (allowed in the local runtime, where the receiver listens), then a private address
    controlled = resolver({"rebind.localhost": [["127.0.0.1"], ["10.0.0.9"]]})
    port = receiver.url.split(":")[2].split("/")[0]
    created = register(business, f"http://rebind.localhost:{port}/hooks", ["*"]).json
    case_id = submit(business, case_payload)
    wait_for(lambda: receiver.received)

    # When the name rebinds before the next event
    business.call("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "paid in full"})

    # Then the first delivery went to the address that was checked, naming the host...
    listed = wait_for(
        lambda: (
            len(deliveries(business, created["endpoint_id"])) >= 2
            and deliveries(business, created["endpoint_id"])
        )
    )
    assert receiver.received[0][0]["host"] == f"rebind.localhost:{port}"
    # ...and the one after the rebinding was blocked, not sent
    outcomes = {d["event_type"]: d["outcome"] for d in listed if d["attempt"] == 1}
    assert outcomes == {"case.submitted": "delivered", "case.status_changed": "blocked_address"}
    assert len(receiver.received) == 1
    assert controlled.asked.count("rebind.localhost") >= 2  # once per attempt
    wait_for(lambda: any(d["status"] == "dead" for d in deliveries(business, created["endpoint_id"])))
    assert len(receiver.received) == 1  # no retry of the blocked event got through either
