"""Outbound webhooks without AWS: back-off and the delivery use case over fakes."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from handoff.domain.endpoint_addresses import IPAddress
from handoff.domain.errors import NotFoundError
from handoff.domain.webhooks import (
    DeliveryAttempt,
    DeliveryOutcome,
    DeliveryStatus,
    OutboundEvent,
    WebhookEndpoint,
    new_signing_secret,
    retry_delay,
)
from handoff.services import webhooks
from handoff.services.ports import Page
from handoff.services.webhooks import DeliveryOrder, HttpResult, RetryPolicy, SenderDeps

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@dataclass
class FakeStore:
    endpoints: dict[tuple[str, str], tuple[WebhookEndpoint, str]] = field(default_factory=dict)
    attempts: list[DeliveryAttempt] = field(default_factory=list)

    def add_endpoint(self, endpoint: WebhookEndpoint, sealed_secret: str) -> None:
        self.endpoints[(endpoint.tenant_id, endpoint.endpoint_id)] = (endpoint, sealed_secret)

    def get_endpoint(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint:
        if (tenant_id, endpoint_id) not in self.endpoints:
            raise NotFoundError(endpoint_id)
        return self.endpoints[(tenant_id, endpoint_id)][0]

    def list_endpoints(self, tenant_id: str) -> list[WebhookEndpoint]:
        return [e for (t, _), (e, _) in self.endpoints.items() if t == tenant_id]

    def delete_endpoint(self, tenant_id: str, endpoint_id: str) -> None:
        del self.endpoints[(tenant_id, endpoint_id)]

    def sealed_secret(self, tenant_id: str, endpoint_id: str) -> str:
        return self.endpoints[(tenant_id, endpoint_id)][1]

    def has_endpoints(self, tenant_id: str) -> bool:
        return bool(self.list_endpoints(tenant_id))

    def add_attempt(self, attempt: DeliveryAttempt) -> None:
        self.attempts.append(attempt)

    def get_attempt(self, tenant_id: str, endpoint_id: str, delivery_id: str) -> DeliveryAttempt:
        for a in self.attempts:
            if (a.tenant_id, a.endpoint_id, a.delivery_id) == (tenant_id, endpoint_id, delivery_id):
                return a
        raise NotFoundError(delivery_id)

    def list_attempts(
        self, tenant_id: str, endpoint_id: str, limit: int, cursor: str | None
    ) -> Page[DeliveryAttempt]:
        return Page([a for a in self.attempts if a.endpoint_id == endpoint_id][::-1][:limit], None)


@dataclass
class FakeQueue:
    events: list[OutboundEvent] = field(default_factory=list)
    orders: list[tuple[DeliveryOrder, int]] = field(default_factory=list)
    dead: list[DeliveryOrder] = field(default_factory=list)

    def send_events(self, events: Sequence[OutboundEvent]) -> None:
        self.events.extend(events)

    def send_order(self, order: DeliveryOrder, delay_seconds: int) -> None:
        self.orders.append((order, delay_seconds))

    def dead_letter(self, order: DeliveryOrder) -> None:
        self.dead.append(order)


class PlainSealer:
    """Not encryption: enough to check that the context travels with the secret."""

    def seal(self, secret: str, context: dict[str, str]) -> str:
        return f"{sorted(context.items())}|{secret}"

    def open(self, sealed: str, context: dict[str, str]) -> str:
        bound, secret = sealed.split("|")
        assert bound == str(sorted(context.items()))
        return secret


@dataclass
class FakeTransport:
    status: int | None = 200
    sent: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    connected_to: list[list[IPAddress]] = field(default_factory=list)

    def post(
        self, url: str, addresses: Sequence[IPAddress], body: str, headers: dict[str, str]
    ) -> HttpResult:
        self.sent.append((url, body, headers))
        self.connected_to.append(list(addresses))
        return HttpResult(self.status, None if self.status else "timed out")


PUBLIC = ipaddress.ip_address("93.184.216.34")


@dataclass
class FakeResolver:
    """A resolver we control: each call answers the next list of `answers` (the last one repeats)."""

    answers: list[list[str]] = field(default_factory=lambda: [[str(PUBLIC)]])
    asked: list[str] = field(default_factory=list)

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        answer = self.answers[min(len(self.asked), len(self.answers)) - 1]
        return [ipaddress.ip_address(a) for a in answer]


def sender(
    status: int | None,
    max_attempts: int = 3,
    resolver: FakeResolver | None = None,
    url: str = "https://hooks.example.com/h",
) -> tuple[SenderDeps, str, str]:
    deps = SenderDeps(
        FakeStore(),
        FakeQueue(),
        PlainSealer(),
        FakeTransport(status),
        resolver or FakeResolver(),
        RetryPolicy(max_attempts, 2, 60),
        allow_loopback=False,
    )
    endpoint, secret = webhooks.register_endpoint(
        deps.store, deps.sealer, "ten_1", url, ["*"], None, False, NOW
    )
    return deps, endpoint.endpoint_id, secret


EVENT = OutboundEvent(
    "ten_1", "case_1", 4, "case.status_changed", NOW, {"from": "submitted", "to": "withdrawn"}
)


def test_back_off_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (4, 240), (6, 900), (12, 900)]:
        delays = {retry_delay(attempt, 30, 900, rng) for _ in range(50)}
        assert all(ceiling / 2 - 1 <= d <= ceiling for d in delays), (attempt, delays)
        assert len(delays) > 1  # jittered
    assert retry_delay(1, 0.1, 900) == 1  # SQS delays are whole seconds; never 0 for a retry


def test_a_delivery_is_signed_per_standard_webhooks() -> None:
    deps, endpoint_id, secret = sender(200)

    (attempt,) = webhooks.deliver_event(deps, EVENT, NOW)

    url, body, headers = deps.transport.sent[0]  # type: ignore[attr-defined]
    assert url == "https://hooks.example.com/h"
    assert headers["webhook-id"] == EVENT.message_id(endpoint_id) == attempt.message_id
    assert headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    expected = Webhook(secret).sign(headers["webhook-id"], NOW, body)
    assert headers["webhook-signature"] == expected
    assert attempt.status is DeliveryStatus.delivered and attempt.response_code == 200


def test_a_failure_is_retried_later_for_that_endpoint_only_then_dead_lettered() -> None:
    deps, _, _ = sender(503, max_attempts=3)
    queue: FakeQueue = deps.queue  # type: ignore[assignment]

    (first,) = webhooks.deliver_event(deps, EVENT, NOW)
    second = webhooks.attempt_delivery(deps, queue.orders[-1][0], NOW)
    third = webhooks.attempt_delivery(deps, queue.orders[-1][0], NOW)

    assert first.status is second.status is DeliveryStatus.failed  # type: ignore[union-attr]
    assert third is not None and third.status is DeliveryStatus.dead and third.next_attempt_at is None
    assert [o.attempt for o, _ in queue.orders] == [2, 3]
    assert 1 <= queue.orders[0][1] <= 2 and 2 <= queue.orders[1][1] <= 4
    assert [o.attempt for o in queue.dead] == [3]
    assert len(deps.store.attempts) == 3  # type: ignore[attr-defined]


def test_no_response_counts_as_a_failure() -> None:
    deps, _, _ = sender(None)
    (attempt,) = webhooks.deliver_event(deps, EVENT, NOW)
    assert attempt.status is DeliveryStatus.failed and attempt.error == "timed out"


def test_unsubscribed_types_and_deleted_endpoints_get_nothing() -> None:
    deps, endpoint_id, _ = sender(200)
    webhooks.register_endpoint(
        deps.store, deps.sealer, "ten_1", "https://b.example.com/", ["case.submitted"], None, False, NOW
    )
    assert len(webhooks.deliver_event(deps, EVENT, NOW)) == 1
    order = webhooks.orders_for(deps.store, EVENT)[0]
    deps.store.delete_endpoint("ten_1", endpoint_id)
    assert webhooks.attempt_delivery(deps, order, NOW) is None


def test_replay_requeues_a_fresh_first_attempt_with_the_same_id() -> None:
    deps, endpoint_id, _ = sender(500, max_attempts=1)
    (dead,) = webhooks.deliver_event(deps, EVENT, NOW)

    order = webhooks.replay_delivery(deps.store, deps.queue, "ten_1", endpoint_id, dead.delivery_id)

    assert (order.attempt, order.replay_of, order.message_id) == (1, dead.delivery_id, dead.message_id)
    with pytest.raises(NotFoundError):
        webhooks.replay_delivery(deps.store, deps.queue, "ten_2", endpoint_id, dead.delivery_id)


def test_orders_that_would_not_fit_in_the_invocation_are_queued_instead() -> None:
    deps, _, _ = sender(200)
    webhooks.register_endpoint(
        deps.store, deps.sealer, "ten_1", "https://b.example.com/", ["*"], None, False, NOW
    )
    left = iter([60.0, 4.0])

    attempts = webhooks.deliver_event(deps, EVENT, NOW, lambda: next(left))

    assert len(attempts) == 1
    assert [(o.attempt, delay) for o, delay in deps.queue.orders] == [(1, 0)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "answer",
    [
        ["169.254.169.254"],  # the instance metadata service
        ["10.0.3.7"],
        ["93.184.216.34", "192.168.1.20"],  # one private answer among public ones is enough
        ["2606:2800:220:1:248:1893:25c8:1946", "fd00::7"],
        ["::ffff:169.254.169.254"],
        ["100.64.0.9"],
    ],
)
def test_a_name_resolving_to_a_non_public_address_is_blocked_and_logged(answer: list[str]) -> None:
    deps, _, _ = sender(200, resolver=FakeResolver([answer]))

    (attempt,) = webhooks.deliver_event(deps, EVENT, NOW)

    assert attempt.outcome is DeliveryOutcome.blocked_address
    assert attempt.status is DeliveryStatus.failed and attempt.response_code is None
    assert "not public" in (attempt.error or "") and answer[-1] not in (attempt.error or "")
    assert deps.transport.sent == []  # type: ignore[attr-defined]
    assert deps.store.attempts == [attempt]  # type: ignore[attr-defined]


def test_the_connection_goes_to_the_address_that_was_checked_even_if_dns_rebinds() -> None:
    rebinding = FakeResolver([["93.184.216.34"], ["169.254.169.254"]])
    deps, _, _ = sender(503, resolver=rebinding)
    transport: FakeTransport = deps.transport  # type: ignore[assignment]
    queue: FakeQueue = deps.queue  # type: ignore[assignment]

    (first,) = webhooks.deliver_event(deps, EVENT, NOW)
    second = webhooks.attempt_delivery(deps, queue.orders[-1][0], NOW)

    assert rebinding.asked == ["hooks.example.com", "hooks.example.com"]  # once per attempt
    assert transport.connected_to == [[PUBLIC]]  # the checked answer; the transport resolves nothing
    assert first.outcome is DeliveryOutcome.rejected and first.response_code == 503
    assert second is not None and second.outcome is DeliveryOutcome.blocked_address
    assert len(transport.sent) == 1


def test_a_name_that_does_not_resolve_is_recorded_as_unresolved() -> None:
    deps, _, _ = sender(200, resolver=FakeResolver([[]]))
    (attempt,) = webhooks.deliver_event(deps, EVENT, NOW)
    assert attempt.outcome is DeliveryOutcome.unresolved and attempt.status is DeliveryStatus.failed


def test_an_ip_literal_endpoint_is_checked_without_asking_the_resolver() -> None:
    resolver = FakeResolver()
    deps, _, _ = sender(200, resolver=resolver, url="https://93.184.216.34/h")
    (attempt,) = webhooks.deliver_event(deps, EVENT, NOW)
    assert attempt.outcome is DeliveryOutcome.delivered and resolver.asked == []
    assert deps.transport.connected_to == [[PUBLIC]]  # type: ignore[attr-defined]


def test_an_endpoint_stored_under_older_rules_is_blocked_before_any_lookup() -> None:
    deps, _, _ = sender(200)
    old = WebhookEndpoint("whe_old", "ten_1", "https://0xA9FEA9FE/latest/meta-data", ("*",), NOW)
    context = {"tenant_id": "ten_1", "endpoint_id": "whe_old"}
    deps.store.add_endpoint(old, PlainSealer().seal(new_signing_secret(), context))

    attempts = {a.endpoint_id: a for a in webhooks.deliver_event(deps, EVENT, NOW)}

    assert attempts["whe_old"].outcome is DeliveryOutcome.blocked_address
    assert deps.resolver.asked == ["hooks.example.com"]  # type: ignore[attr-defined]
    assert len(deps.transport.sent) == 1  # type: ignore[attr-defined]
