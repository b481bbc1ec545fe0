"""What the platform computes from an intake: balances, ageing, contact history."""

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.claim import Claim
from handoff.domain.models import CaseIntake, ContactOutcome
from handoff.domain.money import exact

AGING_BUCKETS: tuple[tuple[int, str], ...] = (
    (30, "0-30"),
    (60, "31-60"),
    (90, "61-90"),
    (180, "91-180"),
    (365, "181-365"),
)
UNANSWERED = frozenset({ContactOutcome.no_answer, ContactOutcome.refused})


def aging_bucket(days_past_due: int) -> str:
    for upper, label in AGING_BUCKETS:
        if days_past_due <= upper:
            return label
    return "365+"


class ContactStats(LazyModel):
    attempts: Annotated[int, Field(description="Outbound attempts logged")]
    unanswered: Annotated[int, Field(description="Attempts that ended with no answer or a refusal")]
    by_channel: dict[str, int]
    by_outcome: dict[str, int]
    last_contact_at: datetime | None


class CaseSummary(LazyModel):
    """Balances and ageing as of `as_of`."""

    as_of: date
    currency: str
    principal_outstanding: Annotated[
        Decimal, Field(description="What the claim says is owed on the invoices on as_of (payments, credits)")
    ]
    invoices_outstanding: int
    oldest_due_on: Annotated[date | None, Field(description="Oldest due date still owed; None when paid")]
    days_past_due: Annotated[int, Field(description="Days since the oldest unpaid due date (0 if not due)")]
    aging_bucket: Annotated[str, Field(description="0-30, 31-60, 61-90, 91-180, 181-365 or 365+")]
    contacts: ContactStats


def contact_stats(intake: CaseIntake) -> ContactStats:
    outbound = [c for c in intake.contact_log if c.direction == "outbound"]
    return ContactStats(
        attempts=len(outbound),
        unanswered=sum(1 for c in outbound if c.outcome in UNANSWERED),
        by_channel=dict(Counter(c.channel.value for c in intake.contact_log)),
        by_outcome=dict(Counter(c.outcome.value for c in intake.contact_log)),
        last_contact_at=max((c.at for c in intake.contact_log), default=None),
    )


def summarize(intake: CaseIntake, claim: Claim) -> CaseSummary:
    """Ageing and contact history around the claim's balances (never a balance of its own)."""
    unpaid = [invoice for invoice in claim.invoices if invoice.outstanding > 0]
    oldest = min((invoice.due_on for invoice in unpaid), default=None)
    days = max((claim.as_of - oldest).days, 0) if oldest else 0
    return CaseSummary(
        as_of=claim.as_of,
        currency=claim.currency,
        principal_outstanding=exact(claim.principal, claim.currency),
        invoices_outstanding=len(unpaid),
        oldest_due_on=oldest,
        days_past_due=days,
        aging_bucket=aging_bucket(days),
        contacts=contact_stats(intake),
    )
