"""Business API: submit cases, follow them, log contacts. Also serves /v1/health.

Use cases and adapters are imported in the route that calls them: a cold start loads the models
and the resolver, and its first request only what that request uses (benchmarks/coldstart.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.logging import correlation_paths

from handoff.domain.clock import utcnow
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.principals import PrincipalKind
from handoff.handlers import claim_routes, rate_confirmation_routes, retention_routes, webhook_routes
from handoff.handlers.evidence_models import (
    EvidenceListResponse,
    EvidenceRequest,
    EvidenceResponse,
    EvidenceUploadResponse,
    UploadResponse,
)
from handoff.handlers.http import build_resolver, lambda_entry, max_body_bytes, require
from handoff.handlers.models import (
    CaseListItem,
    CaseListResponse,
    CaseRequest,
    CaseResponse,
    ContactRequest,
    DownloadResponse,
    EventListResponse,
    EventResponse,
    HealthResponse,
    PaymentRequest,
    ReasonRequest,
    VerificationResponse,
)
from handoff.observability import logger, tracer

if TYPE_CHECKING:
    from handoff.domain.case import Case

router = APIGatewayRouter()
health_router = APIGatewayRouter()
CaseId = Annotated[str, Path(pattern=r"^case_[0-9a-f]{20}$", description="Case id")]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2000, description="From `next_cursor` of the last page")]


@health_router.get("/v1/health", summary="Liveness", tags=["health"])
def health() -> HealthResponse:
    return HealthResponse(status="ok", version="1")


@router.post(
    "/v1/cases", summary="Submit a case", tags=["cases"], responses={201: {"description": "Created"}}
)
def submit_case(
    body: CaseRequest,
    idempotency_key: Annotated[
        str, Header(alias="Idempotency-Key", min_length=8, max_length=128, description="Unique per new case")
    ],
) -> Response[CaseResponse]:
    from handoff.adapters.dynamodb import case_repository, tenant_repository
    from handoff.adapters.idempotency import run_once
    from handoff.config import business_api_settings
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import cases as case_service
    from handoff.services import workflow

    caller = require(router, PrincipalKind.business)
    intake = body
    made: list[Case] = []

    def submit() -> dict[str, object]:
        options = case_service.claim_options_for(tenant_repository(), caller)
        case = case_service.submit_case(case_repository(), caller, intake, utcnow(), idempotency_key, options)
        logger.info("case submitted", extra={"case_id": case.case_id, "tenant_id": caller.tenant_id})
        if business_api_settings().auto_start_workflow and case.workflow.run == 0:
            workflow.start_safely(workflow_deps(), case, caller.actor, utcnow())
        made.append(case)
        return {"case_id": case.case_id}  # the record keeps no personal data: erasure need not find it

    request = intake.model_dump(mode="json")
    created = run_once(
        "submit_case", str(caller.tenant_id), idempotency_key, request, submit, router.lambda_context
    )
    case = made[0] if made else case_service.get_case(case_repository(), caller, str(created["case_id"]))
    return Response(201, "application/json", CaseResponse.of(case))  # a replay: the case as it is now


@router.get("/v1/cases", summary="List your cases", tags=["cases"])
def list_cases(
    status: Annotated[CaseStatus | None, Query()] = None, limit: Limit = 25, cursor: Cursor = None
) -> CaseListResponse:
    from handoff.adapters.dynamodb import case_repository
    from handoff.services import cases as case_service

    caller = require(router, PrincipalKind.business)
    page = case_service.list_cases(case_repository(), caller, status, limit, cursor)
    return CaseListResponse(items=[CaseListItem.of(c) for c in page.items], next_cursor=page.cursor)


@router.get("/v1/cases/<case_id>", summary="Read a case and its computed summary", tags=["cases"])
def get_case(case_id: CaseId) -> CaseResponse:
    from handoff.adapters.dynamodb import case_repository
    from handoff.services import cases as case_service

    caller = require(router, PrincipalKind.business)
    return CaseResponse.of(case_service.get_case(case_repository(), caller, case_id))


@router.get("/v1/cases/<case_id>/events", summary="The case timeline, oldest first", tags=["cases"])
def case_events(case_id: CaseId, limit: Limit = 100, cursor: Cursor = None) -> EventListResponse:
    from handoff.adapters.dynamodb import case_repository
    from handoff.services import cases as case_service

    caller = require(router, PrincipalKind.business)
    page = case_service.case_events(case_repository(), caller, case_id, limit, cursor)
    return EventListResponse(items=[EventResponse.of(e) for e in page.items], next_cursor=page.cursor)


@router.get("/v1/cases/<case_id>/verify", summary="Check the timeline's hash chain", tags=["cases"])
def verify_case(case_id: CaseId) -> VerificationResponse:
    from handoff.handlers.wiring import packet_deps
    from handoff.services import packets as packet_service

    caller = require(router, PrincipalKind.business)
    return VerificationResponse.of(packet_service.verify(packet_deps(), caller, case_id))


@router.get("/v1/cases/<case_id>/packet", summary="Download the latest evidence packet", tags=["evidence"])
def download_packet(case_id: CaseId) -> DownloadResponse:
    from handoff.config import packet_settings
    from handoff.handlers.wiring import packet_deps
    from handoff.services import packets as packet_service

    caller = require(router, PrincipalKind.business)
    assert caller.tenant_id
    seconds = packet_settings().download_url_seconds
    url = packet_service.download(packet_deps(), caller.tenant_id, case_id, caller.actor, seconds, utcnow())
    return DownloadResponse.expiring(url, seconds)


@router.post("/v1/cases/<case_id>/contacts", summary="Log a contact attempt", tags=["cases"])
def log_contact(case_id: CaseId, body: ContactRequest) -> CaseResponse:
    from handoff.adapters.dynamodb import case_repository
    from handoff.services import cases as case_service

    caller = require(router, PrincipalKind.business)
    case = case_service.log_contact(case_repository(), caller, case_id, body, utcnow())
    return CaseResponse.of(case)


ROUTERS = [health_router, router]
ROUTERS.append(webhook_routes.router)  # outbound webhook endpoints
ROUTERS.append(retention_routes.business)  # retention policy, legal holds, erasure requests
ROUTERS.append(claim_routes.router)  # the claim: assessment, quote, legal events
ROUTERS.append(rate_confirmation_routes.router)  # confirm an assumed reference rate for a case


@router.post(
    "/v1/cases/<case_id>/evidence",
    summary="Declare evidence and get a presigned upload",
    tags=["evidence"],
    responses={201: {"description": "Created"}},
)
def declare_evidence(case_id: CaseId, body: EvidenceRequest) -> Response[EvidenceUploadResponse]:
    from handoff.adapters.aws import s3_storage
    from handoff.adapters.dynamodb import case_repository, evidence_repository
    from handoff.config import business_api_settings
    from handoff.services import evidence as evidence_service

    caller = require(router, PrincipalKind.business)
    settings = business_api_settings()
    limits = evidence_service.EvidenceLimits(
        settings.evidence_bucket, settings.max_evidence_bytes, settings.upload_url_seconds
    )
    item, ticket = evidence_service.declare_evidence(
        case_repository(), evidence_repository(), s3_storage(), caller, case_id, body, limits, utcnow()
    )
    upload = UploadResponse(url=ticket.url, fields=ticket.fields, expires_at=ticket.expires_at)
    return Response(
        201, "application/json", EvidenceUploadResponse(evidence=EvidenceResponse.of(item), upload=upload)
    )


@router.get(
    "/v1/cases/<case_id>/evidence", summary="Evidence with its status, and readiness", tags=["evidence"]
)
def list_evidence(case_id: CaseId) -> EvidenceListResponse:
    from handoff.adapters.dynamodb import case_repository, evidence_repository
    from handoff.services import evidence as evidence_service

    caller = require(router, PrincipalKind.business)
    items, ready = evidence_service.list_evidence(case_repository(), evidence_repository(), caller, case_id)
    return EvidenceListResponse(items=[EvidenceResponse.of(e) for e in items], readiness=ready)


@router.post(
    "/v1/cases/<case_id>/payments", summary="Report a payment made to you directly", tags=["actions"]
)
def report_payment(
    case_id: CaseId,
    body: PaymentRequest,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=128)],
) -> CaseResponse:
    from handoff.adapters.dynamodb import case_repository
    from handoff.adapters.idempotency import run_once
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import cases as case_service
    from handoff.services import workflow

    caller = require(router, PrincipalKind.business)
    made: list[Case] = []

    def pay() -> dict[str, object]:
        made.append(
            workflow.record_direct_payment(workflow_deps(), caller, case_id, body.payment(), utcnow())
        )
        return {"case_id": case_id}  # no personal data in the record (the reference may name the payer)

    request = {"case_id": case_id, **body.model_dump(mode="json")}
    run_once("report_payment", str(caller.tenant_id), idempotency_key, request, pay, router.lambda_context)
    return CaseResponse.of(made[0] if made else case_service.get_case(case_repository(), caller, case_id))


@router.post(
    "/v1/cases/<case_id>/dispute", summary="The debtor disputes: put the case on hold", tags=["actions"]
)
def dispute_case(case_id: CaseId, body: ReasonRequest) -> CaseResponse:
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import workflow

    caller = require(router, PrincipalKind.business)
    return CaseResponse.of(workflow.dispute(workflow_deps(), caller, case_id, body.reason, utcnow()))


@router.post("/v1/cases/<case_id>/withdraw", summary="Withdraw the case", tags=["actions"])
def withdraw_case(case_id: CaseId, body: ReasonRequest) -> CaseResponse:
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import workflow

    caller = require(router, PrincipalKind.business)
    return CaseResponse.of(workflow.withdraw(workflow_deps(), caller, case_id, body.reason, utcnow()))


@router.post(
    "/v1/cases/<case_id>/release", summary="Lift a hold and check eligibility again", tags=["actions"]
)
def release_case(case_id: CaseId) -> CaseResponse:
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import workflow

    caller = require(router, PrincipalKind.business)
    assert caller.tenant_id
    return CaseResponse.of(
        workflow.release_hold(workflow_deps(), caller.tenant_id, case_id, caller.actor, utcnow())
    )


app = build_resolver(ROUTERS)
handler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)(
    tracer.capture_lambda_handler(lambda_entry(app, max_body_bytes))
)
