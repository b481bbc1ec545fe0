"""Rules that span several fields of an intake; each problem names its field path."""

from __future__ import annotations

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
    if not problems and not any(invoice.outstanding > 0 for invoice in intake.invoices):
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
