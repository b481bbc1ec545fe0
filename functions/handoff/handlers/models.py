"""Request and response models of the public API, mapped explicitly from the domain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.case import PrincipalKind
from handoff.domain.clock import utcnow
from handoff.domain.document_kinds import DocumentKind
from handoff.domain.evidence import EvidenceDeclaration, EvidenceKind, EvidenceStatus, Readiness
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import CaseIntake, ContactAttempt, Strict
from handoff.domain.summary import CaseSummary, summarize
from handoff.domain.tenants import TenantProfile

if TYPE_CHECKING:  # only the `of` mappers take these: a function loads the services it calls, no more
    from handoff.domain.api_keys import ApiKey
    from handoff.domain.case import Case, CaseEvent
    from handoff.domain.evidence import Evidence
    from handoff.domain.generated import GeneratedDocument
    from handoff.domain.jurisdictions import LegalAssessment
    from handoff.domain.tenants import Tenant
    from handoff.services.cases import Verification
    from handoff.services.packets import Packet
    from handoff.services.reports import RecoveryReport, ReportRow

EXAMPLE_CASE: dict[str, Any] = {
    "creditor_reference": "ACME-2026-0042",
    "debtor": {
        "legal_name": "Northwind Trading Ltd",
        "entity_type": "company",
        "registration_number": "01234567",
        "address": {
            "lines": ["1 High Street"],
            "city": "Leeds",
            "postal_code": "LS1 1AA",
            "country": "GB",
            "subdivision": "GB-ENG",
        },
        "contacts": [{"name": "Jane Roe", "email": "ap@northwind.example", "phone": "+441132000000"}],
        "flags": {"disputed": False, "insolvent": False, "prior_legal_disputes": False},
    },
    "currency": "GBP",
    "invoices": [
        {
            "number": "INV-1001",
            "issued_on": "2026-05-01",
            "due_on": "2026-05-31",
            "amount": "1250.00",
            "paid": "0.00",
            "description": "Consulting, May",
        }
    ],
    "terms": {
        "payment_days": 30,
        "interest": {"kind": "statutory"},
        "late_fee": None,
        "governing_law": "GB-ENG",
        "agreement_reference": "MSA-2025-07",
    },
    "contact_log": [
        {
            "at": "2026-06-05T10:00:00Z",
            "channel": "email",
            "direction": "outbound",
            "outcome": "no_answer",
            "note": "Reminder 1",
        }
    ],
    "settlement_authority_percent": "80",
}


class CaseRequest(CaseIntake):
    """A debt to escalate. Amounts are decimal strings in `currency` (numbers accepted)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_CASE]})


