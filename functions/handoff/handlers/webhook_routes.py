"""Business API: outbound webhook endpoints, their delivery attempts, replays.

The webhook use cases and their adapters are imported in the routes (see business_api).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from handoff.domain.clock import utcnow
from handoff.domain.principals import Principal, PrincipalKind
from handoff.handlers.http import require
from handoff.handlers.webhook_models import (
    DeliveryListResponse,
    DeliveryResponse,
    ReplayResponse,
    WebhookEndpointCreatedResponse,
    WebhookEndpointListResponse,
    WebhookEndpointRequest,
    WebhookEndpointResponse,
)
from handoff.observability import logger

router = APIGatewayRouter()
TAGS = ["webhooks"]
EndpointId = Annotated[str, Path(pattern=r"^whe_[0-9a-f]{20}$", description="Webhook endpoint id")]
DeliveryId = Annotated[str, Path(pattern=r"^dlv_[0-9a-f]{20}$", description="Delivery attempt id")]


def _tenant() -> str:
    caller: Principal = require(router, PrincipalKind.business)
    assert caller.tenant_id
    return caller.tenant_id


@router.post(
    "/v1/webhook-endpoints",
    summary="Register an endpoint for case events",
    description="The response carries the signing secret; it is never shown again.",
    tags=TAGS,
    responses={201: {"description": "Created"}},
)
def create_webhook_endpoint(body: WebhookEndpointRequest) -> Response[WebhookEndpointCreatedResponse]:
    from handoff.adapters.secret_box import secret_box
    from handoff.adapters.webhooks import webhook_store
    from handoff.config import webhook_address_settings
    from handoff.services import webhooks

    tenant_id = _tenant()
    endpoint, secret = webhooks.register_endpoint(
        webhook_store(),
        secret_box(),
        tenant_id,
        body.url,
        body.event_types,
        body.description,
        webhook_address_settings().allow_loopback_webhooks,
        utcnow(),
    )
    logger.info("webhook endpoint added", extra={"tenant_id": tenant_id, "endpoint_id": endpoint.endpoint_id})
    created = WebhookEndpointCreatedResponse(
        **WebhookEndpointResponse.of(endpoint).model_dump(), secret=secret
    )
    return Response(201, "application/json", created)


@router.get("/v1/webhook-endpoints", summary="List your webhook endpoints (no secrets)", tags=TAGS)
def list_webhook_endpoints() -> WebhookEndpointListResponse:
    from handoff.adapters.webhooks import webhook_store
    from handoff.services import webhooks

    endpoints = webhooks.list_endpoints(webhook_store(), _tenant())
    return WebhookEndpointListResponse(items=[WebhookEndpointResponse.of(e) for e in endpoints])


@router.delete(
    "/v1/webhook-endpoints/<endpoint_id>",
    summary="Delete an endpoint; nothing more is delivered to it",
    tags=TAGS,
    responses={204: {"description": "Deleted"}},
)
def delete_webhook_endpoint(endpoint_id: EndpointId) -> Response[None]:
    from handoff.adapters.webhooks import webhook_store
    from handoff.services import webhooks

    tenant_id = _tenant()
    webhooks.delete_endpoint(webhook_store(), tenant_id, endpoint_id)
    logger.info("webhook endpoint deleted", extra={"tenant_id": tenant_id, "endpoint_id": endpoint_id})
    return Response(204)


@router.get(
    "/v1/webhook-endpoints/<endpoint_id>/deliveries",
    summary="Delivery attempts to an endpoint, newest first",
    tags=TAGS,
)
def list_webhook_deliveries(
    endpoint_id: EndpointId,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000, description="From `next_cursor`")] = None,
) -> DeliveryListResponse:
    from handoff.adapters.webhooks import webhook_store
    from handoff.services import webhooks

    page = webhooks.list_deliveries(webhook_store(), _tenant(), endpoint_id, limit, cursor)
    return DeliveryListResponse(items=[DeliveryResponse.of(a) for a in page.items], next_cursor=page.cursor)


@router.post(
    "/v1/webhook-endpoints/<endpoint_id>/deliveries/<delivery_id>/replay",
    summary="Send a recorded delivery again (same webhook-id, fresh attempts)",
    tags=TAGS,
    responses={202: {"description": "Queued"}},
)
def replay_webhook_delivery(endpoint_id: EndpointId, delivery_id: DeliveryId) -> Response[ReplayResponse]:
    from handoff.adapters.webhooks import outbound_queue, webhook_store
    from handoff.services import webhooks

    tenant_id = _tenant()
    order = webhooks.replay_delivery(webhook_store(), outbound_queue(), tenant_id, endpoint_id, delivery_id)
    logger.info("webhook delivery replayed", extra={"tenant_id": tenant_id, "delivery_id": delivery_id})
    replay = ReplayResponse(replay_of=delivery_id, message_id=order.message_id, status="queued")
    return Response(202, "application/json", replay)
