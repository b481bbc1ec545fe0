"""Operator API: partners (agencies and attorneys) and the routing rules.

Writes are optimistic: a `PUT` carries the `version` the operator read, and is refused with
409 when the stored version has moved on (see `handlers.partner_models`). The stores are
imported in the route that uses them (see business_api).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from handoff.domain.clock import utcnow
from handoff.domain.ids import new_id
from handoff.domain.principals import PrincipalKind
from handoff.handlers.http import require
from handoff.handlers.partner_models import (
    PartnerCreateRequest,
    PartnerListResponse,
    PartnerReplaceRequest,
    PartnerResponse,
    RoutingRulesRequest,
    RoutingRulesResponse,
)
from handoff.observability import logger

router = APIGatewayRouter()
PartnerIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
TAGS = ["operator: partners and routing"]


@router.post(
    "/v1/partners",
    summary="Add a partner (agency or attorney)",
    tags=TAGS,
    responses={201: {"description": "Created"}},
)
def create_partner(body: PartnerCreateRequest) -> Response[PartnerResponse]:
    from handoff.adapters.partner_store import partner_repository

    require(router, PrincipalKind.operator)
    record = partner_repository().add(body.declaration().to_partner(new_id("par")), utcnow())
    logger.info("partner created", extra={"partner_id": record.partner.partner_id})
    return Response(201, "application/json", PartnerResponse.of(record))


@router.get("/v1/partners", summary="List every partner", tags=TAGS)
def list_partners() -> PartnerListResponse:
    from handoff.adapters.partner_store import partner_repository

    require(router, PrincipalKind.operator)
    return PartnerListResponse(items=[PartnerResponse.of(r) for r in partner_repository().list_records()])


@router.get("/v1/partners/<partner_id>", summary="Read a partner", tags=TAGS)
def get_partner(partner_id: PartnerIdPath) -> PartnerResponse:
    from handoff.adapters.partner_store import partner_repository

    require(router, PrincipalKind.operator)
    return PartnerResponse.of(partner_repository().get_record(partner_id))


@router.put(
    "/v1/partners/<partner_id>",
    summary="Replace a partner in full (also to suspend or reactivate it)",
    description="Send the whole declaration and the `version` you read; 409 if it changed since. "
    "The partner's open cases are kept.",
    tags=TAGS,
)
def replace_partner(partner_id: PartnerIdPath, body: PartnerReplaceRequest) -> PartnerResponse:
    from handoff.adapters.partner_store import partner_repository

    require(router, PrincipalKind.operator)
    partner = body.declaration().to_partner(partner_id)
    record = partner_repository().replace(partner, body.version, utcnow())
    logger.info("partner replaced", extra={"partner_id": partner_id, "version": record.version})
    return PartnerResponse.of(record)


@router.get("/v1/routing-rules", summary="Read the routing rules in force", tags=TAGS)
def get_routing_rules() -> RoutingRulesResponse:
    from handoff.adapters.routing_store import routing_rules_repository

    require(router, PrincipalKind.operator)
    return RoutingRulesResponse.of(routing_rules_repository().current())


@router.put(
    "/v1/routing-rules",
    summary="Replace the routing rules",
    description="Send the whole table and the `version` you read (0 while the default is in force); "
    "409 if it changed since. Every version is kept.",
    tags=TAGS,
)
def put_routing_rules(body: RoutingRulesRequest) -> RoutingRulesResponse:
    from handoff.adapters.routing_store import routing_rules_repository

    caller = require(router, PrincipalKind.operator)
    record = routing_rules_repository().put(body.to_rules(), body.version, caller.key_id, utcnow())
    logger.info("routing rules stored", extra={"version": record.version, "key_id": caller.key_id})
    return RoutingRulesResponse.of(record)
