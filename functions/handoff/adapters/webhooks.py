"""Outbound webhook adapters: endpoints and delivery attempts in the table, the SQS queue, HTTP.

Items (docs/data-model.md):
* endpoint — `TENANT#<t>` / `WEBHOOK#<endpoint_id>`: url, event types, the signing secret sealed
  with the secret box (KMS, context {tenant_id, endpoint_id}); never the secret in clear.
* attempt — `TENANT#<t>#WEBHOOK#<endpoint_id>` / `DELIVERY#<delivery_id>` (ids sort by time):
  status, response code, attempt n, next attempt, error, the signed payload (for replay);
  expires after `ATTEMPT_DAYS`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from handoff.adapters.aws import dynamodb, sqs
from handoff.adapters.dynamodb_items import decode_cursor, encode_cursor, from_item, tenant_pk, to_item
from handoff.adapters.webhook_http import PinnedTransport, SystemResolver
from handoff.config import outbound_settings, table_settings, webhook_sender_settings
from handoff.domain.errors import NotFoundError
from handoff.domain.webhooks import (
    DeliveryAttempt,
    DeliveryOutcome,
    DeliveryStatus,
    OutboundEvent,
    WebhookEndpoint,
)
from handoff.observability import logger
from handoff.services.ports import Page
from handoff.services.webhooks import (
    AddressResolver,
    DeliveryOrder,
    RetryPolicy,
    SenderDeps,
    publish_events,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

    from handoff.domain.case import Case, CaseEvent

ATTEMPT_DAYS = 90
ENDPOINT_CACHE_SECONDS = 10.0


def endpoint_sk(endpoint_id: str) -> str:
    return f"WEBHOOK#{endpoint_id}"


def deliveries_pk(tenant_id: str, endpoint_id: str) -> str:
    return f"TENANT#{tenant_id}#WEBHOOK#{endpoint_id}"


class DynamoWebhooks:
    """WebhookStore over the single table.

    `has_endpoints` is asked on every case change, so its answer is kept per tenant for a few
    seconds in this container (and forgotten at once when this container adds or deletes one).
    """

    def __init__(self, client: DynamoDBClient, table: str, cache_seconds: float = ENDPOINT_CACHE_SECONDS):
        self._db = client
        self._table = table
        self._cache_seconds = cache_seconds
        self._known: dict[str, tuple[float, bool]] = {}

    def add_endpoint(self, endpoint: WebhookEndpoint, sealed_secret: str) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "pk": tenant_pk(endpoint.tenant_id),
                    "sk": endpoint_sk(endpoint.endpoint_id),
                    "type": "webhook_endpoint",
                    "endpoint_id": endpoint.endpoint_id,
                    "tenant_id": endpoint.tenant_id,
                    "url": endpoint.url,
                    "event_types": list(endpoint.event_types),
                    "description": endpoint.description,
                    "created_at": endpoint.created_at.isoformat(),
                    "secret_sealed": sealed_secret,
                }
            ),
            ConditionExpression="attribute_not_exists(pk)",
        )
        self._known.pop(endpoint.tenant_id, None)

    def _endpoint_item(self, tenant_id: str, endpoint_id: str) -> dict[str, Any]:
        item = self._db.get_item(
            TableName=self._table,
            Key=to_item({"pk": tenant_pk(tenant_id), "sk": endpoint_sk(endpoint_id)}),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            raise NotFoundError(f"webhook endpoint {endpoint_id} not found")
        return from_item(item)

    def get_endpoint(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint:
        return self._endpoint(self._endpoint_item(tenant_id, endpoint_id))

    def sealed_secret(self, tenant_id: str, endpoint_id: str) -> str:
        return str(self._endpoint_item(tenant_id, endpoint_id)["secret_sealed"])

    def list_endpoints(self, tenant_id: str) -> list[WebhookEndpoint]:
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=to_item({":pk": tenant_pk(tenant_id), ":prefix": "WEBHOOK#"}),
            ConsistentRead=True,
        )
        return [self._endpoint(from_item(i)) for page in pages for i in page.get("Items", [])]

    def delete_endpoint(self, tenant_id: str, endpoint_id: str) -> None:
        try:
            self._db.delete_item(
                TableName=self._table,
                Key=to_item({"pk": tenant_pk(tenant_id), "sk": endpoint_sk(endpoint_id)}),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise NotFoundError(f"webhook endpoint {endpoint_id} not found") from exc
            raise
        self._known.pop(tenant_id, None)

    def has_endpoints(self, tenant_id: str) -> bool:
        now = time.monotonic()
        known = self._known.get(tenant_id)
        if known and now - known[0] < self._cache_seconds:
            return known[1]
        found = bool(
            self._db.query(
                TableName=self._table,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
                ExpressionAttributeValues=to_item({":pk": tenant_pk(tenant_id), ":prefix": "WEBHOOK#"}),
                ProjectionExpression="pk",
                Limit=1,
            ).get("Items")
        )
        self._known[tenant_id] = (now, found)
        return found

    def add_attempt(self, attempt: DeliveryAttempt) -> None:
        expires = attempt.attempted_at + timedelta(days=ATTEMPT_DAYS)
        self._db.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "pk": deliveries_pk(attempt.tenant_id, attempt.endpoint_id),
                    "sk": f"DELIVERY#{attempt.delivery_id}",
                    "type": "webhook_delivery",
                    "delivery_id": attempt.delivery_id,
                    "tenant_id": attempt.tenant_id,
                    "endpoint_id": attempt.endpoint_id,
                    "message_id": attempt.message_id,
                    "event_type": attempt.event_type,
                    "case_id": attempt.case_id,
                    "seq": attempt.seq,
                    "attempt": attempt.attempt,
                    "status": str(attempt.status),
                    "outcome": str(attempt.outcome),
                    "attempted_at": attempt.attempted_at.isoformat(),
                    "payload": attempt.payload,
                    "response_code": attempt.response_code,
                    "error": attempt.error,
                    "next_attempt_at": attempt.next_attempt_at.isoformat()
                    if attempt.next_attempt_at
                    else None,
                    "replay_of": attempt.replay_of,
                    "expires_at": int(expires.timestamp()),
                }
            ),
        )

    def get_attempt(self, tenant_id: str, endpoint_id: str, delivery_id: str) -> DeliveryAttempt:
        item = self._db.get_item(
            TableName=self._table,
            Key=to_item({"pk": deliveries_pk(tenant_id, endpoint_id), "sk": f"DELIVERY#{delivery_id}"}),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            raise NotFoundError(f"delivery {delivery_id} not found")
        return self._attempt(from_item(item))

    def list_attempts(
        self, tenant_id: str, endpoint_id: str, limit: int, cursor: str | None
    ) -> Page[DeliveryAttempt]:
        pk = deliveries_pk(tenant_id, endpoint_id)
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": to_item({":pk": pk, ":prefix": "DELIVERY#"}),
        }
        start = decode_cursor(cursor, pk)
        if start:
            query["ExclusiveStartKey"] = start
        result = self._db.query(
            TableName=self._table, Limit=limit, ScanIndexForward=False, ConsistentRead=True, **query
        )
        attempts = [self._attempt(from_item(item)) for item in result.get("Items", [])]
        return Page(attempts, encode_cursor(result.get("LastEvaluatedKey")))

    @staticmethod
    def _endpoint(values: dict[str, Any]) -> WebhookEndpoint:
        return WebhookEndpoint(
            endpoint_id=values["endpoint_id"],
            tenant_id=values["tenant_id"],
            url=values["url"],
            event_types=tuple(values["event_types"]),
            created_at=datetime.fromisoformat(values["created_at"]),
            description=values.get("description"),
        )

    @staticmethod
    def _attempt(values: dict[str, Any]) -> DeliveryAttempt:
        next_at = values.get("next_attempt_at")
        raw_code = values.get("response_code")
        code = int(raw_code) if raw_code is not None else None
        return DeliveryAttempt(
            delivery_id=values["delivery_id"],
            tenant_id=values["tenant_id"],
            endpoint_id=values["endpoint_id"],
            message_id=values["message_id"],
            event_type=values["event_type"],
            case_id=values["case_id"],
            seq=int(values["seq"]),
            attempt=int(values["attempt"]),
            status=DeliveryStatus(values["status"]),
            attempted_at=datetime.fromisoformat(values["attempted_at"]),
            payload=values["payload"],
            outcome=DeliveryOutcome(values.get("outcome") or DeliveryOutcome.of_response(code)),
            response_code=code,
            error=values.get("error"),
            next_attempt_at=datetime.fromisoformat(next_at) if next_at else None,
            replay_of=values.get("replay_of"),
        )


def event_message(event: OutboundEvent) -> str:
    return json.dumps(
        {
            "tenant_id": event.tenant_id,
            "case_id": event.case_id,
            "seq": event.seq,
            "type": event.type,
            "at": event.at.isoformat(),
            "data": event.data,
        },
        default=str,
        ensure_ascii=False,
    )


def order_message(order: DeliveryOrder) -> str:
    return json.dumps({"kind": "delivery", **asdict(order)}, ensure_ascii=False)


def parse_message(body: str) -> OutboundEvent | DeliveryOrder:
    """A queue message: a case event to fan out, or (`kind` = delivery) one endpoint's order."""
    values = json.loads(body)
    if values.pop("kind", None) == "delivery":
        return DeliveryOrder(**values)
    return OutboundEvent(
        tenant_id=values["tenant_id"],
        case_id=values["case_id"],
        seq=int(values["seq"]),
        type=values["type"],
        at=datetime.fromisoformat(values["at"]),
        data=values.get("data") or {},
    )