class ContactRequest(ContactAttempt):
    """A contact attempt to add to the case's contact log."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"at": "2026-07-01T09:30:00Z", "channel": "phone", "outcome": "promised_to_pay", "note": "AP"}
            ]
        }
    )


class RuleAmount(LazyModel):
    amount: Annotated[Decimal, Field(description="To the summary date, in the case currency")]
    rule_id: Annotated[str | None, Field(description="Rule-pack rule that gives it; null when none applies")]
    basis: str | None = None
    reason: Annotated[str | None, Field(description="Why no rule applies, when none does")] = None


class LimitationView(LazyModel):
    status: Annotated[str, Field(description="running | expired | extinguished | unknown")]
    ends_on: date | None
    rule_id: str | None
    extinguishes: bool | None = None


class LegalSummary(LazyModel):
    """What the jurisdiction rule pack says about this debt today. Engineering data, not legal advice."""

    rule_pack_version: str
    jurisdiction: str | None
    law_jurisdiction: str | None
    interest: RuleAmount
    compensation: RuleAmount
    late_fees: Decimal
    limitation: LimitationView
    response_deadline_if_sent_today: date
    response_rule_id: str | None
    small_claims_ceiling: Decimal | None
    disclaimer: str

    @classmethod
    def of(cls, a: LegalAssessment) -> LegalSummary:
        return cls(
            rule_pack_version=a.pack_version,
            jurisdiction=a.jurisdiction,
            law_jurisdiction=a.law_jurisdiction,
            interest=RuleAmount(
                amount=a.interest.total,
                rule_id=a.interest.rule_id,
                basis=a.interest.basis,
                reason=a.interest.reason,
            ),
            compensation=RuleAmount(
                amount=a.compensation.total, rule_id=a.compensation.rule_id, reason=a.compensation.reason
            ),
            late_fees=a.late_fees.total,
            limitation=LimitationView(
                status=a.limitation.status,
                ends_on=a.limitation.ends_on,
                rule_id=a.limitation.rule_id,
                extinguishes=a.limitation.extinguishes,
            ),
            response_deadline_if_sent_today=a.response.deadline,
            response_rule_id=a.response.rule_id,
            small_claims_ceiling=a.small_claims.ceiling,
            disclaimer=a.disclaimer,
        )


class CaseResponse(LazyModel):
    case_id: str
    status: CaseStatus
    version: Annotated[int, Field(description="Increments with every change; events carry the same number")]
    created_at: datetime
    updated_at: datetime
    creditor_reference: str
    case: Annotated[CaseIntake, Field(description="The case as submitted, with contacts logged since")]
    summary: Annotated[CaseSummary, Field(description="Computed balances, ageing and contact history")]
    paid_directly: Annotated[Decimal, Field(description="Payments reported straight to the creditor")]
    balance: Annotated[Decimal, Field(description="Principal still owed after direct payments")]
    legal: Annotated[
        LegalSummary, Field(description="Interest, compensation, limitation: each with its rule")
    ]

    @classmethod
    def of(cls, case: Case) -> CaseResponse:
        from handoff.domain.jurisdictions import assess  # rule packs: only functions that show a case

        today = utcnow().date()
        return cls(
            case_id=case.case_id,
            status=case.status,
            version=case.version,
            created_at=case.created_at,
            updated_at=case.updated_at,
            creditor_reference=case.intake.creditor_reference,
            case=case.intake,
            summary=summarize(case.intake, today),
            paid_directly=sum((p.amount for p in case.payments), Decimal(0)),
            balance=case.outstanding,
            legal=LegalSummary.of(assess(case.intake, as_of=today)),
        )


class CaseListItem(LazyModel):
    case_id: str
    status: CaseStatus
    creditor_reference: str
    debtor_name: str
    currency: str
    principal_outstanding: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, case: Case) -> CaseListItem:
        outstanding = sum((i.outstanding for i in case.intake.invoices), start=0)
        return cls(
            case_id=case.case_id,
            status=case.status,
            creditor_reference=case.intake.creditor_reference,
            debtor_name=case.intake.debtor.legal_name,
            currency=case.intake.currency,
            principal_outstanding=str(outstanding),
            created_at=case.created_at,
            updated_at=case.updated_at,
        )


class CaseListResponse(LazyModel):
    items: list[CaseListItem]
    next_cursor: Annotated[str | None, Field(description="Pass as `cursor` for the next page")] = None


class EventResponse(LazyModel):
    seq: Annotated[int, Field(description="Position in the timeline; equals the case version it produced")]
    type: str
    at: datetime
    actor: Annotated[str, Field(description="kind:owner:key_id of the caller, or `system`")]
    status: CaseStatus | None
    data: dict[str, Any]
    prev_hash: Annotated[str, Field(description="SHA-256 of the previous event (64 zeros for the first)")]
    hash: Annotated[str, Field(description="SHA-256 of this event's content and prev_hash")]

    @classmethod
    def of(cls, event: CaseEvent) -> EventResponse:
        return cls(
            seq=event.seq,
            type=event.type,
            at=event.at,
            actor=event.actor,
            status=event.status,
            data=event.data,
            prev_hash=event.prev_hash,
            hash=event.hash,
        )


class EventListResponse(LazyModel):
    items: list[EventResponse]
    next_cursor: str | None = None


class TenantRequest(TenantProfile):
    """A business to onboard: its profile appears on letters it sends through Handoff."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "legal_name": "Acme Supplies Ltd",
                    "registration_number": "09876543",
                    "address": {
                        "lines": ["5 Mill Lane"],
                        "city": "York",
                        "postal_code": "YO1 7HH",
                        "country": "GB",
                        "subdivision": "GB-ENG",
                    },
                    "contact": {
                        "name": "Credit Control",
                        "email": "credit@acme.example",
                        "phone": "+441904000000",
                    },
                    "payment_instructions": {
                        "account_name": "Acme Supplies Ltd",
                        "bank_name": "Example Bank",
                        "sort_code": "12-34-56",
                        "account_number": "12345678",
                        "reference_hint": "your invoice number",
                    },
                }
            ]
        }
    )


