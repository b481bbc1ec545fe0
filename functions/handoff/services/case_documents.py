"""Which generated documents a case has: those its timeline records.

A document's file and record are stored before the `document.generated` event that puts its
hash on the timeline. If that last write fails (a throttle, a crash), the file and record are
left behind but the case never had the document: it is not listed, not in the case file and
not packed, and the retried step writes the document the timeline then records.
"""

from __future__ import annotations

from handoff.domain.generated import GeneratedDocument
from handoff.services.ports import CaseRepository, DocumentRepository

RECORDED = "document.generated"


def case_documents(
    cases: CaseRepository, documents: DocumentRepository, tenant_id: str, case_id: str
) -> list[GeneratedDocument]:
    recorded = {e.data["document_id"] for e in cases.all_events(tenant_id, case_id) if e.type == RECORDED}
    return [d for d in documents.list_for_case(tenant_id, case_id) if d.document_id in recorded]
