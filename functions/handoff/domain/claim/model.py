"""The claim as of a date: the one computation of what is owed and what the law says about it.

`claim_as_of(intake, history, as_of)` folds the intake and everything dated since (payments of
every source, credit notes, acknowledgments, written demands, proceedings, judgments) into a
`Claim`: what is owed per invoice, interest and compensation with their workings, limitation with
every restart, the response deadline of a letter dated `as_of`, the small-claims ceiling, and
warnings. Every reader (API, routing, eligibility, letters, statement, ledger, reports) asks it.
Facts for engineering use, not legal advice.
"""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.claim.balances import (
    AwardApplication,
    Bucket,
    InvoiceBalance,
    PaymentApplication,
    balances_as_of,
)
from handoff.domain.claim.charges import compensation_section, late_fee_section
from handoff.domain.claim.facts import ClaimFacts, ClaimOptions, ClaimWarning
from handoff.domain.claim.history import ClaimHistory, Payment, PaymentSource, all_events, all_payments
from handoff.domain.claim.interest_section import interest_section
from handoff.domain.claim.limitation_section import limitation_section
from handoff.domain.claim.notice import response_section, small_claims_section
from handoff.domain.claim.rules import debtor_jurisdiction, law_jurisdiction
from handoff.domain.jurisdictions.limitation import LimitationStatus
from handoff.domain.jurisdictions.pack import RulePack
from handoff.domain.jurisdictions.sections import (
    CompensationSection,
    InterestSection,
    LateFeeSection,
    LimitationSection,
    ResponseSection,
    SmallClaimsSection,
)
from handoff.domain.models import CaseIntake
from handoff.domain.money import rounded, zero
from handoff.domain.reference_rates import pack_in_force


class Standing(StrEnum):
    owed = "owed"  # enforceable: a demand may be made
    time_barred = "time_barred"  # only a request for payment, no threat of proceedings
    extinguished = "extinguished"  # the debt no longer exists: never demanded
    settled = "settled"  # nothing outstanding


class Claim(LazyModel):
    """What is owed on `as_of`, and what the rule pack says about it. Not legal advice."""

    pack_version: str
    as_of: date
    currency: str
    jurisdiction: Annotated[
        str | None, Field(description="Debtor's jurisdiction: subdivision if in the pack, else country")
    ]
    law_jurisdiction: Annotated[
        str | None, Field(description="Jurisdiction for interest, compensation, limitation")
    ]
    law_basis: Annotated[str, Field(description="governing_law (terms) or debtor (no governing law)")]
    standing: Annotated[Standing, Field(description="owed | time_barred | extinguished | settled")]
    invoices: Annotated[
        list[InvoiceBalance], Field(description="Per invoice: amount, credits, payments, owed")
    ]
    principal: Annotated[Decimal, Field(description="Principal outstanding on as_of")]
    paid: Annotated[Decimal, Field(description="Paid on the invoices by as_of (undated `paid` included)")]
    credited: Annotated[Decimal, Field(description="Credit notes by as_of")]
    overpaid: Annotated[Decimal, Field(description="Paid beyond everything owed (to refund)")]
    judgment_costs: Annotated[Decimal, Field(description="Costs a court awarded, still owed on as_of")]
    judgment_interest: Annotated[Decimal, Field(description="Interest a court awarded, still owed on as_of")]
    balance: Annotated[
        Decimal, Field(description="principal + judgment_costs + judgment_interest: owed before charges")
    ]
    total: Annotated[
        Decimal,
        Field(description="balance + interest + compensation + late fees (after a judgment: the balance)"),
    ]
    received: Annotated[
        dict[PaymentSource, Decimal], Field(description="Payments received by as_of, by source")
    ] = {}
    allocation_order: Annotated[list[Bucket], Field(description="How each payment was applied")]
    payments: Annotated[
        list[PaymentApplication],
        Field(description="Every payment by as_of with what it paid (costs, interest, principal, overpaid)"),
    ] = []
    awards: Annotated[
        list[AwardApplication], Field(description="Every judgment's award of costs and interest by as_of")
    ] = []
    merged_into_judgment: Annotated[
        date | None,
        Field(description="The claim merged into this judgment: the court's award replaces charges"),
    ] = None
    last_payment: Payment | None = None
    interest: InterestSection
    compensation: CompensationSection
    late_fees: LateFeeSection
    limitation: LimitationSection
    response: ResponseSection
    small_claims: SmallClaimsSection
    warnings: Annotated[list[ClaimWarning], Field(description="Stale rates, assumed facts")] = []
    disclaimer: str

    @property
    def time_barred(self) -> bool:
        return self.standing in (Standing.time_barred, Standing.extinguished)

    @property
    def unconfirmed_stale_rates(self) -> list[ClaimWarning]:
        return [w for w in self.warnings if w.code == "stale_rate" and not w.confirmed]


