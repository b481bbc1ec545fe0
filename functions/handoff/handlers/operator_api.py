"""Operator API: businesses (tenants), API keys, partners, routing rules and the review queue.

Use cases and adapters are imported in the route that calls them (see business_api).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.logging import correlation_paths

from handoff.domain.clock import utcnow
from handoff.domain.principals import PrincipalKind
from handoff.handlers.http import build_resolver, lambda_entry, max_body_bytes, require
from handoff.handlers.operator_models import (
    ApiKeyRequest,
    ApiKeyResponse,
    AssignRequest,
    ReviewItem,
    ReviewQueueResponse,
    TenantRequest,
    TenantResponse,
)
from handoff.handlers.partners_routes import router as partners_router
from handoff.handlers.reference_rate_routes import router as reference_rates_router
from handoff.handlers.retention_routes import operator as retention_router
from handoff.handlers.webhook_secret_routes import router as webhook_secrets_router
from handoff.observability import logger, tracer

router = APIGatewayRouter()
TenantId = Annotated[str, Path(pattern=r"^ten_[0-9a-f]{20}$")]
KeyId = Annotated[str, Path(pattern=r"^key_[0-9a-f]{20}$")]


@router.post(
    "/v1/tenants",
    summary="Onboard a business",
    tags=["operator"],
    responses={201: {"description": "Created"}},
)
def create_tenant(body: TenantRequest) -> Response[TenantResponse]:
    from handoff.adapters.dynamodb import tenant_repository
    from handoff.services import access

    require(router, PrincipalKind.operator)
    tenant = access.create_tenant(tenant_repository(), body, utcnow())
    logger.info("tenant created", extra={"tenant_id": tenant.tenant_id})
    return Response(201, "application/json", TenantResponse.of(tenant))


@router.get("/v1/tenants/<tenant_id>", summary="Read a business profile", tags=["operator"])
def get_tenant(tenant_id: TenantId) -> TenantResponse:
    from handoff.adapters.dynamodb import tenant_repository

    require(router, PrincipalKind.operator)
    return TenantResponse.of(tenant_repository().get(tenant_id))


@router.post(
    "/v1/api-keys",
    summary="Issue an API key (secret shown once)",
    tags=["operator"],
    responses={201: {"description": "Created"}},
)
def issue_key(body: ApiKeyRequest) -> Response[ApiKeyResponse]:
    from handoff.adapters.dynamodb import partner_directory, tenant_repository
    from handoff.adapters.key_store import key_repository
    from handoff.services import access

    require(router, PrincipalKind.operator)
    issued = access.issue_key(
        key_repository(),
        tenant_repository(),
        partner_directory(),
        body.kind,
        body.tenant_id,
        body.partner_id,
        body.label,
        utcnow(),
    )
    logger.info("api key issued", extra={"key_id": issued.key.key_id, "kind": issued.key.kind})
    return Response(201, "application/json", ApiKeyResponse.of(issued.key, issued.secret))


@router.delete("/v1/api-keys/<key_id>", summary="Revoke an API key", tags=["operator"])
def revoke_key(key_id: KeyId) -> ApiKeyResponse:
    from handoff.adapters.key_store import key_repository
    from handoff.services import access

    require(router, PrincipalKind.operator)
    key = access.revoke_key(key_repository(), key_id, utcnow())
    logger.info("api key revoked", extra={"key_id": key_id})
    return ApiKeyResponse.of(key)


@router.get("/v1/review-queue", summary="Cases no partner matched, oldest first", tags=["operator"])
def review_queue() -> ReviewQueueResponse:
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import workflow

    require(router, PrincipalKind.operator)
    return ReviewQueueResponse(items=[ReviewItem.of(c) for c in workflow.review_queue(workflow_deps())])


@router.post(
    "/v1/review-queue/<case_id>/assign", summary="Assign a reviewed case to a partner", tags=["operator"]
)
def assign_reviewed(
    case_id: Annotated[str, Path(pattern=r"^case_[0-9a-f]{20}$")], body: AssignRequest
) -> ReviewItem:
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import workflow

    caller = require(router, PrincipalKind.operator)
    case = workflow.assign_from_review(workflow_deps(), case_id, body.partner_id, caller.actor, utcnow())
    return ReviewItem.of(case)


ROUTERS = [router, partners_router, webhook_secrets_router, retention_router, reference_rates_router]
app = build_resolver(ROUTERS)
handler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)(
    tracer.capture_lambda_handler(lambda_entry(app, max_body_bytes))
)
