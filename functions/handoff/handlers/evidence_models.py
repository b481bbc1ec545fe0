"""Request and response models of a case's evidence: declarations, presigned uploads, the checklist."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.evidence import EvidenceDeclaration, EvidenceKind, EvidenceStatus, Readiness

if TYPE_CHECKING:
    from handoff.domain.evidence import Evidence


class EvidenceRequest(EvidenceDeclaration):
    """Declare a file before uploading it; the upload must match the declared type, size and hash."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "invoice",
                    "filename": "INV-1001.pdf",
                    "content_type": "application/pdf",
                    "size": 48213,
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "invoice_number": "INV-1001",
                }
            ]
        }
    )


class EvidenceResponse(LazyModel):
    evidence_id: str
    kind: EvidenceKind
    filename: str
    content_type: str
    size: int
    sha256: str
    invoice_number: str | None
    status: Annotated[
        EvidenceStatus, Field(description="pending_upload until checked; then verified or rejected")
    ]
    reason: Annotated[str | None, Field(description="Why it was rejected")] = None
    detected_type: Annotated[str | None, Field(description="The type found in the bytes")] = None
    created_at: datetime
    checked_at: datetime | None = None
    erased_at: Annotated[
        datetime | None, Field(description="The file was deleted with the case's personal data")
    ] = None

    @classmethod
    def of(cls, evidence: "Evidence") -> "EvidenceResponse":
        d = evidence.declaration
        return cls(
            evidence_id=evidence.evidence_id,
            kind=d.kind,
            filename=d.filename,
            content_type=d.content_type,
            size=d.size,
            sha256=d.sha256,
            invoice_number=d.invoice_number,
            status=evidence.status,
            reason=evidence.reason,
            detected_type=evidence.detected_type,
            created_at=evidence.created_at,
            checked_at=evidence.checked_at,
            erased_at=evidence.erased_at,
        )


class UploadResponse(LazyModel):
    """A presigned POST: send the file as multipart/form-data with these fields, file last."""

    method: str = "POST"
    url: str
    fields: dict[str, str]
    expires_at: datetime


class EvidenceUploadResponse(LazyModel):
    evidence: EvidenceResponse
    upload: UploadResponse


class EvidenceListResponse(LazyModel):
    items: list[EvidenceResponse]
    readiness: Readiness
