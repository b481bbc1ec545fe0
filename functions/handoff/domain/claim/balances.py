"""What is owed on a day: invoices less credit notes and payments, plus what a court awarded.

Everything dated is applied in the order it happened (its day, then the instant it was recorded;
credit notes first on their day):

* a credit note reduces its invoice;
* a payment pays the buckets in the allocation order — costs → interest → principal by default
  (DESIGN.md §3), where costs and interest are what a judgment awarded. Its principal part settles
  the invoice the payment names (the debtor's own appropriation), then the invoices oldest due
  first; what exceeds everything owed is an overpayment;
* a judgment's award adds its costs and interest to what is owed, and an earlier overpayment pays
  them first.

An undated `paid` amount of the intake counts as paid by the due date, so it never carries interest
and never restarts limitation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.claim.history import LegalEvent, LegalEventKind, Payment
from handoff.domain.models import CaseIntake, CreditNote
from handoff.domain.money import zero


class Bucket(StrEnum):
    costs = "costs"  # awarded by a judgment
    interest = "interest"  # awarded by a judgment
    principal = "principal"  # the invoices


DEFAULT_ORDER: tuple[Bucket, ...] = (Bucket.costs, Bucket.interest, Bucket.principal)


class MovementKind(StrEnum):
    paid_undated = "paid_undated"  # `paid` of the intake: treated as paid by the due date
    payment = "payment"
    credit_note = "credit_note"


class Appropriation(StrEnum):
    debtor = "debtor"  # the payment named the invoice
    oldest_first = "oldest_first"  # default: oldest due date first


class InvoiceMovement(LazyModel):
    on: date
    kind: MovementKind
    amount: Annotated[Decimal, Field(description="Reduces what is owed on the invoice")]
    source: Annotated[str | None, Field(description="Payment source (intake, direct, collected...)")] = None
    reference: str | None = None
    appropriation: Appropriation | None = None


class InvoiceBalance(LazyModel):
    number: str
    issued_on: date
    due_on: date
    amount: Decimal
    credited: Annotated[Decimal, Field(description="Credit notes dated by as_of")]
    paid: Annotated[Decimal, Field(description="Payments applied by as_of, undated `paid` included")]
    outstanding: Annotated[Decimal, Field(description="amount - credited - paid, on as_of")]
    movements: Annotated[list[InvoiceMovement], Field(description="Every reduction, in date order")] = []

    def outstanding_on(self, day: date) -> Decimal:
        """What was owed at the end of `day` (reductions dated that day count)."""
        return self.amount - sum((m.amount for m in self.movements if m.on <= day), Decimal(0))


class PaymentApplication(LazyModel):
    """One payment and what it paid, in the order payments and awards happened."""

    payment: Payment
    costs: Annotated[Decimal, Field(description="Paid towards costs a court awarded")]
    interest: Annotated[Decimal, Field(description="Paid towards interest a court awarded")]
    principal: Annotated[Decimal, Field(description="Paid towards the invoices")]
    overpaid: Annotated[Decimal, Field(description="The part above everything owed (to refund)")]
    balance_after: Annotated[Decimal, Field(description="What was still owed after it")]


class AwardApplication(LazyModel):
    """A judgment's award of costs and interest, owed on top of the principal from its date."""

    judgment: LegalEvent
    costs: Annotated[Decimal, Field(description="Costs awarded")]
    interest: Annotated[Decimal, Field(description="Interest awarded")]
    credit_to_costs: Annotated[Decimal, Field(description="Of the costs, paid by an earlier overpayment")]
    credit_to_interest: Annotated[
        Decimal, Field(description="Of the interest, paid by an earlier overpayment")
    ]
    balance_after: Annotated[Decimal, Field(description="What was still owed after it")]


class Balances(LazyModel):
    invoices: list[InvoiceBalance]
    costs: Annotated[Decimal, Field(description="Awarded costs still owed on as_of")]
    interest: Annotated[Decimal, Field(description="Awarded interest still owed on as_of")]
    overpaid: Annotated[Decimal, Field(description="Paid beyond everything owed, by as_of")]
    payments: Annotated[list[PaymentApplication], Field(description="Every dated payment, applied")] = []
    awards: Annotated[list[AwardApplication], Field(description="Every judgment's award")] = []
    order: list[Bucket] = list(DEFAULT_ORDER)

    @property
    def last_payment(self) -> Payment | None:
        return self.payments[-1].payment if self.payments else None


