"""Operator API: issue a partner's inbound webhook signing secret (shown once, two valid in rotation)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from handoff.domain.clock import utcnow
from handoff.domain.principals import PrincipalKind
from handoff.handlers.http import require
from handoff.handlers.partner_models import WebhookSecretResponse
from handoff.observability import logger

router = APIGatewayRouter()
PartnerIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


@router.post(
    "/v1/partners/<partner_id>/webhook-secrets",
    summary="Issue a partner's webhook signing secret (shown once)",
    description="A Standard Webhooks secret the partner signs its outcome webhooks with. Two stay "
    "valid at once so a partner can rotate: issuing a third retires the oldest.",
    tags=["operator: partners and routing"],
    responses={201: {"description": "Created"}},
)
def issue_webhook_secret(partner_id: PartnerIdPath) -> Response[WebhookSecretResponse]:
    from handoff.adapters.dynamodb import partner_directory
    from handoff.adapters.secret_box import secret_box
    from handoff.adapters.webhook_secrets import webhook_secret_repository
    from handoff.services import webhook_secrets

    require(router, PrincipalKind.operator)
    issued = webhook_secrets.issue_secret(
        webhook_secret_repository(), secret_box(), partner_directory().exists, partner_id, utcnow()
    )
    logger.info(
        "webhook secret issued",
        extra={"partner_id": partner_id, "secret_id": issued.secret_id, "retired": issued.retired_secret_id},
    )
    return Response(201, "application/json", WebhookSecretResponse.of(issued))
