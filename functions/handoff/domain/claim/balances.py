"""What is owed on each invoice on a day: its amount less credit notes and payments dated by then.

A payment that names its invoice settles that invoice (the debtor's own appropriation); one that
names none settles the invoices oldest due first (the default order); what exceeds every invoice
is an overpayment. An undated `paid` amount of the intake counts as paid by the due date, so it
never carries interest and never restarts limitation.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.claim.history import Payment
from handoff.domain.models import CaseIntake, CreditNote
from handoff.domain.money import zero


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


class Balances(LazyModel):
    invoices: list[InvoiceBalance]
    overpaid: Annotated[Decimal, Field(description="Paid beyond every invoice, by as_of")]
    last_payment: Payment | None = None


def balances_as_of(intake: CaseIntake, payments: Sequence[Payment], as_of: date) -> Balances:
    """Apply credit notes and payments dated on or before `as_of`, in date order."""
    owed: dict[str, Decimal] = {}
    moves: dict[str, list[InvoiceMovement]] = {}
    for invoice in intake.invoices:
        moves[invoice.number] = []
        owed[invoice.number] = invoice.amount
        if invoice.paid > 0:
            moves[invoice.number].append(
                InvoiceMovement(
                    on=invoice.due_on, kind=MovementKind.paid_undated, amount=invoice.paid, source="intake"
                )
            )
            owed[invoice.number] -= invoice.paid
    dated: list[tuple[date, int, CreditNote | Payment]] = [
        (note.issued_on, 0, note) for note in intake.credit_notes if note.issued_on <= as_of
    ]
    dated.extend((p.on, 1, p) for p in payments if p.on <= as_of)
    by_due = sorted(intake.invoices, key=lambda i: (i.due_on, i.number))
    overpaid = zero(intake.currency)
    last: Payment | None = None
    for on, _, item in sorted(dated, key=lambda t: (t[0], t[1])):
        if isinstance(item, CreditNote):
            number, amount = item.invoice, item.amount
            take = min(amount, max(owed.get(number, Decimal(0)), Decimal(0)))
            if number in owed and take > 0:
                owed[number] -= take
                moves[number].append(
                    InvoiceMovement(on=on, kind=MovementKind.credit_note, amount=take, reference=item.number)
                )
            continue
        last = item
        remaining = item.amount
        targets = [item.invoice] if item.invoice in owed else []
        how = Appropriation.debtor if targets else Appropriation.oldest_first
        targets += [i.number for i in by_due if i.number not in targets]
        for number in targets:
            take = min(remaining, max(owed[number], Decimal(0)))
            if take <= 0:
                continue
            owed[number] -= take
            remaining -= take
            moves[number].append(
                InvoiceMovement(
                    on=on,
                    kind=MovementKind.payment,
                    amount=take,
                    source=item.source,
                    reference=item.reference,
                    appropriation=how,
                )
            )
            if remaining <= 0:
                break
        overpaid += remaining
    rows = []
    for invoice in intake.invoices:
        credited = sum(
            (m.amount for m in moves[invoice.number] if m.kind is MovementKind.credit_note),
            zero(intake.currency),
        )
        rows.append(
            InvoiceBalance(
                number=invoice.number,
                issued_on=invoice.issued_on,
                due_on=invoice.due_on,
                amount=invoice.amount,
                credited=credited,
                paid=invoice.amount - credited - owed[invoice.number],
                outstanding=owed[invoice.number],
                movements=moves[invoice.number],
            )
        )
    return Balances(invoices=rows, overpaid=overpaid, last_payment=last)
