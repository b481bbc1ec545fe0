"""Use cases on evidence: declare an upload, verify what arrived, list it, score readiness."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from handoff.adapters.s3 import UploadTicket
from handoff.domain.case import SYSTEM, Case, Principal
from handoff.domain.errors import FieldProblem, InvalidRequestError, NotFoundError
from handoff.domain.evidence import (
    ALLOWED_CONTENT_TYPES,
    Evidence,
    EvidenceDeclaration,
    EvidenceKind,
    EvidenceStatus,
    Readiness,
    readiness,
)
from handoff.domain.ids import new_id
from handoff.domain.retention import check_not_erased
from handoff.services.cases import update_case
from handoff.services.ports import CaseRepository, EvidenceRepository, Inspector, UploadStorage

UPLOAD_SECONDS = 15 * 60


@dataclass(frozen=True)
class EvidenceLimits:
    bucket: str
    max_bytes: int
    upload_seconds: int = UPLOAD_SECONDS


def evidence_key(tenant_id: str, case_id: str, evidence_id: str) -> str:
    return f"evidence/{tenant_id}/{case_id}/{evidence_id}"


def parse_evidence_key(key: str) -> tuple[str, str, str] | None:
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "evidence":
        return None
    return parts[1], parts[2], parts[3]


def _problems(case: Case, declaration: EvidenceDeclaration, limits: EvidenceLimits) -> list[FieldProblem]:
    problems = []
    if declaration.content_type not in ALLOWED_CONTENT_TYPES:
        allowed = ", ".join(ALLOWED_CONTENT_TYPES)
        problems.append(FieldProblem(("content_type",), f"not accepted; use one of {allowed}"))
    if declaration.size > limits.max_bytes:
        problems.append(FieldProblem(("size",), f"over the {limits.max_bytes}-byte limit per file"))
    numbers = {invoice.number for invoice in case.intake.invoices}
    if declaration.invoice_number is not None and declaration.invoice_number not in numbers:
        problems.append(FieldProblem(("invoice_number",), "no invoice with this number on the case"))
    if declaration.kind == EvidenceKind.invoice and declaration.invoice_number is None:
        problems.append(FieldProblem(("invoice_number",), "an invoice document names its invoice_number"))
    return problems


def declare_evidence(
    cases: CaseRepository,
    evidence: EvidenceRepository,
    storage: UploadStorage,
    caller: Principal,
    case_id: str,
    declaration: EvidenceDeclaration,
    limits: EvidenceLimits,
    now: datetime,
) -> tuple[Evidence, UploadTicket]:
    """Record what will be uploaded and hand out a presigned upload bound to its type and size."""
    assert caller.tenant_id
    case = cases.get(caller.tenant_id, case_id)
    check_not_erased(case)
    problems = _problems(case, declaration, limits)
    if problems:
        raise InvalidRequestError(problems)
    evidence_id = new_id("evd")
    key = evidence_key(case.tenant_id, case_id, evidence_id)
    item = Evidence(
        evidence_id, case.tenant_id, case_id, declaration, EvidenceStatus.pending_upload, now, key
    )
    ticket = storage.upload_ticket(
        limits.bucket, key, declaration.content_type, declaration.size, limits.upload_seconds
    )
    evidence.add(item)
    update_case(
        cases,
        case.tenant_id,
        case_id,
        lambda c: c.record(
            "evidence.declared",
            caller.actor,
            now,
            {
                "evidence_id": evidence_id,
                "kind": declaration.kind,
                "sha256": declaration.sha256,
                "size": declaration.size,
            },
        ),
    )
    return item, ticket


def verify_upload(
    cases: CaseRepository,
    evidence: EvidenceRepository,
    inspector: Inspector,
    bucket: str,
    key: str,
    max_bytes: int,
    now: datetime,
) -> Evidence | None:
    """Check an uploaded object against its declaration; record the outcome once on the timeline."""
    parsed = parse_evidence_key(key)
    if parsed is None:
        return None
    tenant_id, case_id, evidence_id = parsed
    try:
        declared = evidence.get(tenant_id, case_id, evidence_id)
    except NotFoundError:
        return None
    if declared.status != EvidenceStatus.pending_upload:
        return declared
    result = inspector.inspect(bucket, key, declared.declaration, max_bytes)
    status = EvidenceStatus.verified if result.verified else EvidenceStatus.rejected
    settled = replace(
        declared, status=status, reason=result.reason, detected_type=result.detected_type, checked_at=now
    )
    if evidence.settle(settled):
        update_case(
            cases,
            tenant_id,
            case_id,
            lambda c: c.record(
                f"evidence.{status}",
                SYSTEM,
                now,
                {
                    "evidence_id": evidence_id,
                    "sha256": declared.declaration.sha256,
                    "reason": result.reason,
                    "detected_type": result.detected_type,
                },
            ),
        )
    return settled


def list_evidence(
    cases: CaseRepository, evidence: EvidenceRepository, caller: Principal, case_id: str
) -> tuple[list[Evidence], Readiness]:
    assert caller.tenant_id
    case = cases.get(caller.tenant_id, case_id)
    items = evidence.list_for_case(case.tenant_id, case_id)
    return items, readiness(case.intake, items)
