"""Partner API (agency and attorney keys): the cases assigned to you; accept or decline them.

Use cases and adapters are imported in the route that calls them (see business_api).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.logging import correlation_paths

from handoff.domain.clock import utcnow
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.principals import PrincipalKind
from handoff.handlers.assignment_models import AssignmentListResponse, AssignmentResponse
from handoff.handlers.http import build_resolver, lambda_entry, max_body_bytes, require
from handoff.handlers.models import CaseListItem, CaseResponse, DownloadResponse, ReasonRequest
from handoff.observability import logger, tracer

router = APIGatewayRouter()
CaseId = Annotated[str, Path(pattern=r"^case_[0-9a-f]{20}$", description="Case id")]
PARTNERS = (PrincipalKind.agency, PrincipalKind.attorney)


@router.get("/v1/assignments", summary="Cases assigned to you", tags=["partners"])
def list_assignments(status: Annotated[CaseStatus | None, Query()] = None) -> AssignmentListResponse:
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import workflow

    caller = require(router, *PARTNERS)
    assert caller.partner_id
    cases = workflow.assignments(workflow_deps(), caller.partner_id)
    return AssignmentListResponse(items=[CaseListItem.of(c) for c in cases if status in (None, c.status)])


@router.get("/v1/assignments/<case_id>", summary="The case file of a case assigned to you", tags=["partners"])
def get_assignment(case_id: CaseId) -> AssignmentResponse:
    from handoff.adapters.dynamodb import (
        case_repository,
        document_repository,
        evidence_repository,
        tenant_repository,
    )
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import workflow
    from handoff.services.case_documents import case_documents

    caller = require(router, *PARTNERS)
    assert caller.partner_id
    case = workflow.assignment(workflow_deps(), caller.partner_id, case_id)
    creditor = tenant_repository().get(case.tenant_id).profile
    evidence = evidence_repository().list_for_case(case.tenant_id, case_id)
    documents = case_documents(case_repository(), document_repository(), case.tenant_id, case_id)
    return AssignmentResponse.of(case, creditor, evidence, documents)


@router.get(
    "/v1/assignments/<case_id>/packet", summary="Download the case's evidence packet", tags=["partners"]
)
def download_packet(case_id: CaseId) -> DownloadResponse:
    from handoff.config import packet_settings
    from handoff.handlers.wiring import packet_deps, workflow_deps
    from handoff.services import packets as packet_service
    from handoff.services import workflow

    caller = require(router, *PARTNERS)
    assert caller.partner_id
    case = workflow.assignment(workflow_deps(), caller.partner_id, case_id)
    seconds = packet_settings().download_url_seconds
    url = packet_service.download(packet_deps(), case.tenant_id, case_id, caller.actor, seconds, utcnow())
    return DownloadResponse.expiring(url, seconds)


@router.get(
    "/v1/assignments/<case_id>/documents/<document_id>",
    summary="Download one of the case's documents",
    tags=["partners"],
)
def download_document(
    case_id: CaseId, document_id: Annotated[str, Path(pattern=r"^doc_[0-9a-f]{20}$")]
) -> DownloadResponse:
    from handoff.config import packet_settings
    from handoff.handlers.wiring import document_store, workflow_deps
    from handoff.services import documents as document_service
    from handoff.services import workflow

    caller = require(router, *PARTNERS)
    assert caller.partner_id
    case = workflow.assignment(workflow_deps(), caller.partner_id, case_id)
    seconds = packet_settings().download_url_seconds
    url = document_service.download_url(document_store(), case.tenant_id, case_id, document_id, seconds)
    return DownloadResponse.expiring(url, seconds)


@router.post("/v1/assignments/<case_id>/accept", summary="Accept the placement", tags=["partners"])
def accept_assignment(case_id: CaseId) -> CaseResponse:
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import workflow

    caller = require(router, *PARTNERS)
    case = workflow.partner_answer(workflow_deps(), caller, case_id, True, None, utcnow())
    logger.info("placement accepted", extra={"case_id": case_id, "partner_id": caller.partner_id})
    return CaseResponse.of(case)


@router.post("/v1/assignments/<case_id>/decline", summary="Decline the placement", tags=["partners"])
def decline_assignment(case_id: CaseId, body: ReasonRequest) -> CaseResponse:
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import workflow

    caller = require(router, *PARTNERS)
    case = workflow.partner_answer(workflow_deps(), caller, case_id, False, body.reason, utcnow())
    logger.info("placement declined", extra={"case_id": case_id, "partner_id": caller.partner_id})
    return CaseResponse.of(case)


ROUTERS = [router]
app = build_resolver(ROUTERS)
handler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)(
    tracer.capture_lambda_handler(lambda_entry(app, max_body_bytes))
)
