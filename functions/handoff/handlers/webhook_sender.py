"""Outbound webhooks (SQS → here): fan case events out to endpoints, deliver, retry, dead-letter.

A message is a case event (one attempt per subscribed endpoint) or one endpoint's delivery order
(a retry or a replay). A failed attempt does not fail the message: the retry is a new, delayed
message (see `services.webhooks`). A message fails (and comes back) only when this function
could not do its own work — the table, KMS or SQS failed.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from handoff.adapters.webhooks import parse_message, sender_deps
from handoff.domain.clock import utcnow
from handoff.domain.webhooks import OutboundEvent
from handoff.observability import logger, tracer
from handoff.services.webhooks import attempt_delivery, deliver_event

processor = BatchProcessor(event_type=EventType.SQS)


def _seconds_left(context: LambdaContext) -> float:
    return context.get_remaining_time_in_millis() / 1000


def send_record(record: SQSRecord, lambda_context: LambdaContext | None = None) -> None:
    message = parse_message(record.body)
    if isinstance(message, OutboundEvent):
        time_left = partial(_seconds_left, lambda_context) if lambda_context is not None else None
        attempts = deliver_event(sender_deps(), message, utcnow(), time_left)
    else:
        attempt = attempt_delivery(sender_deps(), message, utcnow())
        attempts = [attempt] if attempt else []
    for a in attempts:
        logger.info(
            "webhook attempt",
            extra={
                "tenant_id": a.tenant_id,
                "endpoint_id": a.endpoint_id,
                "delivery_id": a.delivery_id,
                "attempt": a.attempt,
                "status": a.status,
                "response_code": a.response_code,
            },
        )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=send_record, processor=processor, context=context
    )
    return dict(response)
