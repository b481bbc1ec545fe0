"""Outbound webhooks: register endpoints, publish case events, deliver them with retries, replay.

Flow: a committed case change → `publish_events` puts one message per event on the outbound
queue (only for tenants with an endpoint) → the sender runs `deliver_event`: one attempt per
subscribed endpoint → a failed attempt is re-enqueued as a `DeliveryOrder` for that endpoint
alone, delayed by exponential back-off with jitter → after `max_attempts` the attempt is
recorded as dead and the order goes to the dead-letter queue. Every attempt is recorded;
`replay_delivery` enqueues a recorded one again as a fresh first attempt.

Every attempt resolves the endpoint's host through the `AddressResolver` port, refuses to send
when any answer is not a public address (recorded as `blocked_address`), and hands the transport
the addresses it checked: the transport connects to one of those, never resolving the name again,
so a DNS answer that changes between the check and the connection cannot redirect the request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from standardwebhooks import Webhook

from handoff.domain.endpoint_addresses import (
    IPAddress,
    blocked_addresses,
    check_endpoint_url,
    refusal,
    target_of,
)
from handoff.domain.errors import NotFoundError
from handoff.domain.ids import new_id, new_sortable_id
from handoff.domain.redaction import sealed
from handoff.domain.webhooks import (
    DeliveryAttempt,
    DeliveryOutcome,
    DeliveryStatus,
    OutboundEvent,
    WebhookEndpoint,
    new_signing_secret,
    retry_delay,
)
from handoff.services.ports import Page

if TYPE_CHECKING:
    from handoff.domain.case import Case, CaseEvent

TIME_MARGIN_SECONDS = 3.0


@dataclass(frozen=True)
class DeliveryOrder:
    """Deliver one event to one endpoint: attempt `attempt` (1-based)."""

    tenant_id: str
    endpoint_id: str
    message_id: str
    event_type: str
    case_id: str
    seq: int
    payload: str
    attempt: int = 1
    replay_of: str | None = None


@dataclass(frozen=True)
class HttpResult:
    status_code: int | None  # None: no response (timeout, refused, TLS error)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    cap_seconds: float


class WebhookStore(Protocol):
    def add_endpoint(self, endpoint: WebhookEndpoint, sealed_secret: str) -> None: ...

    def get_endpoint(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint: ...

    def list_endpoints(self, tenant_id: str) -> list[WebhookEndpoint]: ...

    def delete_endpoint(self, tenant_id: str, endpoint_id: str) -> None: ...

    def sealed_secret(self, tenant_id: str, endpoint_id: str) -> str: ...

    def has_endpoints(self, tenant_id: str) -> bool: ...

    def add_attempt(self, attempt: DeliveryAttempt) -> None: ...

    def get_attempt(self, tenant_id: str, endpoint_id: str, delivery_id: str) -> DeliveryAttempt: ...

    def list_attempts(
        self, tenant_id: str, endpoint_id: str, limit: int, cursor: str | None
    ) -> Page[DeliveryAttempt]: ...


class OutboundQueue(Protocol):
    def send_events(self, events: Sequence[OutboundEvent]) -> None: ...

    def send_order(self, order: DeliveryOrder, delay_seconds: int) -> None: ...

    def dead_letter(self, order: DeliveryOrder) -> None: ...


class Sealer(Protocol):
    def seal(self, secret: str, context: dict[str, str]) -> str: ...

    def open(self, sealed: str, context: dict[str, str]) -> str: ...


class WebhookTransport(Protocol):
    def post(
        self, url: str, addresses: Sequence[IPAddress], body: str, headers: dict[str, str]
    ) -> HttpResult:
        """POST `body` to `url` over a connection to one of `addresses` (in order), without
        resolving the URL's host; the host still names the server (Host header, TLS SNI and
        certificate check). Redirects are answers, never followed."""
        ...


class AddressResolver(Protocol):
    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address `host` resolves to now, in the order to try them; [] when it does not resolve."""
        ...


