"""Use cases on generated documents: generate from a template, list, hand out a download."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel

from handoff.domain.case import Case
from handoff.domain.claim import Claim
from handoff.domain.document_kinds import DocumentKind
from handoff.domain.errors import ConflictError, NotFoundError
from handoff.domain.evidence import Evidence
from handoff.domain.generated import DOCX_MEDIA_TYPE, GeneratedDocument
from handoff.domain.ids import new_id
from handoff.domain.retention import check_not_erased
from handoff.domain.tenants import TenantProfile
from handoff.services.cases import update_case
from handoff.services.ports import CaseRepository, DocumentRepository, ObjectStorage, TenantRepository
from handoff.services.rate_holds import check_rates_recorded

PARTNER_LETTERS = frozenset({DocumentKind.AGENCY_PLACEMENT, DocumentKind.ATTORNEY_REFERRAL})


class Rendered(Protocol):
    content: bytes
    sha256: str
    template_name: str
    template_version: str


Render = Callable[[DocumentKind, BaseModel], Rendered]
BuildContext = Callable[..., BaseModel]


@dataclass(frozen=True)
class DocumentStore:
    """Where documents go and how they are made: injected so tests can use fakes."""

    cases: CaseRepository
    tenants: TenantRepository
    documents: DocumentRepository
    storage: ObjectStorage
    bucket: str
    render: Render
    build_context: BuildContext


@dataclass(frozen=True)
class DocumentInputs:
    """Everything a template's context is built from, beyond the case itself."""

    evidence: list[Evidence]
    partner: Any | None = None
    demand_issued_on: date | None = None
    demand_expired_on: date | None = None


def document_key(case: Case, document_id: str) -> str:
    return f"documents/{case.tenant_id}/{case.case_id}/{document_id}.docx"


def assessment_for(case: Case, today: date) -> Claim:
    """The claim a letter dated `today` states: the same as the assessment of that date."""
    return case.claim_as_of(today, letter_date=today)


def _check_claim(kind: DocumentKind, claim: Claim) -> None:
    """An extinguished debt is never demanded (a time-barred one gets the request-for-payment variant)."""
    if kind is DocumentKind.DEMAND_LETTER and claim.standing == "extinguished":
        cite = claim.limitation.citations[0].cite if claim.limitation.citations else "its limitation rule"
        raise ConflictError(
            f"the debt was extinguished on {claim.limitation.ends_on} ({cite}): it cannot be demanded"
        )


def generate_document(
    store: DocumentStore,
    tenant_id: str,
    case_id: str,
    kind: DocumentKind,
    inputs: DocumentInputs,
    actor: str,
    now: datetime,
) -> GeneratedDocument:
    """Render `kind` for the case as it stands, store it immutably, and put its hash on the timeline."""
    case = store.cases.get(tenant_id, case_id)
    check_not_erased(case)
    if kind in PARTNER_LETTERS and inputs.partner is None:
        raise ConflictError(f"a {kind} is written to the assigned partner; this case has none yet")
    creditor: TenantProfile = store.tenants.get(tenant_id).profile
    assessment = assessment_for(case, now.date())
    _check_claim(kind, assessment)
    check_rates_recorded(assessment, case_id)  # every letter states interest: 409 if a rate is assumed
    context = store.build_context(
        kind,
        case_id=case_id,
        intake=case.intake,
        creditor=creditor,
        assessment=assessment,
        today=now.date(),
        evidence=inputs.evidence,
        partner=inputs.partner,
        demand_issued_on=inputs.demand_issued_on,
        demand_expired_on=inputs.demand_expired_on,
    )
    rendered = store.render(kind, context)
    document_id = new_id("doc")
    document = GeneratedDocument(
        document_id=document_id,
        tenant_id=tenant_id,
        case_id=case_id,
        kind=kind,
        key=document_key(case, document_id),
        sha256=rendered.sha256,
        size=len(rendered.content),
        template_name=rendered.template_name,
        template_version=rendered.template_version,
        rule_pack_version=assessment.pack_version,
        created_at=now,
        created_by=actor,
        partner_id=getattr(inputs.partner, "partner_id", None),
    )
    store.storage.put(store.bucket, document.key, rendered.content, DOCX_MEDIA_TYPE)
    store.documents.add(document)
    update_case(
        store.cases,
        tenant_id,
        case_id,
        lambda c: c.record(
            "document.generated",
            actor,
            now,
            {
                "document_id": document_id,
                "kind": kind,
                "sha256": rendered.sha256,
                "template": f"{rendered.template_name}@{rendered.template_version}",
                "rule_pack": assessment.pack_version,
            },
        ),
    )
    return document


def download_url(store: DocumentStore, tenant_id: str, case_id: str, document_id: str, seconds: int) -> str:
    store.cases.get(tenant_id, case_id)  # 404 for another tenant's case
    document = store.documents.get(tenant_id, case_id, document_id)
    if document.erased_at is not None:
        raise NotFoundError(f"document {document_id} was erased with the case's personal data")
    return store.storage.download_url(store.bucket, document.key, seconds, document.filename)
