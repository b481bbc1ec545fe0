"""Evidence a creditor uploads for a case, and the readiness checklist built on it."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.input_types import PLAIN_TEXT
from handoff.domain.models import CaseIntake, Strict

MIB = 1024 * 1024
ALLOWED_CONTENT_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "message/rfc822": "EML",
    "text/csv": "CSV",
    "text/plain": "TXT",
}


class EvidenceKind(StrEnum):
    invoice = "invoice"
    terms = "terms"
    correspondence = "correspondence"
    proof_of_delivery = "proof_of_delivery"
    contact_log = "contact_log"
    other = "other"


class EvidenceStatus(StrEnum):
    pending_upload = "pending_upload"
    verified = "verified"
    rejected = "rejected"


class EvidenceDeclaration(Strict):
    """What the creditor is about to upload; the upload must match it byte for byte."""

    kind: EvidenceKind
    filename: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            pattern=r"^[\w][\w .()\-]*\.[A-Za-z0-9]{1,8}$",
            description="File name with extension; letters, digits, space, . ( ) - _",
        ),
        PLAIN_TEXT,
    ]
    content_type: Annotated[
        str, Field(max_length=100, description="One of: " + ", ".join(ALLOWED_CONTENT_TYPES)), PLAIN_TEXT
    ]
    size: Annotated[int, Field(gt=0, description="Exact size in bytes")]
    sha256: Annotated[
        str, Field(pattern=r"^[0-9a-f]{64}$", description="Hex SHA-256 of the file"), PLAIN_TEXT
    ]
    invoice_number: Annotated[
        Annotated[str, Field(max_length=64), PLAIN_TEXT] | None, Field(description="For kind=invoice")
    ] = None


@dataclass(frozen=True)
class Evidence:
    evidence_id: str
    tenant_id: str
    case_id: str
    declaration: EvidenceDeclaration
    status: EvidenceStatus
    created_at: datetime
    key: str
    reason: str | None = None
    detected_type: str | None = None
    checked_at: datetime | None = None
    erased_at: datetime | None = None  # the object was deleted and the file name replaced

    @property
    def path_in_packet(self) -> str:
        return f"evidence/{self.declaration.kind}/{self.evidence_id}-{self.declaration.filename}"


class ReadinessItem(LazyModel):
    item: str
    done: bool
    detail: str


class Readiness(LazyModel):
    """How complete the evidence is: one item per requirement, and the share that is met."""

    score: Annotated[int, Field(ge=0, le=100, description="Percent of checklist items met")]
    ready: bool
    items: list[ReadinessItem]


def readiness(intake: CaseIntake, evidence: list[Evidence], min_contact_attempts: int = 2) -> Readiness:
    verified = [e for e in evidence if e.status == EvidenceStatus.verified]
    kinds = {e.declaration.kind for e in verified}
    invoiced = {e.declaration.invoice_number for e in verified if e.declaration.kind == EvidenceKind.invoice}
    items = [
        ReadinessItem(
            item=f"invoice {invoice.number}",
            done=invoice.number in invoiced,
            detail="verified invoice document"
            if invoice.number in invoiced
            else "upload the invoice document",
        )
        for invoice in intake.invoices
    ]
    items.append(
        ReadinessItem(
            item="signed terms",
            done=EvidenceKind.terms in kinds,
            detail=intake.terms.agreement_reference or "upload the signed agreement",
        )
    )
    items.append(
        ReadinessItem(
            item="proof of delivery",
            done=EvidenceKind.proof_of_delivery in kinds,
            detail="delivery note, timesheet or acceptance",
        )
    )
    attempts = sum(1 for c in intake.contact_log if c.direction == "outbound")
    items.append(
        ReadinessItem(
            item="contact attempts",
            done=attempts >= min_contact_attempts,
            detail=f"{attempts} of at least {min_contact_attempts} logged",
        )
    )
    met = sum(1 for i in items if i.done)
    return Readiness(score=round(100 * met / len(items)), ready=met == len(items), items=items)
