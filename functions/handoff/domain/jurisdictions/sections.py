"""The result models of an assessment: one section per question, each naming its rule."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.jurisdictions.interest import InterestSegment
from handoff.domain.jurisdictions.limitation import LimitationResult, LimitationStatus, Restart
from handoff.domain.jurisdictions.pack import (
    AncillaryOnBar,
    Ceiling,
    Citation,
    Claimant,
    RoundingMode,
    Verification,
)


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
    principal: Annotated[
        Decimal, Field(description="Outstanding on as_of (interest ran on the balance of each day)")
    ]
    starts_on: Annotated[date, Field(description="First day carrying interest")]
    until: Annotated[date, Field(description="Last day carrying interest (as_of, the bar, or full payment)")]
    days: Annotated[int, Field(description="Days from starts_on to until, both included")]
    amount: Annotated[Decimal, Field(description="Interest to `until`, rounded to the minor unit")]
    daily_amount: Annotated[Decimal, Field(description="What accrues per day after as_of (0 once stopped)")]
    segments: Annotated[list[InterestSegment], Field(description="One per constant rate and balance")]
    barred: Annotated[str | None, Field(description="Why interest is barred or stopped, with its source")] = (
        None
    )


class InterestSection(RuleSource):
    basis: Annotated[Basis, Field(description="statutory | contractual | none")]
    currency: str
    total: Annotated[Decimal, Field(description="Sum of the invoices' interest")]
    daily_amount: Annotated[Decimal, Field(description="Sum of what accrues per day after as_of")] = Decimal(
        0
    )
    rounding: Annotated[RoundingMode | None, Field(description="daily or exact; None without interest")]
    day_count: str = "ACT/365"
    compounding: str = "simple"
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
    period_statute: Annotated[str | None, Field(description="Statute that gives the period")] = None
    on_bar: Annotated[
        AncillaryOnBar | None, Field(description="barred: interest goes with the principal; stop: stops")
    ] = None
    on_bar_cite: str | None = None
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
