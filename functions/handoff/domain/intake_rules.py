"""Rules that span several fields of an intake; each problem names its field path."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from handoff.domain.claim.balances import balances_as_of
from handoff.domain.claim.history import intake_payments
from handoff.domain.errors import FieldProblem, InvalidRequestError
from handoff.domain.models import Address, CaseIntake
from handoff.domain.money import AmountScaleError, exact


def _address_problems(address: Address, loc: tuple[str | int, ...]) -> list[FieldProblem]:
    if address.subdivision and not address.subdivision.startswith(f"{address.country}-"):
        return [
            FieldProblem(
                (*loc, "subdivision"), f"{address.subdivision} is not a subdivision of {address.country}"
            )
        ]
    return []


def _dated_problems(intake: CaseIntake) -> list[FieldProblem]:
    """Dated payments and credit notes: at the currency's scale, on a known invoice, within its amount."""
    problems: list[FieldProblem] = []
    numbers = {invoice.number for invoice in intake.invoices}
    for i, invoice in enumerate(intake.invoices):
        for j, payment in enumerate(invoice.payments):
            try:
                exact(payment.amount, intake.currency)
            except AmountScaleError as exc:
                problems.append(FieldProblem(("invoices", i, "payments", j, "amount"), str(exc)))
        if invoice.paid + sum((p.amount for p in invoice.payments), Decimal(0)) > invoice.amount:
            problems.append(
                FieldProblem(("invoices", i, "payments"), "paid and payments exceed the invoice amount")
            )
    for k, note in enumerate(intake.credit_notes):
        if note.invoice not in numbers:
            problems.append(
                FieldProblem(("credit_notes", k, "invoice"), f"no invoice {note.invoice} in this case")
            )
        try:
            exact(note.amount, intake.currency)
        except AmountScaleError as exc:
            problems.append(FieldProblem(("credit_notes", k, "amount"), str(exc)))
    return problems


def intake_problems(intake: CaseIntake) -> list[FieldProblem]:
    problems = _address_problems(intake.debtor.address, ("debtor", "address"))
    for i, invoice in enumerate(intake.invoices):
        loc: tuple[str | int, ...] = ("invoices", i)
        for field in ("amount", "paid"):
            try:
                exact(getattr(invoice, field), intake.currency)
            except AmountScaleError as exc:
                problems.append(FieldProblem((*loc, field), str(exc)))
        if invoice.due_on < invoice.issued_on:
            problems.append(FieldProblem((*loc, "due_on"), "due date is before the issue date"))
        if invoice.paid > invoice.amount:
            problems.append(FieldProblem((*loc, "paid"), "paid is more than the invoice amount"))
    numbers = [invoice.number for invoice in intake.invoices]
    for i, number in enumerate(numbers):
        if numbers.index(number) != i:
            problems.append(FieldProblem(("invoices", i, "number"), f"invoice {number} appears twice"))
    problems.extend(_dated_problems(intake))
    if not problems:  # what the claim will say is owed once every dated payment and credit is in
        balances = balances_as_of(intake, intake_payments(intake), date.max)
        if balances.overpaid > 0:
            problems.append(
                FieldProblem(("invoices",), "the invoices' payments and credits exceed their amounts")
            )
        elif not any(b.outstanding > 0 for b in balances.invoices):
            problems.append(FieldProblem(("invoices",), "no invoice has an outstanding balance"))
    late_fee = intake.terms.late_fee
    if late_fee and late_fee.amount is not None:
        try:
            exact(late_fee.amount, intake.currency)
        except AmountScaleError as exc:
            problems.append(FieldProblem(("terms", "late_fee", "amount"), str(exc)))
    interest = intake.terms.interest
    if interest.kind == "contractual" and interest.rate_percent is None:
        problems.append(
            FieldProblem(("terms", "interest", "rate_percent"), "a contractual rate needs rate_percent")
        )
    return problems


def check_intake(intake: CaseIntake) -> CaseIntake:
    """Raise `InvalidRequestError` listing every cross-field problem, or return the intake."""
    problems = intake_problems(intake)
    if problems:
        raise InvalidRequestError(problems)
    return intake