class SqsOutbound:
    """OutboundQueue: case events and delayed delivery orders on one queue, and its dead-letter queue."""

    def __init__(self, client: SQSClient, queue_url: str, dead_letter_url: str | None = None):
        self._sqs = client
        self._url = queue_url
        self._dead_letter_url = dead_letter_url

    def send_events(self, events: Sequence[OutboundEvent]) -> None:
        for start in range(0, len(events), 10):
            chunk = events[start : start + 10]
            result = self._sqs.send_message_batch(
                QueueUrl=self._url,
                Entries=[{"Id": str(i), "MessageBody": event_message(e)} for i, e in enumerate(chunk)],
            )
            if result.get("Failed"):
                raise RuntimeError(f"{len(result['Failed'])} outbound events were not queued")

    def send_order(self, order: DeliveryOrder, delay_seconds: int) -> None:
        self._sqs.send_message(
            QueueUrl=self._url, MessageBody=order_message(order), DelaySeconds=max(0, min(900, delay_seconds))
        )

    def dead_letter(self, order: DeliveryOrder) -> None:
        if self._dead_letter_url is None:
            raise RuntimeError("no dead-letter queue configured for outbound webhooks")
        self._sqs.send_message(QueueUrl=self._dead_letter_url, MessageBody=order_message(order))