class TenantResponse(LazyModel):
    tenant_id: str
    created_at: datetime
    profile: TenantProfile

    @classmethod
    def of(cls, tenant: Tenant) -> TenantResponse:
        return cls(tenant_id=tenant.tenant_id, created_at=tenant.created_at, profile=tenant.profile)


class ApiKeyRequest(Strict):
    """Issue a key: business keys name a tenant, agency and attorney keys a partner, operator keys neither."""

    kind: PrincipalKind
    tenant_id: str | None = None
    partner_id: str | None = None
    label: Annotated[str | None, Field(max_length=100, description="What the key is for")] = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "business", "tenant_id": "ten_4f1c0e9b2a7d6c5e8f90", "label": "ERP"}]
        }
    )


class ApiKeyResponse(LazyModel):
    key_id: str
    kind: PrincipalKind
    tenant_id: str | None
    partner_id: str | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None = None
    secret: Annotated[str | None, Field(description="Shown once, at issue; store it safely")] = None

    @classmethod
    def of(cls, key: ApiKey, secret: str | None = None) -> ApiKeyResponse:
        return cls(
            key_id=key.key_id,
            kind=key.kind,
            tenant_id=key.tenant_id,
            partner_id=key.partner_id,
            label=key.label,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            secret=secret,
        )


class ChainBreakResponse(LazyModel):
    seq: int
    reason: str


class VerificationResponse(LazyModel):
    """Whether the case's timeline is exactly as recorded."""

    case_id: str
    intact: Annotated[bool, Field(description="True when no event was changed, removed or reordered")]
    events: int
    last_hash: Annotated[str, Field(description="Hash of the latest event; quote it to prove the timeline")]
    packets: Annotated[int, Field(description="Evidence packets whose bytes were re-hashed")]
    breaks: list[ChainBreakResponse]

    @classmethod
    def of(cls, verification: Verification) -> VerificationResponse:
        return cls(
            case_id=verification.case_id,
            intact=verification.intact,
            events=verification.events,
            last_hash=verification.last_hash,
            packets=verification.packets,
            breaks=[ChainBreakResponse(seq=b.seq, reason=b.reason) for b in verification.breaks],
        )


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

    @classmethod
    def of(cls, evidence: Evidence) -> EvidenceResponse:
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

    @classmethod
    def of(cls, document: GeneratedDocument) -> DocumentResponse:
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
        )


class PacketResponse(LazyModel):
    version: Annotated[int, Field(description="Packets are never rewritten: each assembly is a new version")]
    sha256: Annotated[str, Field(description="SHA-256 of the ZIP exactly as stored; also on the timeline")]
    size: int
    files: Annotated[int, Field(description="Members, manifest.json included")]
    created_at: datetime

    @classmethod
    def of(cls, packet: Packet) -> PacketResponse:
        return cls(
            version=packet.version,
            sha256=packet.sha256,
            size=packet.size,
            files=packet.files,
            created_at=datetime.fromisoformat(packet.created_at),
        )


