"""What each legal document template receives: one context model per template.

The models are pure (no docxtpl, no I/O). Every value a template prints is
already formatted here — money as `£1,250.00` or `CHF 1,250.00`, dates as
`1 April 2026` — so that legal staff editing a template in Word never write a
filter, and the same text is printed by every template. Each money and date
value keeps its raw `Decimal` / `date` next to the text for code that needs it.

The contract between a template and its model is checked by
`tests/unit/test_templates.py`: the variables a template uses are exactly the
top-level fields of its context model (`templates/legal/templates.yaml` links
them).

Nothing here is legal advice. A letter is written for a creditor to send; rule
references in it tell the debtor where a charge comes from.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from handoff.domain.base import LazyModel
from handoff.domain.document_kinds import DocumentKind
from handoff.domain.money import Money

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# The Pre-Action Protocol for Debt Claims (England and Wales) asks for these with the letter of claim.
DEBT_PROTOCOL_ENCLOSURES: tuple[str, ...] = (
    "Information Sheet",
    "Reply Form",
    "Financial Statement",
    "Statement of account",
)
DEBT_PROTOCOL_MIN_DAYS = 30


class DocumentModel(LazyModel):
    """Base of the context models: immutable, unknown fields refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------------------


def format_date(value: date) -> str:
    """`1 April 2026` — day, English month name, year; independent of the process locale."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_percent(value: Decimal) -> str:
    """`25%`, `11.75%` — no trailing zeros."""
    text = f"{value.normalize():f}"
    return f"{text}%"


class DateText(DocumentModel):
    """A calendar date as printed; `str(d)` is its text."""

    value: Annotated[date, Field(description="ISO 8601 date")]
    text: Annotated[str, Field(description="As printed, e.g. '1 April 2026'")]

    @classmethod
    def of(cls, value: date) -> DateText:
        return cls(value=value, text=format_date(value))

    def __str__(self) -> str:
        return self.text


class Percent(DocumentModel):
    value: Annotated[Decimal, Field(ge=0, le=100, description="Percentage points, e.g. 25 for 25%")]
    text: Annotated[str, Field(description="As printed, e.g. '25%'")]

    @classmethod
    def of(cls, value: Decimal | str | int) -> Percent:
        number = Decimal(value)
        return cls(value=number, text=format_percent(number))

    def __str__(self) -> str:
        return self.text


# ---------------------------------------------------------------------------------------------------------
# Shared parts
# ---------------------------------------------------------------------------------------------------------


class PartyBlock(DocumentModel):
    """A creditor, debtor or partner as it appears in an address block."""

    name: Annotated[str, Field(min_length=1, description="Legal name, printed exactly as given")]
    description: Annotated[
        str | None,
        Field(description="Entity type and registration, e.g. 'Company no. 01234567 (England and Wales)'"),
    ] = None
    address_lines: Annotated[
        list[str], Field(description="Postal address, one printed line each, country last")
    ]
    contact_name: Annotated[str | None, Field(description="Person or department to contact")] = None
    email: Annotated[str | None, Field(description="Contact email")] = None
    phone: Annotated[str | None, Field(description="Contact phone, international format")] = None


class InvoiceLine(DocumentModel):
    number: Annotated[str, Field(description="The creditor's invoice number")]
    description: Annotated[str | None, Field(description="What was supplied")] = None
    issued_on: Annotated[DateText, Field(description="Invoice date")]
    due_on: Annotated[DateText, Field(description="Payment due date")]
    amount: Annotated[Money, Field(description="Invoiced amount")]
    paid: Annotated[Money, Field(description="Paid against this invoice so far")]
    outstanding: Annotated[Money, Field(description="Amount still owed on this invoice")]
    days_past_due: Annotated[int, Field(ge=0, description="Days since the due date, on the document's date")]


class ChargeLine(DocumentModel):
    """Interest, compensation or a fee: the amount and the rule that gives it."""

    label: Annotated[str, Field(description="e.g. 'Statutory interest', 'Fixed compensation'")]
    amount: Annotated[Money, Field(description="Amount to the document's date")]
    basis: Annotated[
        str, Field(description="How it is computed, e.g. '11.75% a year simple, from each due date'")
    ]
    citation: Annotated[
        str, Field(description="The rule or contract clause that gives it, e.g. 'Late Payment ... Act 1998'")
    ]
    continues_to_accrue: Annotated[
        bool, Field(description="Whether it keeps growing after the document date")
    ]
    daily_amount: Annotated[
        Money | None, Field(description="What accrues per day after the document date, if it accrues")
    ] = None


class PaymentLine(DocumentModel):
    received_on: Annotated[DateText, Field(description="Date the payment was received")]
    reference: Annotated[str, Field(description="Payer's reference or method")]
    amount: Annotated[Money, Field(description="Amount received")]
    allocated_to: Annotated[str, Field(description="What it was applied to, e.g. 'INV-1001'")]


class LabelValue(DocumentModel):
    """One printed line of a key/value block, e.g. `Sort code: 12-34-56`."""

    label: str
    value: str


class ResponsePeriod(DocumentModel):
    days: Annotated[int, Field(gt=0, description="Length of the period")]
    business_days: Annotated[bool, Field(description="Counted in business days of the debtor's jurisdiction")]
    text: Annotated[str, Field(description="As printed, e.g. '30 days' or '10 business days'")]

    @classmethod
    def of(cls, days: int, *, business_days: bool) -> ResponsePeriod:
        unit = "business day" if business_days else "day"
        return cls(days=days, business_days=business_days, text=f"{days} {unit}{'' if days == 1 else 's'}")

    def __str__(self) -> str:
        return self.text


class JurisdictionBlock(DocumentModel):
    code: Annotated[str, Field(description="ISO 3166-1 country or 3166-2 subdivision, e.g. GB-ENG")]
    name: Annotated[str, Field(description="As printed, e.g. 'England and Wales'")]
    governing_law: Annotated[str, Field(description="Law governing the contract, as printed")]


class ClaimSummary(DocumentModel):
    currency: Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217 code")]
    principal: Annotated[Money, Field(description="Principal outstanding")]
    interest: Annotated[Money, Field(description="Interest accrued to the document's date")]
    interest_basis: Annotated[str, Field(description="Rate and rule of the interest, as printed")]
    compensation: Annotated[Money, Field(description="Fixed late-payment compensation")]
    late_fees: Annotated[Money, Field(description="Contractual late fees")]
    awarded: Annotated[Money, Field(description="Costs and interest a court awarded, still owed")]
    total: Annotated[Money, Field(description="Principal + interest + compensation + fees + awarded")]
    invoice_count: Annotated[int, Field(ge=1, description="Number of unpaid invoices")]
    oldest_due_date: Annotated[DateText, Field(description="Due date of the oldest unpaid invoice")]
    days_past_due: Annotated[int, Field(ge=0, description="Days since the oldest due date")]
    last_payment: Annotated[
        str | None, Field(description="Last payment, as printed, e.g. '£200.00 on 3 March 2026'")
    ] = None
    demand_issued_on: Annotated[DateText | None, Field(description="Date of the letter before action")] = None
    demand_expired_on: Annotated[
        DateText | None, Field(description="End of the demand's response period")
    ] = None


class EvidenceItem(DocumentModel):
    file_name: Annotated[str, Field(description="File name inside the evidence packet")]
    kind: Annotated[str, Field(description="e.g. invoice, signed terms, correspondence")]
    sha256_short: Annotated[
        str, Field(min_length=8, max_length=16, description="First hex digits of SHA-256")
    ]


class OutcomeCount(DocumentModel):
    outcome: Annotated[str, Field(description="Contact outcome as printed, e.g. 'No answer'")]
    count: Annotated[int, Field(ge=0)]


class ContactSummary(DocumentModel):
    attempts: Annotated[int, Field(ge=0, description="Contact attempts logged")]
    by_outcome: Annotated[list[OutcomeCount], Field(description="Attempts per outcome, most frequent first")]
    last_contact: Annotated[
        str | None, Field(description="Last attempt, as printed, e.g. '11 May 2026 by phone: refused'")
    ] = None


class FeeTerms(DocumentModel):
    contingency: Annotated[Percent, Field(description="Commission on amounts recovered")]
    direct_payment_fee: Annotated[
        str, Field(description="Fee on payments made straight to the creditor after placement, as printed")
    ]
    recall_fee: Annotated[str, Field(description="Fee if the creditor withdraws the case, as printed")]
    exclusivity: Annotated[str | None, Field(description="Exclusivity period, as printed")] = None


class SettlementAuthority(DocumentModel):
    percent: Annotated[Percent, Field(description="Lowest settlement as a share of the total claim")]
    minimum: Annotated[Money, Field(description="That share as an amount")]


class LimitationSummary(DocumentModel):
    ends_on: Annotated[DateText | None, Field(description="Last day to issue proceedings, if known")]
    basis: Annotated[str, Field(description="Period and rule, e.g. '6 years (Limitation Act 1980 s.5)'")]
    time_barred: Annotated[bool, Field(description="Whether the period has already ended")]


# ---------------------------------------------------------------------------------------------------------
# One context model per template
# ---------------------------------------------------------------------------------------------------------


class DemandLetterContext(DocumentModel):
    """Letter before action: what is owed, why, by when, how to pay or dispute, and what follows."""

    letter_date: Annotated[DateText, Field(description="Date printed on the letter")]
    creditor: Annotated[PartyBlock, Field(description="Sender; its name is in the page header")]
    debtor: Annotated[PartyBlock, Field(description="Addressee")]
    creditor_reference: Annotated[str, Field(description="The creditor's own reference for the case")]
    agreement_reference: Annotated[
        str | None, Field(description="The signed agreement the invoices are under, if any")
    ] = None
    jurisdiction: Annotated[JurisdictionBlock, Field(description="Debtor's jurisdiction and governing law")]
    invoices: Annotated[list[InvoiceLine], Field(min_length=1, description="One row per unpaid invoice")]
    principal: Annotated[Money, Field(description="Sum of the invoices' outstanding amounts")]
    interest: Annotated[ChargeLine | None, Field(description="Interest claimed, with its rule")] = None
    compensation: Annotated[
        ChargeLine | None, Field(description="Fixed late-payment compensation, with its rule")
    ] = None
    late_fees: Annotated[
        list[ChargeLine], Field(description="Contractual late fees, and costs or interest a court awarded")
    ] = []
    total: Annotated[Money, Field(description="Total to pay: principal, interest, compensation, fees")]
    response_deadline: Annotated[DateText, Field(description="Last day to pay or reply")]
    response_period: Annotated[ResponsePeriod, Field(description="The period that gives the deadline")]
    payment_details: Annotated[
        list[LabelValue], Field(min_length=1, description="How to pay, from the creditor profile")
    ]
    payment_reference: Annotated[str, Field(description="What to quote when paying")]
    dispute_contact: Annotated[str, Field(description="Where to send a dispute, as printed")]
    debt_protocol: Annotated[
        bool,
        Field(
            description="Pre-Action Protocol for Debt Claims applies (individual or sole trader in "
            "England and Wales): 30 days and the protocol enclosures"
        ),
    ] = False
    time_barred: Annotated[
        bool, Field(description="The limitation period has ended: the letter makes no threat of proceedings")
    ] = False
    enclosures: Annotated[list[str], Field(description="Documents sent with the letter")] = []
    signatory: Annotated[str, Field(description="Name or department signing for the creditor")]

    @model_validator(mode="after")
    def _debt_protocol_requirements(self) -> Self:
        if self.debt_protocol:
            if self.response_period.business_days or self.response_period.days < DEBT_PROTOCOL_MIN_DAYS:
                raise ValueError(
                    f"a Debt Protocol letter gives at least {DEBT_PROTOCOL_MIN_DAYS} days to reply"
                )
            missing = [e for e in DEBT_PROTOCOL_ENCLOSURES if e not in self.enclosures]
            if missing:
                raise ValueError(f"a Debt Protocol letter encloses {', '.join(missing)}")
        return self


class _ForwardingLetterContext(DocumentModel):
    """What an agency and an attorney both receive with a case."""

    letter_date: Annotated[DateText, Field(description="Date printed on the letter")]
    creditor: Annotated[PartyBlock, Field(description="The client; its name is in the page header")]
    partner: Annotated[PartyBlock, Field(description="The agency or law firm receiving the case")]
    debtor: Annotated[PartyBlock, Field(description="The debtor")]
    case_id: Annotated[str, Field(description="Handoff case identifier")]
    creditor_reference: Annotated[str, Field(description="The creditor's own reference for the case")]
    jurisdiction: Annotated[JurisdictionBlock, Field(description="Debtor's jurisdiction and governing law")]
    claim: Annotated[ClaimSummary, Field(description="Amounts and ageing of the claim")]
    evidence: Annotated[list[EvidenceItem], Field(description="Index of the evidence packet")]
    contact_summary: Annotated[ContactSummary, Field(description="The creditor's own collection attempts")]
    fee_terms: Annotated[FeeTerms, Field(description="Agreed fees for this placement")]
    settlement_authority: Annotated[SettlementAuthority, Field(description="Lowest settlement accepted")]
    limitation: Annotated[LimitationSummary, Field(description="Limitation position")]
    debtor_notes: Annotated[
        list[str], Field(description="Flags and escalation signals, e.g. 'history of legal disputes'")
    ] = []
    acceptance_deadline: Annotated[
        DateText, Field(description="Accept or decline the placement by this date")
    ]
    signatory: Annotated[str, Field(description="Name or department signing for the creditor")]


class AgencyPlacementContext(_ForwardingLetterContext):
    """Placement of a case with a collection agency."""


class AttorneyReferralContext(_ForwardingLetterContext):
    """Referral (forwarding) of a case to a law firm."""

    instructions: Annotated[
        list[str], Field(min_length=1, description="What the creditor asks the firm to do")
    ]
    costs_authority: Annotated[
        Money, Field(description="Disbursements (court fees, searches) authorised without asking first")
    ]


class StatementOfAccountContext(DocumentModel):
    """Statement of account: invoices, payments, charges and the balance on a date."""

    as_of: Annotated[DateText, Field(description="Date the balance is computed to")]
    creditor: Annotated[PartyBlock, Field(description="Issuer; its name is in the page header")]
    debtor: Annotated[PartyBlock, Field(description="Customer")]
    creditor_reference: Annotated[str, Field(description="The creditor's own reference for the case")]
    currency: Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217 code")]
    invoices: Annotated[list[InvoiceLine], Field(min_length=1, description="One row per invoice")]
    payments: Annotated[list[PaymentLine], Field(description="Payments received, oldest first")] = []
    invoiced_total: Annotated[Money, Field(description="Sum of invoiced amounts")]
    paid_total: Annotated[Money, Field(description="Sum of payments")]
    principal: Annotated[Money, Field(description="Principal outstanding")]
    charges: Annotated[list[ChargeLine], Field(description="Interest, compensation and fees")] = []
    balance: Annotated[Money, Field(description="Principal plus charges: the balance due")]


DocumentContext = (
    DemandLetterContext | AgencyPlacementContext | AttorneyReferralContext | StatementOfAccountContext
)

CONTEXT_MODELS: dict[DocumentKind, type[DocumentModel]] = {
    DocumentKind.DEMAND_LETTER: DemandLetterContext,
    DocumentKind.STATEMENT_OF_ACCOUNT: StatementOfAccountContext,
    DocumentKind.AGENCY_PLACEMENT: AgencyPlacementContext,
    DocumentKind.ATTORNEY_REFERRAL: AttorneyReferralContext,
}


__all__ = [
    "CONTEXT_MODELS",
    "DEBT_PROTOCOL_ENCLOSURES",
    "AgencyPlacementContext",
    "AttorneyReferralContext",
    "ChargeLine",
    "ClaimSummary",
    "ContactSummary",
    "DateText",
    "DemandLetterContext",
    "DocumentContext",
    "DocumentKind",
    "DocumentModel",
    "EvidenceItem",
    "FeeTerms",
    "InvoiceLine",
    "JurisdictionBlock",
    "LabelValue",
    "LimitationSummary",
    "Money",
    "OutcomeCount",
    "PartyBlock",
    "PaymentLine",
    "Percent",
    "ResponsePeriod",
    "SettlementAuthority",
    "StatementOfAccountContext",
]
