"""Request and response models of cases: intake, the case and its summary, the timeline, downloads."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.claim import Payment, PaymentSource
from handoff.domain.clock import utcnow
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import CaseIntake, ContactAttempt, Strict
from handoff.domain.money import zero
from handoff.domain.summary import CaseSummary, summarize

if TYPE_CHECKING:  # only the `of` mappers take these: a function loads the services it calls, no more
    from handoff.domain.case import Case, CaseEvent
    from handoff.domain.claim import Claim
    from handoff.services.cases import Verification

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
    def of(cls, a: Claim) -> LegalSummary:
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
    balance: Annotated[
        Decimal,
        Field(
            description="Still owed today: the claim's principal plus any costs and interest a court awarded"
        ),
    ]
    total_owed: Annotated[
        Decimal,
        Field(description="balance + interest + compensation + late fees today (the claim's total)"),
    ]
    legal: Annotated[
        LegalSummary, Field(description="Interest, compensation, limitation: each with its rule")
    ]

    @classmethod
    def of(cls, case: Case) -> CaseResponse:
        claim = case.claim_as_of(utcnow().date())
        return cls(
            case_id=case.case_id,
            status=case.status,
            version=case.version,
            created_at=case.created_at,
            updated_at=case.updated_at,
            creditor_reference=case.intake.creditor_reference,
            case=case.intake,
            summary=summarize(case.intake, claim),
            paid_directly=claim.received.get(PaymentSource.direct, zero(claim.currency)),
            balance=claim.balance,
            total_owed=claim.total,
            legal=LegalSummary.of(claim),
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
        outstanding = case.claim_as_of(utcnow().date()).principal
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


class DownloadResponse(LazyModel):
    url: Annotated[str, Field(description="Presigned GET; works with any HTTP client until it expires")]
    expires_in_seconds: int

    @classmethod
    def expiring(cls, url: str, seconds: int) -> DownloadResponse:
        return cls(url=url, expires_in_seconds=seconds)


class PaymentRequest(Strict):
    """A payment the debtor made straight to you (not through a partner)."""

    amount: Annotated[Decimal, Field(gt=0, max_digits=18, description="In the case currency, decimal string")]
    paid_on: Annotated[date, Field(description="Day the debtor paid: it may restart limitation")]
    reference: Annotated[str | None, Field(max_length=100, description="Bank reference or receipt")] = None
    invoice: Annotated[
        str | None,
        Field(min_length=1, max_length=64, description="Invoice the debtor paid; omitted: oldest due first"),
    ] = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"amount": "1250.00", "paid_on": "2026-09-14", "reference": "BACS 88213"}]
        }
    )

    def payment(self) -> Payment:
        return Payment(
            on=self.paid_on,
            amount=self.amount,
            source=PaymentSource.direct,
            invoice=self.invoice,
            reference=self.reference,
        )


class ReasonRequest(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=2000, description="Shown on the timeline")]

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Debtor says the goods were faulty"}]}
    )


class HealthResponse(LazyModel):
    status: str
    version: str
