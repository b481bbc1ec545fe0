"""Documents API: generate legal documents from templates, list them, download them.

The only function that carries docxtpl (imported on first render, not at import).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.logging import correlation_paths

from handoff.adapters.dynamodb import case_repository, document_repository, evidence_repository
from handoff.config import document_settings
from handoff.domain.clock import utcnow
from handoff.domain.evidence import EvidenceStatus
from handoff.domain.principals import PrincipalKind
from handoff.handlers.document_models import (
    DocumentListResponse,
    DocumentRequest,
    DocumentResponse,
    PacketResponse,
)
from handoff.handlers.http import build_resolver, lambda_entry, require
from handoff.handlers.models import DownloadResponse
from handoff.handlers.wiring import document_store, packet_deps
from handoff.observability import logger, tracer
from handoff.services import documents as document_service
from handoff.services import packets as packet_service
from handoff.services.case_documents import case_documents
from handoff.services.documents import DocumentInputs

router = APIGatewayRouter()
CaseId = Annotated[str, Path(pattern=r"^case_[0-9a-f]{20}$", description="Case id")]
DocumentId = Annotated[str, Path(pattern=r"^doc_[0-9a-f]{20}$", description="Document id")]


@router.post(
    "/v1/cases/<case_id>/documents",
    summary="Generate a document",
    tags=["documents"],
    responses={201: {"description": "Created"}},
)
def generate_document(case_id: CaseId, body: DocumentRequest) -> Response[DocumentResponse]:
    caller = require(router, PrincipalKind.business)
    assert caller.tenant_id
    evidence = [
        e
        for e in evidence_repository().list_for_case(caller.tenant_id, case_id)
        if e.status == EvidenceStatus.verified
    ]
    document = document_service.generate_document(
        document_store(),
        caller.tenant_id,
        case_id,
        body.kind,
        DocumentInputs(evidence),
        caller.actor,
        utcnow(),
    )
    logger.info("document generated", extra={"case_id": case_id, "document_id": document.document_id})
    return Response(201, "application/json", DocumentResponse.of(document))


@router.get("/v1/cases/<case_id>/documents", summary="List a case's documents", tags=["documents"])
def list_documents(case_id: CaseId) -> DocumentListResponse:
    caller = require(router, PrincipalKind.business)
    assert caller.tenant_id
    case_repository().get(caller.tenant_id, case_id)
    documents = case_documents(case_repository(), document_repository(), caller.tenant_id, case_id)
    return DocumentListResponse(items=[DocumentResponse.of(d) for d in documents])


@router.get(
    "/v1/cases/<case_id>/documents/<document_id>", summary="A short-lived download link", tags=["documents"]
)
def download_document(case_id: CaseId, document_id: DocumentId) -> DownloadResponse:
    caller = require(router, PrincipalKind.business)
    assert caller.tenant_id
    seconds = document_settings().download_url_seconds
    url = document_service.download_url(document_store(), caller.tenant_id, case_id, document_id, seconds)
    return DownloadResponse.expiring(url, seconds)


@router.post(
    "/v1/cases/<case_id>/packet",
    summary="Assemble a new evidence packet version",
    tags=["evidence"],
    responses={201: {"description": "Created"}},
)
def assemble_packet(case_id: CaseId) -> Response[PacketResponse]:
    caller = require(router, PrincipalKind.business)
    assert caller.tenant_id
    packet = packet_service.assemble(packet_deps(), caller.tenant_id, case_id, caller.actor, utcnow())
    logger.info("packet assembled", extra={"case_id": case_id, "version": packet.version})
    return Response(201, "application/json", PacketResponse.of(packet))


ROUTERS = [router]
app = build_resolver(ROUTERS)
handler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)(
    tracer.capture_lambda_handler(lambda_entry(app, lambda: document_settings().max_body_bytes))
)