class DocumentListResponse(LazyModel):
    items: list[DocumentResponse]


class DownloadResponse(LazyModel):
    url: Annotated[str, Field(description="Presigned GET; works with any HTTP client until it expires")]
    expires_in_seconds: int

    @classmethod
    def expiring(cls, url: str, seconds: int) -> DownloadResponse:
        return cls(url=url, expires_in_seconds=seconds)


class PaymentRequest(Strict):
    """A payment the debtor made straight to you (not through a partner)."""

    amount: Annotated[Decimal, Field(gt=0, max_digits=18, description="In the case currency, decimal string")]
    paid_on: date
    reference: Annotated[str | None, Field(max_length=100, description="Bank reference or receipt")] = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"amount": "1250.00", "paid_on": "2026-09-14", "reference": "BACS 88213"}]
        }
    )


class ReasonRequest(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=2000, description="Shown on the timeline")]

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Debtor says the goods were faulty"}]}
    )


class AssignRequest(Strict):
    partner_id: Annotated[str, Field(min_length=1, max_length=64)]

    model_config = ConfigDict(json_schema_extra={"examples": [{"partner_id": "par_2c9d1e0f4a5b6c7d8e9f"}]})


class ReviewItem(LazyModel):
    case_id: str
    tenant_id: str
    creditor_reference: str
    currency: str
    balance: Decimal
    debtor_jurisdiction: str
    since: datetime

    @classmethod
    def of(cls, case: Case) -> ReviewItem:
        address = case.intake.debtor.address
        return cls(
            case_id=case.case_id,
            tenant_id=case.tenant_id,
            creditor_reference=case.intake.creditor_reference,
            currency=case.intake.currency,
            balance=case.outstanding,
            debtor_jurisdiction=address.subdivision or address.country,
            since=case.updated_at,
        )


class ReviewQueueResponse(LazyModel):
    items: list[ReviewItem]


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
        cls, case: Case, creditor: TenantProfile, evidence: list[Evidence], documents: list[GeneratedDocument]
    ) -> AssignmentResponse:
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


class ReportRowResponse(LazyModel):
    group: Annotated[str, Field(description="Partner id, jurisdiction, amount band, or `all`")]
    currency: str
    cases: int
    principal: Decimal
    recovered: Annotated[Decimal, Field(description="Applied to the debt (costs, interest, principal)")]
    collected: Annotated[
        Decimal, Field(description="Received by partners and directly, overpayments included")
    ]
    fees: Annotated[Decimal, Field(description="Partner fees")]
    net: Annotated[Decimal, Field(description="Net to the creditor")]
    recovery_rate_percent: Annotated[Decimal, Field(description="recovered / principal * 100")]
    cases_paid: Annotated[int, Field(description="Cases with at least one payment")]
    median_days_to_first_payment: Annotated[float | None, Field(description="From submission")]


class RecoveryReportResponse(LazyModel):
    """Per currency (amounts in different currencies are never added), for cases submitted in the period."""

    period_from: date
    period_to: date
    totals: list[ReportRowResponse]
    by_partner: list[ReportRowResponse]
    by_jurisdiction: list[ReportRowResponse]
    by_amount_band: list[ReportRowResponse]

    @classmethod
    def of(cls, report: RecoveryReport) -> RecoveryReportResponse:
        def rows(items: list[ReportRow]) -> list[ReportRowResponse]:
            return [ReportRowResponse(**vars(row)) for row in items]

        return cls(
            period_from=report.period_from,
            period_to=report.period_to,
            totals=rows(report.totals),
            by_partner=rows(report.by_partner),
            by_jurisdiction=rows(report.by_jurisdiction),
            by_amount_band=rows(report.by_amount_band),
        )


class HealthResponse(LazyModel):
    status: str
    version: str
