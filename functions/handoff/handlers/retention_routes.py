"""Retention routes: the tenant's policy, legal holds and erasure requests.

`business` is served by business_api (a business on its own cases), `operator` by operator_api
(any tenant's policy and cases, named in the path). Use cases and adapters are imported in the
routes that call them (see business_api).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from handoff.domain.clock import utcnow
from handoff.domain.principals import Principal, PrincipalKind
from handoff.domain.retention import HolderKind
from handoff.handlers.http import require
from handoff.handlers.retention_models import (
    CaseRetentionResponse,
    LegalHoldRequest,
    RetentionPolicyRequest,
    RetentionPolicyResponse,
)
from handoff.observability import logger

if TYPE_CHECKING:
    from handoff.domain.case import Case

business = APIGatewayRouter()
operator = APIGatewayRouter()
TAGS = ["retention"]
CaseId = Annotated[str, Path(pattern=r"^case_[0-9a-f]{20}$", description="Case id")]
TenantId = Annotated[str, Path(pattern=r"^ten_[0-9a-f]{20}$", description="Tenant id")]


def _business() -> tuple[Principal, str]:
    caller = require(business, PrincipalKind.business)
    assert caller.tenant_id
    return caller, caller.tenant_id


def _view(case: Case) -> CaseRetentionResponse:
    from handoff.adapters.dynamodb import tenant_repository
    from handoff.config import retention_settings
    from handoff.services import retention

    default = retention_settings().default_retention_days
    policy = retention.retention_policy(tenant_repository(), case.tenant_id, default)
    return CaseRetentionResponse.of(case, policy.days_after_close)


def _policy(tenant_id: str) -> RetentionPolicyResponse:
    from handoff.adapters.dynamodb import tenant_repository
    from handoff.config import retention_settings
    from handoff.services import retention

    default = retention_settings().default_retention_days
    policy = retention.retention_policy(tenant_repository(), tenant_id, default)
    return RetentionPolicyResponse.of(tenant_id, policy, default)


# --- business ----------------------------------------------------------------------------------


@business.get("/v1/retention-policy", summary="Your retention policy for personal data", tags=TAGS)
def read_own_policy() -> RetentionPolicyResponse:
    _caller, tenant_id = _business()
    return _policy(tenant_id)


@business.get(
    "/v1/cases/<case_id>/retention", summary="When the case's personal data is erased; holds", tags=TAGS
)
def case_retention(case_id: CaseId) -> CaseRetentionResponse:
    from handoff.adapters.dynamodb import case_repository

    _caller, tenant_id = _business()
    return _view(case_repository().get(tenant_id, case_id))


@business.post(
    "/v1/cases/<case_id>/legal-hold",
    summary="Place your legal hold: erasure is suspended until you lift it",
    tags=TAGS,
)
def place_business_hold(case_id: CaseId, body: LegalHoldRequest) -> CaseRetentionResponse:
    from handoff.handlers.wiring import hold_deps
    from handoff.services import retention

    caller, tenant_id = _business()
    case = retention.place_legal_hold(
        hold_deps(), tenant_id, case_id, HolderKind.business, body.reason, caller.actor, utcnow()
    )
    return _view(case)


@business.post("/v1/cases/<case_id>/legal-hold/lift", summary="Lift your legal hold", tags=TAGS)
def lift_business_hold(case_id: CaseId, body: LegalHoldRequest) -> CaseRetentionResponse:
    from handoff.handlers.wiring import hold_deps
    from handoff.services import retention

    caller, tenant_id = _business()
    case = retention.lift_legal_hold(
        hold_deps(), tenant_id, case_id, HolderKind.business, body.reason, caller.actor, utcnow()
    )
    return _view(case)


@business.post(
    "/v1/cases/<case_id>/erasure",
    summary="Erase the case's personal data now (a right-to-erasure request)",
    description="Refused with 409 and the reason while the case is open (`case_open`), on legal hold "
    "(`legal_hold`) or an evidence upload handed out may still arrive (`upload_pending`, at most 15 "
    "minutes). The ledger figures, the fact of the case and the timeline's hash chain stay "
    "verifiable: personal values are replaced by redaction markers.",
    tags=TAGS,
)
def request_erasure(case_id: CaseId) -> CaseRetentionResponse:
    from handoff.adapters.dynamodb import case_repository
    from handoff.adapters.retention import eraser
    from handoff.services import retention

    caller, _tenant_id = _business()
    case = retention.request_erasure(case_repository(), eraser(), caller, case_id)
    logger.info("personal data erased on request", extra={"case_id": case_id})
    return _view(case)


# --- operator ----------------------------------------------------------------------------------


@operator.get("/v1/tenants/<tenant_id>/retention-policy", summary="A business's retention policy", tags=TAGS)
def read_policy(tenant_id: TenantId) -> RetentionPolicyResponse:
    require(operator, PrincipalKind.operator)
    return _policy(tenant_id)


@operator.put(
    "/v1/tenants/<tenant_id>/retention-policy", summary="Set a business's retention policy", tags=TAGS
)
def set_policy(tenant_id: TenantId, body: RetentionPolicyRequest) -> RetentionPolicyResponse:
    from handoff.adapters.dynamodb import tenant_repository
    from handoff.config import retention_settings
    from handoff.services import retention

    require(operator, PrincipalKind.operator)
    default = retention_settings().default_retention_days
    policy = retention.set_retention_policy(tenant_repository(), tenant_id, body.days_after_close, default)
    logger.info("retention policy set", extra={"tenant_id": tenant_id, "days": policy.days_after_close})
    return RetentionPolicyResponse.of(tenant_id, policy, default)


@operator.get(
    "/v1/tenants/<tenant_id>/cases/<case_id>/retention", summary="A case's retention and holds", tags=TAGS
)
def operator_case_retention(tenant_id: TenantId, case_id: CaseId) -> CaseRetentionResponse:
    from handoff.adapters.dynamodb import case_repository

    require(operator, PrincipalKind.operator)
    return _view(case_repository().get(tenant_id, case_id))


@operator.post(
    "/v1/tenants/<tenant_id>/cases/<case_id>/legal-hold", summary="Place the operator's legal hold", tags=TAGS
)
def place_operator_hold(
    tenant_id: TenantId, case_id: CaseId, body: LegalHoldRequest
) -> CaseRetentionResponse:
    from handoff.handlers.wiring import hold_deps
    from handoff.services import retention

    caller = require(operator, PrincipalKind.operator)
    case = retention.place_legal_hold(
        hold_deps(), tenant_id, case_id, HolderKind.operator, body.reason, caller.actor, utcnow()
    )
    return _view(case)


@operator.post(
    "/v1/tenants/<tenant_id>/cases/<case_id>/legal-hold/lift",
    summary="Lift the operator's legal hold",
    tags=TAGS,
)
def lift_operator_hold(tenant_id: TenantId, case_id: CaseId, body: LegalHoldRequest) -> CaseRetentionResponse:
    from handoff.handlers.wiring import hold_deps
    from handoff.services import retention

    caller = require(operator, PrincipalKind.operator)
    case = retention.lift_legal_hold(
        hold_deps(), tenant_id, case_id, HolderKind.operator, body.reason, caller.actor, utcnow()
    )
    return _view(case)
