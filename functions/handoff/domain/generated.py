"""A document Handoff generated for a case: which template made it, from which rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handoff.domain.document_kinds import DocumentKind

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class GeneratedDocument:
    document_id: str
    tenant_id: str
    case_id: str
    kind: DocumentKind
    key: str
    sha256: str
    size: int
    template_name: str
    template_version: str
    rule_pack_version: str
    created_at: datetime
    created_by: str
    partner_id: str | None = None
    erased_at: datetime | None = None  # the file was deleted with the case's personal data

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.case_id}-{self.document_id}.docx"
