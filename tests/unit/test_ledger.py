"""The recovery ledger: the claim's allocation, the partner's fees, and identities that always reconcile.

Each case is built as the services build it (payments and judgments recorded on the case, the
placement accepted and withdrawn through the lifecycle), so what the ledger shows is what the
claim says: the ledger has no balance of its own.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.domain.case import Case
from handoff.domain.claim import DEFAULT_ORDER, Bucket, ClaimOptions, LegalEvent, Payment, PaymentSource
from handoff.domain.ledger import EntryKind, Ledger, ledger_of
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import CaseIntake
from handoff.domain.partners import FeeTerms
from tests.conftest import load_example

ACCEPTED = date(2026, 6, 1)
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
AS_OF = date(2026, 12, 1)
PAYLOAD = load_example("cases/acme-northwind-gb.json")


def terms(**overrides: Any) -> FeeTerms:
    values: dict[str, Any] = {
        "contingency_percent": "20",
        "direct_payment_fee_percent": "10",
        "exclusivity_days": 30,
        "recall_fee": {"kind": "percent", "percent": "5"},
    }
    return FeeTerms.model_validate({**values, **overrides})


@dataclass(frozen=True)
class Paid:
    amount: str
    on: date
    source: PaymentSource = PaymentSource.collected


@dataclass(frozen=True)
class Judged:
    on: date
    interest: str
    costs: str


@dataclass(frozen=True)
class Withdrawn:
    on: date


Step = Paid | Judged | Withdrawn


def case_with(
    *steps: Step, principal: str = "1000.00", accepted: bool = True, options: ClaimOptions | None = None
) -> Case:
    """A GBP case of one invoice of `principal`, placed and (by default) accepted on 1 June 2026."""
    payload = copy.deepcopy(PAYLOAD)
    payload["invoices"] = [{**payload["invoices"][0], "amount": principal, "paid": "0.00"}]
    case = Case.submit(
        "case_" + "0" * 20, "ten_1", CaseIntake.model_validate(payload), "b", T0 - timedelta(days=30), options
    )
    case.status = CaseStatus.assigned
    if accepted:
        case.transition(CaseStatus.accepted, "agency:p:k", T0, "accepted")
        case.status = CaseStatus.in_recovery
    for n, step in enumerate(steps):
        at = T0 + timedelta(days=200, seconds=n)  # recorded later than it happened, in this order
        if isinstance(step, Paid):
            payment = Payment(on=step.on, amount=Decimal(step.amount), source=step.source, reference=f"R{n}")
            case.record_payment(payment, "agency:p:webhook", at)
        elif isinstance(step, Judged):
            judgment = LegalEvent(
                kind="judgment",
                on=step.on,
                source="partner",
                note="County Court",
                reference=f"K{n}",
                amount=Decimal(principal),
                interest=Decimal(step.interest),
                costs=Decimal(step.costs),
            )
            case.record_legal_event(judgment, "agency:p:webhook", at)
        else:
            case.status = CaseStatus.in_recovery
            withdrawn = datetime.combine(step.on, datetime.min.time(), UTC) + timedelta(hours=12)
            case.transition(CaseStatus.withdrawn, "business:t:k", withdrawn, "withdrawn")
    return case


def ledger(*steps: Step, fee: FeeTerms | None = None, **kw: Any) -> Ledger:
    case = case_with(*steps, **kw)
    return ledger_of(case, case.pending_events, fee if fee is not None else terms(), AS_OF)


def test_a_payment_pays_costs_then_interest_then_principal() -> None:
    # Given a judgment adding 100 interest and 50 costs, When the partner collects 200
    result = ledger(Judged(date(2026, 6, 10), "100.00", "50.00"), Paid("200.00", date(2026, 6, 11)))

    payment = next(e for e in result.entries if e.kind == EntryKind.collected)
    assert payment.allocation == {
        Bucket.costs: Decimal("50.00"),
        Bucket.interest: Decimal("100.00"),
        Bucket.principal: Decimal("50.00"),
    }
    assert result.totals.balance == Decimal("950.00")
    assert result.totals.contingency_fees == Decimal("40.00")
    assert result.reconciles()


def test_the_ledger_shows_what_the_claim_says() -> None:
    case = case_with(Judged(date(2026, 6, 10), "100.00", "50.00"), Paid("200.00", date(2026, 6, 11)))
    claim = case.claim_as_of(AS_OF)

    result = ledger_of(case, case.pending_events, terms(), AS_OF)

    assert result.totals.balance == claim.balance == claim.total  # merged: the award replaces charges
    assert (claim.principal, claim.judgment_costs, claim.judgment_interest) == (Decimal("950.00"), 0, 0)
    assert claim.merged_into_judgment == date(2026, 6, 10)
    assert result.order == tuple(claim.allocation_order)


def test_the_allocation_order_is_the_claims_option() -> None:
    order = [Bucket.principal, Bucket.interest, Bucket.costs]

    result = ledger(
        Judged(date(2026, 6, 10), "100.00", "50.00"),
        Paid("200.00", date(2026, 6, 11)),
        options=ClaimOptions(allocation_order=order),
    )

    payment = next(e for e in result.entries if e.kind == EntryKind.collected)
    assert payment.allocation[Bucket.principal] == Decimal("200.00")
    assert result.order == tuple(order)
    with pytest.raises(ValueError, match="allocation order"):
        ledger(options=ClaimOptions(allocation_order=[Bucket.costs, Bucket.costs, Bucket.principal]))


def test_payments_are_allocated_in_the_order_they_happened() -> None:
    # A payment before the judgment pays principal; costs awarded later are still owed
    result = ledger(Paid("100.00", date(2026, 6, 5)), Judged(date(2026, 6, 10), "0.00", "30.00"))

    assert result.totals.allocated_principal == Decimal("100.00")
    assert result.totals.allocated_costs == Decimal("0.00")
    assert result.totals.balance == Decimal("930.00")


def test_a_direct_payment_inside_exclusivity_carries_the_fee() -> None:
    inside = ACCEPTED + timedelta(days=29)

    result = ledger(Paid("300.00", inside, PaymentSource.direct))

    assert result.totals.direct_payment_fees == Decimal("30.00")
    assert result.totals.net_to_creditor == Decimal("270.00")
    assert result.totals.remittance == Decimal("-30.00")  # the creditor owes the partner its fee
    assert result.reconciles()


@pytest.mark.parametrize(
    "on", [ACCEPTED + timedelta(days=30), ACCEPTED - timedelta(days=1)], ids=["after", "before acceptance"]
)
def test_a_direct_payment_outside_exclusivity_carries_no_fee(on: date) -> None:
    result = ledger(Paid("300.00", on, PaymentSource.direct))

    assert result.totals.direct_payment_fees == Decimal("0.00")
    assert not any(e.kind == EntryKind.direct_payment_fee for e in result.entries)


def test_no_direct_payment_fee_when_the_case_was_never_accepted() -> None:
    result = ledger(Paid("300.00", ACCEPTED, PaymentSource.direct), accepted=False)

    assert result.totals.partner_fees == Decimal("0.00")


def test_a_recall_after_acceptance_carries_a_percent_of_the_balance() -> None:
    result = ledger(Paid("200.00", date(2026, 6, 15)), Withdrawn(date(2026, 7, 1)))

    assert result.totals.recall_fees == Decimal("40.00")  # 5% of the 800.00 still owed
    assert result.totals.partner_fees == Decimal("80.00")  # + 20% of 200.00
    assert [e.kind for e in result.entries][-1] == EntryKind.recall_fee
    assert result.reconciles()


def test_a_fixed_recall_fee() -> None:
    fixed = terms(recall_fee={"kind": "fixed", "amount": {"currency": "GBP", "amount": "75.00"}})

    result = ledger(Withdrawn(date(2026, 7, 1)), fee=fixed)

    assert result.totals.recall_fees == Decimal("75.00")
    assert result.totals.net_to_creditor == Decimal("-75.00")


def test_overpayment_is_recorded_and_the_balance_stays_at_zero() -> None:
    result = ledger(
        Paid("900.00", date(2026, 6, 10)), Paid("250.00", date(2026, 8, 10), PaymentSource.direct)
    )

    assert result.totals.balance == Decimal("0.00")
    assert result.totals.overpayment == Decimal("150.00")
    direct = next(e for e in result.entries if e.kind == EntryKind.direct_payment)
    assert direct.overpaid == Decimal("150.00") and direct.balance_after == Decimal("0.00")
    assert result.totals.contingency_fees == Decimal("180.00")
    assert result.reconciles()


def test_an_overpayment_pays_costs_awarded_later() -> None:
    result = ledger(Paid("1100.00", date(2026, 6, 10)), Judged(date(2026, 7, 1), "30.00", "50.00"))

    assert result.totals.overpayment == Decimal("20.00")  # 100 over, then 50 costs and 30 interest
    assert (result.totals.allocated_costs, result.totals.allocated_interest) == (
        Decimal("50.00"),
        Decimal("30.00"),
    )
    judgment = next(e for e in result.entries if e.kind == EntryKind.judgment)
    assert judgment.details["credit_applied"] == Decimal("80.00")
    assert judgment.details["court"] == "County Court" and judgment.reference == "K1"
    assert result.reconciles()


def test_fees_are_rounded_half_up_per_entry() -> None:
    result = ledger(Paid("0.05", date(2026, 6, 2)), fee=terms(contingency_percent="10"))

    assert result.totals.contingency_fees == Decimal("0.01")  # 0.005 → 0.01


def test_the_ledger_reads_the_case_and_its_timeline() -> None:
    # Given a case accepted on 1 June, a direct payment, a partner collection, notes and a withdrawal
    case = case_with(
        Paid("100.00", date(2026, 6, 5), PaymentSource.direct),
        Paid("200.00", date(2026, 6, 10)),
    )
    case.record(
        "ledger.status.updated", "agency:p:webhook", T0 + timedelta(days=12), {"code": "S1", "note": "n"}
    )
    case.transition(CaseStatus.withdrawn, "business:t:k", T0 + timedelta(days=20), "withdrawn")

    result = ledger_of(case, case.pending_events, terms(), date(2026, 8, 1))

    assert result.accepted_on == ACCEPTED
    assert [e.kind for e in result.entries] == [
        EntryKind.direct_payment,
        EntryKind.direct_payment_fee,
        EntryKind.collected,
        EntryKind.contingency_fee,
        EntryKind.status,
        EntryKind.recall_fee,
    ]
    collected = result.entries[2]
    assert collected.seq == case.payments[1].seq and collected.reference == "R1"
    assert result.totals.direct == Decimal("100.00") and result.totals.collected == Decimal("200.00")
    assert result.totals.partner_fees == Decimal("10.00") + Decimal("40.00") + Decimal("35.00")
    assert result.reconciles()


# ---------------------------------------------------------------- properties

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
percents = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
days = st.integers(min_value=-20, max_value=120)


@st.composite
def steps(draw: st.DrawFn) -> list[Step]:
    found: list[Step] = []
    for _ in range(draw(st.integers(min_value=0, max_value=10))):
        on = ACCEPTED + timedelta(days=draw(days))
        kind = draw(st.sampled_from(["collected", "direct", "judgment"]))
        if kind == "judgment":
            found.append(Judged(on, str(draw(amounts)), str(draw(amounts))))
        else:
            found.append(Paid(str(draw(amounts)), on, PaymentSource(kind)))
    return found


@st.composite
def fee_terms(draw: st.DrawFn) -> FeeTerms | None:
    if draw(st.booleans()):
        return None
    recall = draw(
        st.sampled_from(
            [
                None,
                {"kind": "percent", "percent": "7.5"},
                {"kind": "fixed", "amount": {"currency": "GBP", "amount": "50"}},
            ]
        )
    )
    return terms(
        contingency_percent=draw(percents),
        direct_payment_fee_percent=draw(percents),
        exclusivity_days=draw(st.integers(min_value=0, max_value=90)),
        recall_fee=recall,
    )


@settings(max_examples=300, deadline=None)
@given(
    principal=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20000"), places=2),
    found=steps(),
    fee=fee_terms(),
    order=st.permutations(list(DEFAULT_ORDER)),
    accepted=st.booleans(),
    recall_day=st.none() | days,
)
def test_totals_always_reconcile(
    principal: Decimal,
    found: list[Step],
    fee: FeeTerms | None,
    order: list[Bucket],
    accepted: bool,
    recall_day: int | None,
) -> None:
    withdrawal = (
        [Withdrawn(ACCEPTED + timedelta(days=recall_day))] if recall_day is not None and accepted else []
    )
    case = case_with(
        *found,
        *withdrawal,
        principal=str(principal),
        accepted=accepted,
        options=ClaimOptions(allocation_order=order),
    )
    result = ledger_of(case, case.pending_events, fee, AS_OF)
    t = result.totals

    # 1. every payment is allocated or overpaid
    assert (
        t.collected + t.direct
        == t.allocated_costs + t.allocated_interest + t.allocated_principal + t.overpayment
    )
    # 2. the balance is what is charged less what is allocated, never below zero, and the claim's own
    assert t.balance == (t.costs + t.interest + t.principal) - (
        t.allocated_costs + t.allocated_interest + t.allocated_principal
    )
    assert t.balance == case.claim_as_of(AS_OF).balance
    assert t.principal == principal
    assert t.balance >= 0 and t.overpayment >= 0
    assert t.overpayment == 0 or t.balance == 0
    # 3-5. fees, remittance, net
    assert t.partner_fees == t.contingency_fees + t.direct_payment_fees + t.recall_fees
    assert t.remittance == t.collected - t.partner_fees
    assert t.net_to_creditor == t.remittance + t.direct - t.overpayment
    # the entries add up to the totals, and every amount is at the currency's minor unit
    payments = [e for e in result.entries if e.kind in (EntryKind.collected, EntryKind.direct_payment)]
    assert sum((e.amount for e in payments), Decimal(0)) == t.collected + t.direct
    fees = [e for e in result.entries if e.kind.endswith("_fee")]
    assert sum((e.amount for e in fees), Decimal(0)) == t.partner_fees
    assert all(-e.amount.as_tuple().exponent == 2 for e in payments + fees)  # type: ignore[operator]
    assert all(e.balance_after is None or e.balance_after >= 0 for e in result.entries)
    assert result.reconciles()
    if fee is None:
        assert t.partner_fees == 0
