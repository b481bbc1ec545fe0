"""Response models of the partner API: the case file a partner works from."""

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.evidence import EvidenceKind, EvidenceStatus
from handoff.domain.tenants import TenantProfile
from handoff.handlers.document_models import DocumentResponse
from handoff.handlers.models import CaseListItem, CaseResponse

if TYPE_CHECKING:
    from handoff.domain.case import Case
    from handoff.domain.evidence import Evidence
    from handoff.domain.generated import GeneratedDocument


class EvidenceIndexItem(LazyModel):
    evidence_id: str
    kind: EvidenceKind
    filename: str
    sha256: str
    size: int
    path_in_packet: str


class CreditorView(LazyModel):
    legal_name: str
    registration_number: str | None
    contact_name: str
    contact_email: str


class AssignmentResponse(LazyModel):
    """The case file a partner works from: the case, the creditor, the evidence and documents."""

    case: CaseResponse
    creditor: CreditorView
    evidence: Annotated[
        list[EvidenceIndexItem], Field(description="Verified evidence only; all in the packet")
    ]
    documents: list[DocumentResponse]

    @classmethod
    def of(
        cls,
        case: "Case",
        creditor: TenantProfile,
        evidence: "list[Evidence]",
        documents: "list[GeneratedDocument]",
    ) -> "AssignmentResponse":
        return cls(
            case=CaseResponse.of(case),
            creditor=CreditorView(
                legal_name=creditor.legal_name,
                registration_number=creditor.registration_number,
                contact_name=creditor.contact.name,
                contact_email=creditor.contact.email,
            ),
            evidence=[
                EvidenceIndexItem(
                    evidence_id=e.evidence_id,
                    kind=e.declaration.kind,
                    filename=e.declaration.filename,
                    sha256=e.declaration.sha256,
                    size=e.declaration.size,
                    path_in_packet=e.path_in_packet,
                )
                for e in evidence
                if e.status == EvidenceStatus.verified
            ],
            documents=[DocumentResponse.of(d) for d in documents],
        )


class AssignmentListResponse(LazyModel):
    items: list[CaseListItem]
