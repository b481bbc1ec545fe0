"""Request and response models of the business's outbound webhook routes."""

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.input_types import FREE_TEXT, PLAIN_TEXT
from handoff.domain.webhooks import DeliveryAttempt, DeliveryOutcome, DeliveryStatus, WebhookEndpoint

EventType = Annotated[
    str, Field(pattern=r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$", max_length=64), PLAIN_TEXT
]


class WebhookEndpointRequest(LazyModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.acme.example/handoff",
                    "event_types": ["case.status_changed", "case.submitted"],
                    "description": "Finance system",
                }
            ]
        },
    )

    url: Annotated[
        str,
        Field(
            min_length=8,
            max_length=2000,
            description="Where events are POSTed: https only (plain http to loopback in the local runtime)",
            json_schema_extra={"format": "uri", "pattern": r"^https?://[^/@\s]+(/\S*)?$"},
        ),
        PLAIN_TEXT,
    ]
    event_types: Annotated[
        list[EventType],
        Field(min_length=1, max_length=50, description='Case event types to receive, or ["*"] for all'),
    ]
    description: Annotated[str, Field(max_length=200), FREE_TEXT] | None = None


class WebhookEndpointResponse(LazyModel):
    endpoint_id: str
    url: str
    event_types: list[str]
    description: str | None
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> "WebhookEndpointResponse":
        return cls(
            endpoint_id=endpoint.endpoint_id,
            url=endpoint.url,
            event_types=list(endpoint.event_types),
            description=endpoint.description,
            created_at=endpoint.created_at,
        )


class WebhookEndpointCreatedResponse(WebhookEndpointResponse):
    secret: Annotated[
        str,
        Field(
            description="The Standard Webhooks signing secret (`whsec_…`). Shown only now: store it; "
            "verify each delivery's `webhook-signature` with it."
        ),
    ]


class WebhookEndpointListResponse(LazyModel):
    items: list[WebhookEndpointResponse]


class DeliveryResponse(LazyModel):
    delivery_id: Annotated[str, Field(description="This attempt")]
    message_id: Annotated[str, Field(description="The `webhook-id` header: the same on every attempt")]
    event_type: str
    case_id: str
    seq: Annotated[int, Field(description="The event's position in the case timeline")]
    attempt: Annotated[int, Field(description="1 for the first attempt (also of a replay)")]
    status: Annotated[
        DeliveryStatus, Field(description="delivered; failed (retry scheduled); dead (attempts exhausted)")
    ]
    outcome: Annotated[
        DeliveryOutcome,
        Field(
            description="What this attempt met: delivered (2xx); rejected (another status, a redirect too); "
            "no_response; unresolved (the host did not resolve); blocked_address (the host resolved to "
            "a private, loopback, link-local or otherwise non-public address: nothing was sent)"
        ),
    ]
    attempted_at: datetime
    response_code: Annotated[int | None, Field(description="None when no response came")]
    error: str | None
    next_attempt_at: datetime | None
    replay_of: Annotated[str | None, Field(description="The delivery this attempt replays")]

    @classmethod
    def of(cls, attempt: DeliveryAttempt) -> "DeliveryResponse":
        return cls(
            delivery_id=attempt.delivery_id,
            message_id=attempt.message_id,
            event_type=attempt.event_type,
            case_id=attempt.case_id,
            seq=attempt.seq,
            attempt=attempt.attempt,
            status=attempt.status,
            outcome=attempt.outcome,
            attempted_at=attempt.attempted_at,
            response_code=attempt.response_code,
            error=attempt.error,
            next_attempt_at=attempt.next_attempt_at,
            replay_of=attempt.replay_of,
        )


class DeliveryListResponse(LazyModel):
    items: Annotated[list[DeliveryResponse], Field(description="Newest first")]
    next_cursor: str | None = None


class ReplayResponse(LazyModel):
    replay_of: str
    message_id: str
    status: Annotated[str, Field(description="`queued`: a fresh first attempt is on its way")]
