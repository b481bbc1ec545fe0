"""Inbound outcome webhooks from partners, signed per Standard Webhooks.

No API key: the signature is the authentication. The raw body is verified before it is
parsed; a request that does not verify gets 401 and nothing is recorded. Bodies are never
logged (they carry debtor data). The use case and its adapters are imported in the route (see
business_api).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.logging import correlation_paths

from handoff.domain.clock import utcnow
from handoff.handlers.http import build_resolver, lambda_entry, max_body_bytes
from handoff.handlers.ledger_models import WebhookReceiptResponse
from handoff.observability import logger, tracer

router = APIGatewayRouter()
PartnerIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


@router.post(
    "/v1/webhooks/partners/<partner_id>",
    summary="Report an outcome (signed webhook)",
    description="Standard Webhooks: `webhook-id`, `webhook-timestamp` (within 5 minutes) and "
    "`webhook-signature` with a secret issued to the partner. Events: payment.collected, "
    "settlement.agreed, judgment.obtained, case.closed, status.updated (schemas/). A repeated "
    "`webhook-id` is answered with `duplicate: true` and recorded once.",
    tags=["webhooks"],
)
def receive(partner_id: PartnerIdPath) -> WebhookReceiptResponse:
    from handoff.adapters.dynamodb import case_repository
    from handoff.adapters.partner_store import partner_repository
    from handoff.adapters.secret_box import secret_box
    from handoff.adapters.webhook_secrets import claimed, webhook_secret_repository
    from handoff.services import partner_webhooks

    event = router.current_event
    body = event.decoded_body or ""
    headers = dict(event.headers or {})
    webhook_id = partner_webhooks.authenticate(
        webhook_secret_repository(), secret_box(), partner_id, body, headers
    )
    outcome = partner_webhooks.parse_event(body)
    receipt = partner_webhooks.record_outcome(
        case_repository(), claimed, partner_repository().release, partner_id, webhook_id, outcome, utcnow()
    )
    logger.info(
        "partner webhook",
        extra={
            "partner_id": partner_id,
            "webhook_id": webhook_id,
            "type": outcome.type,
            "case_id": receipt.case_id,
            "duplicate": receipt.duplicate,
        },
    )
    return WebhookReceiptResponse.of(receipt)


ROUTERS = [router]
app = build_resolver(ROUTERS)
handler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)(
    tracer.capture_lambda_handler(lambda_entry(app, max_body_bytes))
)