def _standing(balance: Decimal, limitation: LimitationSection) -> Standing:
    if balance <= 0:
        return Standing.settled
    if limitation.status is LimitationStatus.extinguished:
        return Standing.extinguished
    if limitation.status is LimitationStatus.expired:
        return Standing.time_barred
    return Standing.owed


def claim_as_of(
    intake: CaseIntake,
    history: ClaimHistory | None = None,
    as_of: date | None = None,
    *,
    letter_date: date | None = None,
    options: ClaimOptions | None = None,
    pack: RulePack | None = None,
) -> Claim:
    """The claim on `as_of` (required: nothing here reads the clock).

    `letter_date` (default `as_of`) starts the response period; `options` carry the tenant's
    rounding, the assumed rates it confirmed, and facts such as the discovery date (CA-ON).
    """
    if as_of is None:
        raise ValueError("claim_as_of needs an as_of date")
    pack = pack or pack_in_force()  # the seed with the fixings recorded so far
    history = history or ClaimHistory()
    options = options or ClaimOptions()
    payments = all_payments(intake, history)
    events = [e for e in all_events(intake, history) if e.on <= as_of]
    facts = ClaimFacts(
        pack=pack,
        intake=intake,
        as_of=as_of,
        balances=balances_as_of(intake, payments, as_of, events, options.allocation_order),
        payments=payments,
        events=events,
        options=options,
    )
    debtor_code = debtor_jurisdiction(pack, intake)
    law_code, law_basis = law_jurisdiction(pack, intake, debtor_code)
    limitation = limitation_section(facts, law_code)  # first: its bars stop interest and charges
    interest = interest_section(facts, law_code)
    compensation = compensation_section(facts, law_code)
    late_fees = late_fee_section(facts)
    principal = facts.principal()
    balances = facts.balances
    rows = balances.invoices
    balance = principal + balances.costs + balances.interest
    charges = interest.total + compensation.total + late_fees.total
    received: dict[PaymentSource, Decimal] = {}
    for applied in balances.payments:
        received[applied.payment.source] = received.get(applied.payment.source, zero(intake.currency))
        received[applied.payment.source] += applied.payment.amount
    return Claim(
        pack_version=pack.pack_version,
        as_of=as_of,
        currency=intake.currency,
        jurisdiction=debtor_code,
        law_jurisdiction=law_code,
        law_basis=law_basis,
        standing=_standing(balance, limitation),
        invoices=rows,
        principal=principal,
        paid=sum((r.paid for r in rows), zero(intake.currency)),
        credited=sum((r.credited for r in rows), zero(intake.currency)),
        overpaid=balances.overpaid,
        judgment_costs=balances.costs,
        judgment_interest=balances.interest,
        balance=balance,
        total=rounded(balance + charges, intake.currency),
        received=received,
        allocation_order=balances.order,
        payments=balances.payments,
        awards=balances.awards,
        merged_into_judgment=facts.judgment.on if facts.judgment else None,
        last_payment=balances.last_payment,
        interest=interest,
        compensation=compensation,
        late_fees=late_fees,
        limitation=limitation,
        response=response_section(facts, debtor_code, letter_date or as_of),
        small_claims=small_claims_section(facts, debtor_code),
        warnings=facts.warnings,
        disclaimer=pack.disclaimer.format(version=pack.pack_version),
    )
