"""Everything dated that changes what is owed or what the law says about it.

The claim is a fold of these facts (`claim_as_of`); they come from the intake (invoices, dated
payments, credit notes, the contact log) and from what happened since (payments reported by the
creditor or collected by a partner, acknowledgments, written demands, court proceedings,
judgments). One `Payment` type serves every source.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AliasChoices, ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.models import CaseIntake, Channel, ContactOutcome

WRITTEN_CHANNELS = frozenset({Channel.letter, Channel.email, Channel.portal})


class PaymentSource(StrEnum):
    intake = "intake"  # dated on an invoice of the intake (before submission)
    direct = "direct"  # reported by the creditor: the debtor paid it straight
    collected = "collected"  # reported by the partner that collected it
    confirmed = "confirmed"  # claimed by the debtor and confirmed by the creditor


class Payment(LazyModel):
    """Money the debtor paid, from any source: the one payment type of the domain."""

    model_config = ConfigDict(frozen=True, defer_build=True, populate_by_name=True)

    on: Annotated[date, Field(validation_alias=AliasChoices("on", "paid_on"), description="Day paid")]
    amount: Annotated[Decimal, Field(gt=0, description="In the case currency")]
    source: PaymentSource = PaymentSource.direct
    invoice: Annotated[str | None, Field(description="Invoice it settles; None = oldest first")] = None
    reference: str | None = None
    recorded_at: Annotated[datetime | None, Field(description="When Handoff recorded it")] = None
    seq: Annotated[int | None, Field(description="The timeline event that recorded it")] = None


class LegalEventKind(StrEnum):
    acknowledgement = "acknowledgement"  # the debtor acknowledged the debt
    written_promise = "written_promise"  # the debtor promised in writing to pay
    written_demand = "written_demand"  # the creditor demanded payment in writing (NL BW 3:317)
    proceedings_started = "proceedings_started"  # Mahnbescheid, claim filed: suspends (BGB §204)
    proceedings_ended = "proceedings_ended"  # the proceedings ended without judgment
    judgment = "judgment"  # the claim merged into a judgment
    settlement = "settlement"  # the debtor agreed a settlement (an acknowledgment of the debt)
    dispute = "dispute"  # the debtor disputes the debt
    part_payment = "part_payment"  # a part payment known only from the contact log (no amount)


class LegalEvent(LazyModel):
    """A dated event with a legal effect on the claim (each rule pack decides which effect)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: LegalEventKind
    on: date
    written: Annotated[bool, Field(description="Made in writing (letter, email, portal, signed form)")] = True
    source: Annotated[str, Field(description="contact_log, api, letter, partner")] = "api"
    note: Annotated[str | None, Field(description="What it is (a judgment: the court)")] = None
    reference: Annotated[str | None, Field(description="A judgment: the court's case number")] = None
    amount: Annotated[
        Decimal | None, Field(description="judgment: principal awarded; settlement: the sum agreed")
    ] = None
    interest: Annotated[Decimal | None, Field(description="judgment: interest awarded, owed on top")] = None
    costs: Annotated[Decimal | None, Field(description="judgment: costs awarded, owed on top")] = None
    recorded_at: datetime | None = None
    seq: Annotated[int | None, Field(description="The timeline event that recorded it")] = None


class ClaimHistory(LazyModel):
    """What happened since the intake: payments and legal events, each dated."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    payments: list[Payment] = []
    events: list[LegalEvent] = []


def intake_payments(intake: CaseIntake) -> list[Payment]:
    return [
        Payment(on=p.on, amount=p.amount, source=PaymentSource.intake, invoice=invoice.number)
        for invoice in intake.invoices
        for p in invoice.payments
    ]


def contact_events(intake: CaseIntake) -> list[LegalEvent]:
    """Legal events the contact log records: acknowledgments, promises, part payments, disputes."""
    events: list[LegalEvent] = []
    for contact in intake.contact_log:
        on = contact.at.astimezone(UTC).date()
        written = contact.channel in WRITTEN_CHANNELS
        if contact.outcome is ContactOutcome.acknowledged:
            events.append(
                LegalEvent(kind=LegalEventKind.acknowledgement, on=on, written=written, source="contact_log")
            )
        elif contact.outcome is ContactOutcome.promised_to_pay:
            # a promise acknowledges the debt where any form counts (BGB §212); a written one is
            # also a written promise (IL, NY); an unsigned note is not a s.30 acknowledgment (E&W)
            if written:
                events.append(
                    LegalEvent(kind=LegalEventKind.written_promise, on=on, written=True, source="contact_log")
                )
            events.append(
                LegalEvent(kind=LegalEventKind.acknowledgement, on=on, written=False, source="contact_log")
            )
        elif contact.outcome is ContactOutcome.partial_payment:
            events.append(
                LegalEvent(kind=LegalEventKind.part_payment, on=on, written=written, source="contact_log")
            )
        elif contact.outcome is ContactOutcome.disputed:
            events.append(
                LegalEvent(kind=LegalEventKind.dispute, on=on, written=written, source="contact_log")
            )
    return events


def all_payments(intake: CaseIntake, history: ClaimHistory) -> list[Payment]:
    return sorted([*intake_payments(intake), *history.payments], key=_payment_order)


def all_events(intake: CaseIntake, history: ClaimHistory) -> list[LegalEvent]:
    return sorted([*contact_events(intake), *history.events], key=lambda e: e.on)


def _payment_order(payment: Payment) -> tuple[date, datetime]:
    return payment.on, payment.recorded_at or datetime.min.replace(tzinfo=UTC)


def paid_by(payments: Iterable[Payment], day: date) -> Decimal:
    return sum((p.amount for p in payments if p.on <= day), Decimal(0))