@cache
def webhook_store() -> DynamoWebhooks:
    return DynamoWebhooks(dynamodb(), table_settings().table_name)


@cache
def outbound_queue() -> SqsOutbound:
    return SqsOutbound(sqs(), outbound_settings().outbound_queue_url)


@cache
def address_resolver() -> AddressResolver:
    return SystemResolver()


@cache
def sender_deps() -> SenderDeps:
    from handoff.adapters.secret_box import secret_box

    settings = webhook_sender_settings()
    return SenderDeps(
        store=webhook_store(),
        queue=SqsOutbound(sqs(), settings.outbound_queue_url, settings.outbound_dead_letter_queue_url),
        sealer=secret_box(),
        transport=PinnedTransport(settings.webhook_timeout_seconds),
        resolver=address_resolver(),
        allow_loopback=settings.allow_loopback_webhooks,
        attempt_seconds=settings.webhook_timeout_seconds,
        policy=RetryPolicy(
            settings.webhook_max_attempts,
            settings.webhook_retry_base_seconds,
            settings.webhook_retry_cap_seconds,
        ),
    )


def case_publisher() -> Callable[[Case, list[CaseEvent]], None] | None:
    """The `publish` sink for the case repository: None when this function has no outbound queue."""
    if not os.environ.get("OUTBOUND_QUEUE_URL"):
        return None

    def publish(case: Case, events: list[CaseEvent]) -> None:
        try:
            queued = publish_events(webhook_store(), outbound_queue(), case, events)
        except Exception:  # the case change is committed; a lost notification must not undo it
            logger.exception("outbound events not queued", extra={"case_id": case.case_id})
            return
        if queued:
            logger.debug("outbound events queued", extra={"case_id": case.case_id, "count": queued})

    return publish


def reset_webhooks() -> None:
    for factory in (webhook_store, outbound_queue, sender_deps, address_resolver):
        factory.cache_clear()
