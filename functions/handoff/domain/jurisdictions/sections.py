"""The result models of an assessment: one section per question, each naming its rule."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.jurisdictions.interest import InterestSegment
from handoff.domain.jurisdictions.limitation import LimitationResult, LimitationStatus, Restart
from handoff.domain.jurisdictions.pack import Ceiling, Citation, Claimant, RoundingMode, Verification


class Basis(StrEnum):
    statutory = "statutory"
    contractual = "contractual"
    none = "none"


class RuleSource(LazyModel):
    """Which rule answered, how sure the pack is, and why nothing did when `rule_id` is None."""

    rule_id: Annotated[str | None, Field(description="Pack rule id; None when no rule applies")] = None
    rule_jurisdiction: Annotated[str | None, Field(description="Jurisdiction whose rule applied")] = None
    verification: Annotated[Verification | None, Field(description="Weakest verification used")] = None
    citations: Annotated[list[Citation], Field(description="Sources of the rule(s) used")] = []
    note: Annotated[str | None, Field(description="Caveats of the rule, for a reader")] = None
    reason: Annotated[str | None, Field(description="Why the section is empty or partial")] = None


class InvoiceInterest(LazyModel):
    number: str
    principal: Annotated[Decimal, Field(description="Outstanding amount interest runs on")]
    starts_on: Annotated[date, Field(description="First day carrying interest")]
    days: Annotated[int, Field(description="Days from starts_on to as_of, both included")]
    amount: Annotated[Decimal, Field(description="Interest to as_of, rounded to the minor unit")]
    segments: Annotated[list[InterestSegment], Field(description="One per constant-rate period")]


class InterestSection(RuleSource):
    basis: Annotated[Basis, Field(description="statutory | contractual | none")]
    currency: str
    total: Annotated[Decimal, Field(description="Sum of the invoices' interest")]
    rounding: Annotated[RoundingMode | None, Field(description="daily or exact; None without interest")]
    rates_percent: Annotated[list[Decimal], Field(description="Distinct annual rates applied")] = []
    nature: Annotated[str | None, Field(description="late_payment_statute, court_prejudgment, ...")] = None
    invoices: list[InvoiceInterest] = []


class InvoiceAmount(LazyModel):
    number: str
    outstanding: Decimal
    amount: Decimal


class CompensationSection(RuleSource):
    currency: str
    total: Decimal
    invoices: list[InvoiceAmount] = []


class LateFeeSection(LazyModel):
    basis: Annotated[Basis, Field(description="contractual when the terms carry a late fee, else none")]
    currency: str
    total: Decimal
    invoices: list[InvoiceAmount] = []
    reason: str | None = None


class InvoiceLimitation(LimitationResult):
    number: str


class LimitationSection(RuleSource):
    status: Annotated[LimitationStatus, Field(description="Worst status over the outstanding invoices")]
    ends_on: Annotated[date | None, Field(description="Earliest end over the outstanding invoices")] = None
    restarted_on: Annotated[date | None, Field(description="Latest restart that counted")] = None
    extinguishes: Annotated[bool | None, Field(description="Expiry extinguishes the debt (GB-SCT)")] = None
    years: Annotated[int | None, Field(description="Period applied, in years")] = None
    period_basis: Annotated[str | None, Field(description="Why this period (written, open account...)")] = (
        None
    )
    restarts: Annotated[list[Restart], Field(description="Dated events that can restart the clock")] = []
    invoices: list[InvoiceLimitation] = []


class ResponseSection(RuleSource):
    starts_on: Annotated[date, Field(description="Letter date the period counts from")]
    deadline: Annotated[date, Field(description="Last day for the debtor's reply or payment")]
    days: int
    business_days: bool
    calendar: Annotated[str, Field(description="Holiday calendar used, or 'calendar days'")]
    enclosures: Annotated[list[str], Field(description="Documents the letter must enclose")] = []
    product_default: Annotated[bool, Field(description="True when no law gives the period")] = False


class SmallClaimsSection(RuleSource):
    ceiling: Annotated[Decimal | None, Field(description="Ceiling for this claimant; None if no track")] = (
        None
    )
    currency: str | None = None
    claimant: Claimant
    ceilings: Annotated[list[Ceiling], Field(description="All ceilings of the rule")] = []
    within: Annotated[bool | None, Field(description="Outstanding principal fits; None if unknown")] = None


class LegalAssessment(LazyModel):
    """What the rule pack says about one case on one day. Not legal advice."""

    pack_version: str
    as_of: date
    jurisdiction: Annotated[
        str | None, Field(description="Debtor's jurisdiction: subdivision if in the pack, else country")
    ]
    law_jurisdiction: Annotated[
        str | None, Field(description="Jurisdiction for interest, compensation, limitation")
    ]
    law_basis: Annotated[str, Field(description="governing_law (terms) or debtor (no governing law)")]
    interest: InterestSection
    compensation: CompensationSection
    late_fees: LateFeeSection
    limitation: LimitationSection
    response: ResponseSection
    small_claims: SmallClaimsSection
    disclaimer: str