@dataclass
class _Fold:
    """The running state of the fold: what each invoice and bucket owes, and any overpayment."""

    currency: str
    by_due: list[str]
    owed: dict[str, Decimal]
    moves: dict[str, list[InvoiceMovement]] = field(default_factory=dict)
    costs: Decimal = Decimal(0)
    interest: Decimal = Decimal(0)
    overpaid: Decimal = Decimal(0)

    def balance(self) -> Decimal:
        principal = sum((v for v in self.owed.values() if v > 0), zero(self.currency))
        return principal + self.costs + self.interest

    def credit(self, note: CreditNote) -> None:
        take = min(note.amount, max(self.owed.get(note.invoice, Decimal(0)), Decimal(0)))
        if note.invoice in self.owed and take > 0:
            self.owed[note.invoice] -= take
            self.moves[note.invoice].append(
                InvoiceMovement(
                    on=note.issued_on, kind=MovementKind.credit_note, amount=take, reference=note.number
                )
            )

    def principal(self, payment: Payment, amount: Decimal) -> Decimal:
        """Pay invoices: the one the payment names, then oldest due first. Returns what is left."""
        targets = [payment.invoice] if payment.invoice in self.owed else []
        how = Appropriation.debtor if targets else Appropriation.oldest_first
        for number in targets + [n for n in self.by_due if n not in targets]:
            take = min(amount, max(self.owed[number], Decimal(0)))
            if take <= 0:
                continue
            self.owed[number] -= take
            amount -= take
            self.moves[number].append(
                InvoiceMovement(
                    on=payment.on,
                    kind=MovementKind.payment,
                    amount=take,
                    source=payment.source,
                    reference=payment.reference,
                    appropriation=how,
                )
            )
            if amount <= 0:
                break
        return amount

    def pay(self, payment: Payment, order: Sequence[Bucket]) -> PaymentApplication:
        remaining = payment.amount
        split = dict.fromkeys(Bucket, zero(self.currency))
        for bucket in order:
            if bucket is Bucket.principal:
                left = self.principal(payment, remaining)
                split[bucket] += remaining - left
                remaining = left
                continue
            owed = self.costs if bucket is Bucket.costs else self.interest
            take = min(remaining, owed)
            split[bucket] += take
            remaining -= take
            if bucket is Bucket.costs:
                self.costs -= take
            else:
                self.interest -= take
        self.overpaid += remaining
        return PaymentApplication(
            payment=payment,
            costs=split[Bucket.costs],
            interest=split[Bucket.interest],
            principal=split[Bucket.principal],
            overpaid=remaining + zero(self.currency),
            balance_after=self.balance(),
        )

    def award(self, judgment: LegalEvent, order: Sequence[Bucket]) -> AwardApplication:
        costs, interest = judgment.costs or zero(self.currency), judgment.interest or zero(self.currency)
        self.costs += costs
        self.interest += interest
        # money paid beyond the debt earlier pays the new charges first (the principal is paid then)
        credit = dict.fromkeys(Bucket, zero(self.currency))
        for bucket in order:
            if bucket is Bucket.costs:
                credit[bucket] = min(self.overpaid, self.costs)
                self.costs -= credit[bucket]
            elif bucket is Bucket.interest:
                credit[bucket] = min(self.overpaid, self.interest)
                self.interest -= credit[bucket]
            self.overpaid -= credit[bucket]
        return AwardApplication(
            judgment=judgment,
            costs=costs,
            interest=interest,
            credit_to_costs=credit[Bucket.costs],
            credit_to_interest=credit[Bucket.interest],
            balance_after=self.balance(),
        )


def _instant(recorded_at: datetime | None) -> datetime:
    return recorded_at or datetime.min.replace(tzinfo=UTC)


def balances_as_of(
    intake: CaseIntake,
    payments: Sequence[Payment],
    as_of: date,
    events: Sequence[LegalEvent] = (),
    order: Sequence[Bucket] = DEFAULT_ORDER,
) -> Balances:
    """Apply credit notes, payments and judgments' awards dated on or before `as_of`, in order."""
    if sorted(order) != sorted(Bucket):
        raise ValueError(f"the allocation order must name each of {', '.join(Bucket)} once")
    currency = intake.currency
    fold = _Fold(
        currency=currency,
        by_due=[i.number for i in sorted(intake.invoices, key=lambda i: (i.due_on, i.number))],
        owed={i.number: i.amount - i.paid for i in intake.invoices},
    )
    for invoice in intake.invoices:
        fold.moves[invoice.number] = []
        if invoice.paid > 0:
            fold.moves[invoice.number].append(
                InvoiceMovement(
                    on=invoice.due_on, kind=MovementKind.paid_undated, amount=invoice.paid, source="intake"
                )
            )
    dated: list[tuple[date, int, datetime, CreditNote | Payment | LegalEvent]] = [
        (note.issued_on, 0, _instant(None), note) for note in intake.credit_notes
    ]
    dated += [(p.on, 1, _instant(p.recorded_at), p) for p in payments]
    dated += [(e.on, 1, _instant(e.recorded_at), e) for e in events if e.kind is LegalEventKind.judgment]
    applied: list[PaymentApplication] = []
    awards: list[AwardApplication] = []
    for on, _, _, item in sorted(dated, key=lambda t: t[:3]):
        if on > as_of:
            continue
        if isinstance(item, CreditNote):
            fold.credit(item)
        elif isinstance(item, Payment):
            applied.append(fold.pay(item, order))
        else:
            awards.append(fold.award(item, order))
    rows = []
    for invoice in intake.invoices:
        moves = fold.moves[invoice.number]
        credited = sum((m.amount for m in moves if m.kind is MovementKind.credit_note), zero(currency))
        rows.append(
            InvoiceBalance(
                number=invoice.number,
                issued_on=invoice.issued_on,
                due_on=invoice.due_on,
                amount=invoice.amount,
                credited=credited,
                paid=invoice.amount - credited - fold.owed[invoice.number],
                outstanding=fold.owed[invoice.number],
                movements=moves,
            )
        )
    return Balances(
        invoices=rows,
        costs=fold.costs + zero(currency),
        interest=fold.interest + zero(currency),
        overpaid=fold.overpaid + zero(currency),
        payments=applied,
        awards=awards,
        order=list(order),
    )
