"""Response models of the ledger and of inbound webhook receipts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.claim import Bucket
from handoff.domain.ledger import EntryKind
from handoff.domain.lifecycle import CaseStatus

if TYPE_CHECKING:  # only the `of` mappers take these
    from handoff.domain.ledger import Ledger, LedgerEntry
    from handoff.services.partner_webhooks import Receipt

CaseAmount = Annotated[Decimal, Field(description="Decimal string in the case currency")]


class LedgerEntryResponse(LazyModel):
    kind: Annotated[EntryKind, Field(description="What moved: a payment, a fee, a charge or a note")]
    on: Annotated[date, Field(description="When it happened")]
    amount: CaseAmount
    reference: Annotated[str | None, Field(description="The payer's or partner's reference")] = None
    event_seq: Annotated[int | None, Field(description="The timeline event it comes from")] = None
    allocation: Annotated[
        dict[Bucket, Decimal] | None,
        Field(description="Payments: how much went to costs, interest, principal"),
    ] = None
    overpaid: Annotated[Decimal | None, Field(description="Payments: the part above what was owed")] = None
    balance_after: Annotated[Decimal | None, Field(description="What is still owed after this entry")] = None
    details: Annotated[
        dict[str, Any], Field(description="Court and docket, percent applied, close code…")
    ] = {}

    @classmethod
    def of(cls, entry: LedgerEntry) -> LedgerEntryResponse:
        return cls(
            kind=entry.kind,
            on=entry.on,
            amount=entry.amount,
            reference=entry.reference,
            event_seq=entry.seq,
            allocation=dict(entry.allocation) or None,
            overpaid=entry.overpaid,
            balance_after=entry.balance_after,
            details={k: str(v) if isinstance(v, Decimal) else v for k, v in entry.details.items()},
        )


class LedgerTotalsResponse(LazyModel):
    """Totals that reconcile: collected + direct = allocated + overpayment;
    net_to_creditor = remittance + direct - overpayment; remittance = collected - partner_fees."""

    principal: Annotated[Decimal, Field(description="Principal owed on the invoices at intake")]
    interest: Annotated[Decimal, Field(description="Interest awarded (judgments)")]
    costs: Annotated[Decimal, Field(description="Costs awarded (judgments)")]
    collected: Annotated[Decimal, Field(description="Collected by the partner")]
    direct: Annotated[Decimal, Field(description="Paid straight to the creditor")]
    allocated_costs: Decimal
    allocated_interest: Decimal
    allocated_principal: Decimal
    overpayment: Annotated[Decimal, Field(description="Paid beyond what was owed (to refund)")]
    balance: Annotated[Decimal, Field(description="Still owed; never below zero")]
    contingency_fees: Decimal
    direct_payment_fees: Decimal
    recall_fees: Decimal
    partner_fees: Annotated[Decimal, Field(description="contingency + direct payment + recall fees")]
    remittance: Annotated[
        Decimal,
        Field(description="collected - partner_fees: what the partner passes on (negative: owed to it)"),
    ]
    net_to_creditor: Annotated[Decimal, Field(description="allocated - partner_fees")]


class LedgerResponse(LazyModel):
    case_id: str
    currency: str
    allocation_order: Annotated[list[Bucket], Field(description="How each payment is allocated")]
    accepted_on: Annotated[
        date | None, Field(description="Placement accepted: the exclusivity period starts")
    ]
    entries: Annotated[list[LedgerEntryResponse], Field(description="In the order they happened")]
    totals: LedgerTotalsResponse

    @classmethod
    def of(cls, case_id: str, ledger: Ledger) -> LedgerResponse:
        return cls(
            case_id=case_id,
            currency=ledger.currency,
            allocation_order=list(ledger.order),
            accepted_on=ledger.accepted_on,
            entries=[LedgerEntryResponse.of(e) for e in ledger.entries],
            totals=LedgerTotalsResponse(**vars(ledger.totals)),
        )


class WebhookReceiptResponse(LazyModel):
    case_id: str
    duplicate: Annotated[bool, Field(description="True: this webhook-id was recorded before; nothing new")]
    status: Annotated[CaseStatus | None, Field(description="The case status after the event")] = None

    @classmethod
    def of(cls, receipt: Receipt) -> WebhookReceiptResponse:
        return cls(case_id=receipt.case_id, duplicate=receipt.duplicate, status=receipt.status)
