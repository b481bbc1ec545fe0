"""Request and response models of generated documents and evidence packets."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.document_kinds import DocumentKind
from handoff.domain.models import Strict

if TYPE_CHECKING:
    from handoff.domain.generated import GeneratedDocument
    from handoff.services.packets import Packet


class DocumentRequest(Strict):
    """Which document to generate from the case as it stands now."""

    kind: DocumentKind

    model_config = ConfigDict(json_schema_extra={"examples": [{"kind": "demand_letter"}]})


class DocumentResponse(LazyModel):
    document_id: str
    kind: DocumentKind
    sha256: Annotated[str, Field(description="SHA-256 of the .docx exactly as stored")]
    size: int
    template_name: str
    template_version: str
    rule_pack_version: Annotated[str, Field(description="Jurisdiction rule pack used for amounts and dates")]
    created_at: datetime
    created_by: str
    erased_at: Annotated[
        datetime | None, Field(description="The file was deleted with the case's personal data")
    ] = None

    @classmethod
    def of(cls, document: "GeneratedDocument") -> "DocumentResponse":
        return cls(
            document_id=document.document_id,
            kind=document.kind,
            sha256=document.sha256,
            size=document.size,
            template_name=document.template_name,
            template_version=document.template_version,
            rule_pack_version=document.rule_pack_version,
            created_at=document.created_at,
            created_by=document.created_by,
            erased_at=document.erased_at,
        )


class PacketResponse(LazyModel):
    version: Annotated[int, Field(description="Packets are never rewritten: each assembly is a new version")]
    sha256: Annotated[str, Field(description="SHA-256 of the ZIP exactly as stored; also on the timeline")]
    size: int
    files: Annotated[int, Field(description="Members, manifest.json included")]
    created_at: datetime

    @classmethod
    def of(cls, packet: "Packet") -> "PacketResponse":
        return cls(
            version=packet.version,
            sha256=packet.sha256,
            size=packet.size,
            files=packet.files,
            created_at=datetime.fromisoformat(packet.created_at),
        )


class DocumentListResponse(LazyModel):
    items: list[DocumentResponse]
