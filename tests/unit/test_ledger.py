"""The recovery ledger: allocation, fees, overpayment, and the identities that always reconcile."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.domain.case import Case
from handoff.domain.claim import Payment, PaymentSource
from handoff.domain.ledger import (
    DEFAULT_ORDER,
    Bucket,
    EntryKind,
    LedgerFacts,
    Movement,
    compute,
    ledger_of,
)
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import CaseIntake
from handoff.domain.partners import FeeTerms

ACCEPTED = date(2026, 6, 1)
T0 = datetime(2026, 6, 1, 9, tzinfo=UTC)


def terms(**overrides: Any) -> FeeTerms:
    values: dict[str, Any] = {
        "contingency_percent": "20",
        "direct_payment_fee_percent": "10",
        "exclusivity_days": 30,
        "recall_fee": {"kind": "percent", "percent": "5"},
    }
    return FeeTerms.model_validate({**values, **overrides})


def paid(kind: EntryKind, amount: str, on: date, n: int = 0) -> Movement:
    return Movement(kind, on, T0 + timedelta(minutes=n), amount=Decimal(amount))


def judgment(on: date, interest: str, costs: str) -> Movement:
    return Movement(
        EntryKind.judgment,
        on,
        T0,
        amount=Decimal("1000.00"),
        interest=Decimal(interest),
        costs=Decimal(costs),
    )


def facts(*movements: Movement, principal: str = "1000.00", **kw: Any) -> LedgerFacts:
    return LedgerFacts("GBP", Decimal(principal), list(movements), kw.pop("accepted_on", ACCEPTED), **kw)


def test_a_payment_pays_costs_then_interest_then_principal() -> None:
    # Given a judgment adding 100 interest and 50 costs, When the partner collects 200
    ledger = compute(
        facts(
            judgment(date(2026, 6, 10), "100.00", "50.00"),
            paid(EntryKind.collected, "200.00", date(2026, 6, 11)),
        ),
        terms(),
    )

    payment = next(e for e in ledger.entries if e.kind == EntryKind.collected)
    assert payment.allocation == {
        Bucket.costs: Decimal("50.00"),
        Bucket.interest: Decimal("100.00"),
        Bucket.principal: Decimal("50.00"),
    }
    assert ledger.totals.balance == Decimal("950.00")
    assert ledger.totals.contingency_fees == Decimal("40.00")
    assert ledger.reconciles()


def test_the_allocation_order_is_a_parameter() -> None:
    movements = (
        judgment(date(2026, 6, 10), "100.00", "50.00"),
        paid(EntryKind.collected, "200.00", date(2026, 6, 11)),
    )
    order = (Bucket.principal, Bucket.interest, Bucket.costs)

    ledger = compute(facts(*movements), terms(), order)

    payment = next(e for e in ledger.entries if e.kind == EntryKind.collected)
    assert payment.allocation[Bucket.principal] == Decimal("200.00")
    assert ledger.order == order
    with pytest.raises(ValueError, match="allocation order"):
        compute(facts(*movements), terms(), (Bucket.costs, Bucket.costs, Bucket.principal))


def test_payments_are_allocated_in_the_order_they_happened() -> None:
    # A payment before the judgment pays principal; costs awarded later are still owed
    ledger = compute(
        facts(
            paid(EntryKind.collected, "100.00", date(2026, 6, 5)),
            judgment(date(2026, 6, 10), "0.00", "30.00"),
        ),
        terms(),
    )

    assert ledger.totals.allocated_principal == Decimal("100.00")
    assert ledger.totals.allocated_costs == Decimal("0.00")
    assert ledger.totals.balance == Decimal("930.00")


def test_a_direct_payment_inside_exclusivity_carries_the_fee() -> None:
    inside = ACCEPTED + timedelta(days=29)

    ledger = compute(facts(paid(EntryKind.direct_payment, "300.00", inside)), terms())

    assert ledger.totals.direct_payment_fees == Decimal("30.00")
    assert ledger.totals.net_to_creditor == Decimal("270.00")
    assert ledger.totals.remittance == Decimal("-30.00")  # the creditor owes the partner its fee
    assert ledger.reconciles()


@pytest.mark.parametrize(
    "on", [ACCEPTED + timedelta(days=30), ACCEPTED - timedelta(days=1)], ids=["after", "before acceptance"]
)
def test_a_direct_payment_outside_exclusivity_carries_no_fee(on: date) -> None:
    ledger = compute(facts(paid(EntryKind.direct_payment, "300.00", on)), terms())

    assert ledger.totals.direct_payment_fees == Decimal("0.00")
    assert not any(e.kind == EntryKind.direct_payment_fee for e in ledger.entries)


def test_no_direct_payment_fee_when_the_case_was_never_accepted() -> None:
    ledger = compute(facts(paid(EntryKind.direct_payment, "300.00", ACCEPTED), accepted_on=None), terms())

    assert ledger.totals.partner_fees == Decimal("0.00")


def test_a_recall_after_acceptance_carries_a_percent_of_the_balance() -> None:
    withdrawal = Movement(EntryKind.recall_fee, date(2026, 7, 1), T0 + timedelta(days=30))

    ledger = compute(
        facts(paid(EntryKind.collected, "200.00", date(2026, 6, 15)), withdrawn=withdrawal), terms()
    )

    assert ledger.totals.recall_fees == Decimal("40.00")  # 5% of the 800.00 still owed
    assert ledger.totals.partner_fees == Decimal("80.00")  # + 20% of 200.00
    assert ledger.reconciles()


def test_a_fixed_recall_fee() -> None:
    fixed = terms(recall_fee={"kind": "fixed", "amount": {"currency": "GBP", "amount": "75.00"}})
    withdrawal = Movement(EntryKind.recall_fee, date(2026, 7, 1), T0 + timedelta(days=30))

    ledger = compute(facts(withdrawn=withdrawal), fixed)

    assert ledger.totals.recall_fees == Decimal("75.00")
    assert ledger.totals.net_to_creditor == Decimal("-75.00")


def test_overpayment_is_recorded_and_the_balance_stays_at_zero() -> None:
    ledger = compute(
        facts(
            paid(EntryKind.collected, "900.00", date(2026, 6, 10)),
            paid(EntryKind.direct_payment, "250.00", date(2026, 8, 10)),
        ),
        terms(),
    )

    assert ledger.totals.balance == Decimal("0.00")
    assert ledger.totals.overpayment == Decimal("150.00")
    direct = next(e for e in ledger.entries if e.kind == EntryKind.direct_payment)
    assert direct.overpaid == Decimal("150.00") and direct.balance_after == Decimal("0.00")
    assert ledger.totals.contingency_fees == Decimal("180.00")
    assert ledger.reconciles()


def test_fees_are_rounded_half_up_per_entry() -> None:
    ledger = compute(
        facts(paid(EntryKind.collected, "0.05", date(2026, 6, 2))), terms(contingency_percent="10")
    )

    assert ledger.totals.contingency_fees == Decimal("0.01")  # 0.005 → 0.01


def _intake(case_payload: dict[str, Any]) -> CaseIntake:
    case_payload["invoices"] = [{**case_payload["invoices"][0], "amount": "1000.00", "paid": "0.00"}]
    return CaseIntake.model_validate(case_payload)


def test_the_ledger_reads_the_case_and_its_timeline(case_payload: dict[str, Any]) -> None:
    # Given a case accepted on 1 June, a direct payment, a partner collection and a withdrawal
    case = Case.submit(
        "case_" + "0" * 20, "ten_1", _intake(case_payload), "business:t:k", T0 - timedelta(days=30)
    )
    for target in (CaseStatus.on_hold,):
        case.status = target
    case.status = CaseStatus.assigned
    case.transition(CaseStatus.accepted, "agency:p:k", T0, "accepted")
    case.record_payment(
        Payment(on=date(2026, 6, 5), amount=Decimal("100.00"), reference="bank"),
        "business:t:k",
        T0 + timedelta(days=4),
    )
    case.record_payment(
        Payment(
            on=date(2026, 6, 10), amount=Decimal("200.00"), source=PaymentSource.collected, reference="R1"
        ),
        "agency:p:webhook",
        T0 + timedelta(days=9),
        event_type="ledger.payment.collected",
    )
    case.status = CaseStatus.in_recovery
    case.transition(CaseStatus.withdrawn, "business:t:k", T0 + timedelta(days=20), "withdrawn")

    ledger = ledger_of(case, case.pending_events, terms(), date(2026, 8, 1))

    assert ledger.accepted_on == ACCEPTED
    assert [e.kind for e in ledger.entries] == [
        EntryKind.direct_payment,
        EntryKind.direct_payment_fee,
        EntryKind.collected,
        EntryKind.contingency_fee,
        EntryKind.recall_fee,
    ]
    assert ledger.totals.direct == Decimal("100.00") and ledger.totals.collected == Decimal("200.00")
    assert ledger.totals.partner_fees == Decimal("10.00") + Decimal("40.00") + Decimal("35.00")
    assert ledger.reconciles()


# ---------------------------------------------------------------- properties

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
percents = st.decimals(min_value=Decimal(0), max_value=Decimal(100), places=2)
days = st.integers(min_value=-20, max_value=120)


@st.composite
def movements(draw: st.DrawFn) -> list[Movement]:
    found: list[Movement] = []
    for n in range(draw(st.integers(min_value=0, max_value=12))):
        on = ACCEPTED + timedelta(days=draw(days))
        kind = draw(st.sampled_from([EntryKind.collected, EntryKind.direct_payment, EntryKind.judgment]))
        if kind == EntryKind.judgment:
            found.append(
                Movement(kind, on, T0 + timedelta(seconds=n), interest=draw(amounts), costs=draw(amounts))
            )
        else:
            found.append(Movement(kind, on, T0 + timedelta(seconds=n), amount=draw(amounts)))
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
    principal=st.decimals(min_value=Decimal(0), max_value=Decimal("20000"), places=2),
    found=movements(),
    fee=fee_terms(),
    order=st.permutations(list(DEFAULT_ORDER)),
    accepted=st.booleans(),
    recall_day=st.none() | days,
)
def test_totals_always_reconcile(
    principal: Decimal,
    found: list[Movement],
    fee: FeeTerms | None,
    order: list[Bucket],
    accepted: bool,
    recall_day: int | None,
) -> None:
    withdrawal = None
    if recall_day is not None and accepted:
        on = ACCEPTED + timedelta(days=recall_day)
        withdrawal = Movement(EntryKind.recall_fee, on, T0 + timedelta(days=400))
    ledger = compute(
        LedgerFacts("GBP", principal, found, ACCEPTED if accepted else None, withdrawal), fee, tuple(order)
    )
    t = ledger.totals

    # 1. every payment is allocated or overpaid
    assert (
        t.collected + t.direct
        == t.allocated_costs + t.allocated_interest + t.allocated_principal + t.overpayment
    )
    # 2. the balance is what is charged less what is allocated, never below zero
    assert t.balance == (t.costs + t.interest + t.principal) - (
        t.allocated_costs + t.allocated_interest + t.allocated_principal
    )
    assert t.balance >= 0 and t.overpayment >= 0
    assert t.overpayment == 0 or t.balance == 0
    # 3-5. fees, remittance, net
    assert t.partner_fees == t.contingency_fees + t.direct_payment_fees + t.recall_fees
    assert t.remittance == t.collected - t.partner_fees
    assert t.net_to_creditor == t.remittance + t.direct - t.overpayment
    # the entries add up to the totals, and every amount is at the currency's minor unit
    payments = [e for e in ledger.entries if e.kind in (EntryKind.collected, EntryKind.direct_payment)]
    assert sum((e.amount for e in payments), Decimal(0)) == t.collected + t.direct
    fees = [e for e in ledger.entries if e.kind.endswith("_fee")]
    assert sum((e.amount for e in fees), Decimal(0)) == t.partner_fees
    assert all(-e.amount.as_tuple().exponent == 2 for e in payments + fees)  # type: ignore[operator]
    assert all(e.balance_after is None or e.balance_after >= 0 for e in ledger.entries)
    assert ledger.reconciles()
    if fee is None:
        assert t.partner_fees == 0