def secret_context(tenant_id: str, endpoint_id: str) -> dict[str, str]:
    return {"tenant_id": tenant_id, "endpoint_id": endpoint_id}


def register_endpoint(
    store: WebhookStore,
    sealer: Sealer,
    tenant_id: str,
    url: str,
    event_types: Sequence[str],
    description: str | None,
    allow_loopback: bool,
    now: datetime,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret; the secret is stored sealed and never shown again."""
    endpoint = WebhookEndpoint(
        endpoint_id=new_id("whe"),
        tenant_id=tenant_id,
        url=check_endpoint_url(url, allow_loopback),
        event_types=tuple(dict.fromkeys(event_types)),
        created_at=now,
        description=description,
    )
    secret = new_signing_secret()
    store.add_endpoint(endpoint, sealer.seal(secret, secret_context(tenant_id, endpoint.endpoint_id)))
    return endpoint, secret


def publish_events(store: WebhookStore, queue: OutboundQueue, case: Case, events: Sequence[CaseEvent]) -> int:
    """Queue committed events for the tenant's endpoints; nothing when it has none. Returns the count."""
    if not events or not store.has_endpoints(case.tenant_id):
        return 0
    queue.send_events(  # personal values go out as their redaction markers: see docs/outbound-webhooks.md
        [
            OutboundEvent(
                case.tenant_id,
                case.case_id,
                e.seq,
                e.type,
                e.at,
                sealed(e.type, dict(e.data), case.redaction_salt),
            )
            for e in events
        ]
    )
    return len(events)


def orders_for(store: WebhookStore, event: OutboundEvent) -> list[DeliveryOrder]:
    """One first-attempt order per endpoint of the tenant subscribed to the event's type."""
    payload = event.payload()
    return [
        DeliveryOrder(
            tenant_id=event.tenant_id,
            endpoint_id=endpoint.endpoint_id,
            message_id=event.message_id(endpoint.endpoint_id),
            event_type=event.type,
            case_id=event.case_id,
            seq=event.seq,
            payload=payload,
        )
        for endpoint in store.list_endpoints(event.tenant_id)
        if endpoint.wants(event.type)
    ]


@dataclass(frozen=True)
class SenderDeps:
    store: WebhookStore
    queue: OutboundQueue
    sealer: Sealer
    transport: WebhookTransport
    resolver: AddressResolver
    policy: RetryPolicy
    allow_loopback: bool  # the local runtime's demo receivers on 127.0.0.1; never in a deployed stack
    attempt_seconds: float = 5  # the transport's timeout: how long one attempt may take


def deliver_event(
    deps: SenderDeps, event: OutboundEvent, now: datetime, time_left: Callable[[], float] | None = None
) -> list[DeliveryAttempt]:
    """Attempt each subscribed endpoint now, while this invocation has time for another attempt.

    Orders that would not fit (`time_left()` seconds below one attempt's timeout plus a margin)
    are queued for an immediate separate attempt instead, so a tenant with many slow endpoints
    never runs the function into its timeout (which would make SQS send everything again).
    """
    attempts: list[DeliveryAttempt] = []
    for order in orders_for(deps.store, event):
        if time_left is not None and time_left() < deps.attempt_seconds + TIME_MARGIN_SECONDS:
            deps.queue.send_order(order, 0)
            continue
        attempt = attempt_delivery(deps, order, now)
        if attempt is not None:
            attempts.append(attempt)
    return attempts


def attempt_delivery(deps: SenderDeps, order: DeliveryOrder, now: datetime) -> DeliveryAttempt | None:
    """POST the signed event once, record the attempt, and schedule the next one or give up.

    None when the endpoint was deleted meanwhile: there is nobody to deliver to any more.
    """
    try:
        endpoint = deps.store.get_endpoint(order.tenant_id, order.endpoint_id)
    except NotFoundError:
        return None
    secret = deps.sealer.open(
        deps.store.sealed_secret(order.tenant_id, order.endpoint_id),
        secret_context(order.tenant_id, order.endpoint_id),
    )
    headers = {
        "content-type": "application/json",
        "user-agent": "Handoff-Webhooks/1",
        "webhook-id": order.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(order.message_id, now, order.payload),
    }
    result, outcome = send_checked(deps, endpoint.url, order.payload, headers)
    status = DeliveryStatus.delivered
    next_at: datetime | None = None
    delay = 0
    if not result.ok:
        if order.attempt < deps.policy.max_attempts:
            status = DeliveryStatus.failed
            delay = retry_delay(order.attempt, deps.policy.base_seconds, deps.policy.cap_seconds)
            next_at = now + timedelta(seconds=delay)
        else:
            status = DeliveryStatus.dead
    attempt = DeliveryAttempt(
        delivery_id=new_sortable_id("dlv", int(now.timestamp() * 1000)),
        tenant_id=order.tenant_id,
        endpoint_id=order.endpoint_id,
        message_id=order.message_id,
        event_type=order.event_type,
        case_id=order.case_id,
        seq=order.seq,
        attempt=order.attempt,
        status=status,
        attempted_at=now,
        payload=order.payload,
        outcome=outcome,
        response_code=result.status_code,
        error=result.error,
        next_attempt_at=next_at,
        replay_of=order.replay_of,
    )
    deps.store.add_attempt(attempt)
    if status is DeliveryStatus.failed:
        deps.queue.send_order(replace(order, attempt=order.attempt + 1), delay)
    elif status is DeliveryStatus.dead:
        deps.queue.dead_letter(order)
    return attempt


def send_checked(
    deps: SenderDeps, url: str, body: str, headers: dict[str, str]
) -> tuple[HttpResult, DeliveryOutcome]:
    """Resolve the host now, send nothing if any address is not public, else POST to those addresses."""
    refused = refusal(url, deps.allow_loopback)  # registered under older rules, or configuration changed
    if refused:
        return HttpResult(None, f"not sent: the URL {refused}"), DeliveryOutcome.blocked_address
    target = target_of(url)
    addresses = [target.address] if target.address else deps.resolver.resolve(target.host, target.port)
    if not addresses:
        return HttpResult(None, f"not sent: {target.host} does not resolve"), DeliveryOutcome.unresolved
    if blocked_addresses(addresses, deps.allow_loopback):
        error = (
            f"not sent: {target.host} resolves to an address that is not public "
            "(private, loopback, link-local, shared or reserved)"
        )
        return HttpResult(None, error), DeliveryOutcome.blocked_address
    result = deps.transport.post(url, addresses, body, headers)
    return result, DeliveryOutcome.of_response(result.status_code)


def list_endpoints(store: WebhookStore, tenant_id: str) -> list[WebhookEndpoint]:
    return store.list_endpoints(tenant_id)


def delete_endpoint(store: WebhookStore, tenant_id: str, endpoint_id: str) -> None:
    store.delete_endpoint(tenant_id, endpoint_id)


def list_deliveries(
    store: WebhookStore, tenant_id: str, endpoint_id: str, limit: int, cursor: str | None
) -> Page[DeliveryAttempt]:
    store.get_endpoint(tenant_id, endpoint_id)  # 404 for another tenant's endpoint
    return store.list_attempts(tenant_id, endpoint_id, limit, cursor)


def replay_delivery(
    store: WebhookStore, queue: OutboundQueue, tenant_id: str, endpoint_id: str, delivery_id: str
) -> DeliveryOrder:
    """Enqueue a recorded delivery again, as a fresh first attempt with the same `webhook-id`."""
    store.get_endpoint(tenant_id, endpoint_id)
    recorded = store.get_attempt(tenant_id, endpoint_id, delivery_id)
    if recorded.endpoint_id != endpoint_id:
        raise NotFoundError(f"delivery {delivery_id} not found")
    order = DeliveryOrder(
        tenant_id=tenant_id,
        endpoint_id=endpoint_id,
        message_id=recorded.message_id,
        event_type=recorded.event_type,
        case_id=recorded.case_id,
        seq=recorded.seq,
        payload=recorded.payload,
        replay_of=delivery_id,
    )
    queue.send_order(order, 0)
    return order
