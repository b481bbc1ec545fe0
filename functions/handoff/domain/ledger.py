"""The recovery ledger of a case: what was paid, to whom, what the partner earns, what the creditor nets.

The ledger is never stored: it is computed from the case (its invoices' principal, its direct
payments) and its timeline, where every partner outcome is a `ledger.*` event. Recomputing it
from the append-only timeline is what keeps it append-only.

Chronology: movements are applied in the order they happened (`on` date, then the instant they
were recorded). Each payment is allocated over what is owed *at that moment*, by `order`
(costs → interest → principal by default, as collection practice and most terms have it).
What is paid beyond the debt is held as overpayment; charges awarded later (a judgment's
interest and costs) are paid from it first, in the same order.

Fees (the assigned partner's `FeeTerms`), each rounded half-up to the minor unit per entry:

* contingency: `contingency_percent` of the part of each partner collection that was applied
  to the debt (an overpayment is refunded, not earned on);
* direct payment fee: `direct_payment_fee_percent` of the applied part of a payment made
  straight to the creditor on a day inside the exclusivity period
  `[accepted_on, accepted_on + exclusivity_days)`; never before acceptance, never without it;
* recall fee: when the creditor withdraws a case the partner had accepted; fixed, or a percent
  of the balance at the withdrawal.

Identities (checked by `Ledger.reconciles` and tested with hypothesis):

1. collected + direct = allocated_costs + allocated_interest + allocated_principal + overpayment
2. balance = (costs - allocated_costs) + (interest - allocated_interest)
   + (principal - allocated_principal), every term ≥ 0; overpayment > 0 only when balance = 0
3. partner_fees = contingency_fees + direct_payment_fees + recall_fees
4. remittance = collected - partner_fees (what the partner passes on; negative: the creditor owes it)
5. net_to_creditor = remittance + direct - overpayment
   = allocated_costs + allocated_interest + allocated_principal - partner_fees
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from handoff.domain.case import Case, CaseEvent
from handoff.domain.claim import ClaimHistory, PaymentSource, claim_as_of
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.money import rounded, zero
from handoff.domain.partners import FeeTerms, FixedFee

LEDGER_PREFIX = "ledger."


class Bucket(StrEnum):
    costs = "costs"
    interest = "interest"
    principal = "principal"


DEFAULT_ORDER: tuple[Bucket, ...] = (Bucket.costs, Bucket.interest, Bucket.principal)


class EntryKind(StrEnum):
    collected = "collected"  # the partner collected from the debtor
    direct_payment = "direct_payment"  # the debtor paid the creditor directly
    costs = "costs"  # costs awarded by a judgment (owed by the debtor)
    interest = "interest"  # interest awarded by a judgment (owed by the debtor)
    contingency_fee = "contingency_fee"
    direct_payment_fee = "direct_payment_fee"
    recall_fee = "recall_fee"
    settlement = "settlement"  # informational: an agreed settlement and its instalments
    judgment = "judgment"  # informational: court, docket, amount awarded
    closure = "closure"  # informational: the partner's close code
    status = "status"  # informational: a status code and note from the partner


PAYMENTS = frozenset({EntryKind.collected, EntryKind.direct_payment})
FEES = frozenset({EntryKind.contingency_fee, EntryKind.direct_payment_fee, EntryKind.recall_fee})


@dataclass(frozen=True)
class LedgerEntry:
    kind: EntryKind
    on: date
    amount: Decimal
    reference: str | None = None
    seq: int | None = None  # the timeline event it comes from, when there is one
    allocation: dict[Bucket, Decimal] = field(default_factory=dict)  # payments only
    overpaid: Decimal | None = None  # payments only
    balance_after: Decimal | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerTotals:
    principal: Decimal
    interest: Decimal
    costs: Decimal
    collected: Decimal
    direct: Decimal
    allocated_costs: Decimal
    allocated_interest: Decimal
    allocated_principal: Decimal
    overpayment: Decimal
    balance: Decimal
    contingency_fees: Decimal
    direct_payment_fees: Decimal
    recall_fees: Decimal
    partner_fees: Decimal
    remittance: Decimal
    net_to_creditor: Decimal


@dataclass(frozen=True)
class Ledger:
    currency: str
    entries: list[LedgerEntry]
    totals: LedgerTotals
    order: tuple[Bucket, ...]
    accepted_on: date | None

    def reconciles(self) -> bool:
        """Whether the identities in this module's docstring hold."""
        t = self.totals
        allocated = t.allocated_costs + t.allocated_interest + t.allocated_principal
        owed = (
            t.costs - t.allocated_costs,
            t.interest - t.allocated_interest,
            t.principal - t.allocated_principal,
        )
        return (
            t.collected + t.direct == allocated + t.overpayment
            and t.balance == sum(owed, Decimal(0))
            and all(part >= 0 for part in owed)
            and t.overpayment >= 0
            and (t.overpayment == 0 or t.balance == 0)
            and t.partner_fees == t.contingency_fees + t.direct_payment_fees + t.recall_fees
            and t.remittance == t.collected - t.partner_fees
            and t.net_to_creditor == t.remittance + t.direct - t.overpayment
            and t.net_to_creditor == allocated - t.partner_fees
        )


@dataclass(frozen=True)
class Movement:
    """One thing that happened to the money, in the case's currency."""

    kind: EntryKind
    on: date
    at: datetime  # when it was recorded: orders movements of the same day
    amount: Decimal = Decimal(0)
    reference: str | None = None
    seq: int | None = None
    interest: Decimal = Decimal(0)  # judgments
    costs: Decimal = Decimal(0)  # judgments
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerFacts:
    """Everything the ledger needs, read from a case and its timeline."""

    currency: str
    principal: Decimal
    movements: list[Movement]
    accepted_on: date | None = None
    withdrawn: Movement | None = None  # a withdrawal after acceptance


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _from_event(event: CaseEvent) -> Movement | None:
    data = event.data
    kind = event.type.removeprefix(LEDGER_PREFIX)
    common: dict[str, Any] = {"at": event.at, "seq": event.seq}
    if kind == "judgment.obtained":
        return Movement(
            EntryKind.judgment,
            _day(data["date"]),
            amount=_money(data["amount"]),
            interest=_money(data.get("interest")),
            costs=_money(data.get("costs")),
            reference=data.get("docket"),
            details={"court": data.get("court"), "docket": data.get("docket")},
            **common,
        )
    if kind == "settlement.agreed":
        return Movement(
            EntryKind.settlement,
            event.at.date(),
            amount=_money(data["amount"]),
            details={"instalments": data.get("instalments", [])},
            **common,
        )
    if kind == "case.closed":
        details = {"close_code": data.get("close_code"), "note": data.get("note")}
        return Movement(EntryKind.closure, event.at.date(), details=details, **common)
    if kind == "status.updated":
        details = {"code": data.get("code"), "note": data.get("note")}
        return Movement(EntryKind.status, event.at.date(), details=details, **common)
    return None


def facts_of(case: Case, events: Iterable[CaseEvent], as_of: date) -> LedgerFacts:
    """Read the ledger's inputs: `ledger.*` events, direct payments, acceptance and withdrawal."""
    movements: list[Movement] = []
    accepted_on: date | None = None
    withdrawn: Movement | None = None
    for event in events:
        if event.type.startswith(LEDGER_PREFIX):
            movement = _from_event(event)
            if movement is not None:
                movements.append(movement)
        elif event.type == "case.status_changed":
            target = event.data.get("to")
            if target == CaseStatus.accepted:
                accepted_on = event.at.date()
            elif target == CaseStatus.withdrawn and accepted_on is not None:
                withdrawn = Movement(EntryKind.recall_fee, event.at.date(), event.at, seq=event.seq)
    for payment in case.payments:  # the claim's payments: collected by the partner, or paid directly
        collected = payment.source is PaymentSource.collected
        movements.append(
            Movement(
                EntryKind.collected if collected else EntryKind.direct_payment,
                payment.on,
                payment.recorded_at or datetime.combine(payment.on, datetime.min.time(), UTC),
                amount=payment.amount,
                reference=payment.reference,
                seq=payment.seq,
            )
        )
    # What was owed before anything paid since submission: the claim without those payments.
    before = ClaimHistory(events=case.legal_events)
    principal = claim_as_of(case.intake, before, as_of, options=case.claim_options).principal
    return LedgerFacts(case.intake.currency, principal, movements, accepted_on, withdrawn)


def _percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    return rounded(amount * percent / Decimal(100), currency)


def _in_exclusivity(on: date, accepted_on: date | None, terms: FeeTerms) -> bool:
    if accepted_on is None or terms.exclusivity_days <= 0:
        return False
    return accepted_on <= on < accepted_on + timedelta(days=terms.exclusivity_days)


def compute(facts: LedgerFacts, terms: FeeTerms | None, order: Sequence[Bucket] = DEFAULT_ORDER) -> Ledger:
    """The ledger: entries in the order they happened, and totals that reconcile."""
    if sorted(order) != sorted(Bucket):
        raise ValueError(f"the allocation order must name each of {', '.join(Bucket)} once")
    cur = facts.currency
    z = zero(cur)
    owed = {Bucket.costs: z, Bucket.interest: z, Bucket.principal: facts.principal + z}
    charged = dict(owed)
    allocated = {bucket: z for bucket in Bucket}
    received = {EntryKind.collected: z, EntryKind.direct_payment: z}
    fees = {kind: z for kind in FEES}
    overpayment = z
    entries: list[LedgerEntry] = []

    def balance() -> Decimal:
        return sum(owed.values(), z)

    def fee(kind: EntryKind, movement: Movement, amount: Decimal, **details: Any) -> None:
        if amount <= 0:
            return
        fees[kind] += amount
        entries.append(
            LedgerEntry(kind, movement.on, amount, movement.reference, movement.seq, details=details)
        )

    timeline = sorted(facts.movements, key=lambda m: (m.on, m.at))
    if facts.withdrawn is not None:
        timeline.append(facts.withdrawn)  # the recall comes after everything paid before it
        timeline.sort(key=lambda m: (m.on, m.at))
    for movement in timeline:
        if movement.kind in PAYMENTS:
            remaining = movement.amount
            split: dict[Bucket, Decimal] = {}
            for bucket in order:
                take = min(remaining, owed[bucket])
                split[bucket] = take
                owed[bucket] -= take
                allocated[bucket] += take
                remaining -= take
            overpayment += remaining
            received[movement.kind] += movement.amount
            applied = movement.amount - remaining
            entries.append(
                LedgerEntry(
                    movement.kind,
                    movement.on,
                    movement.amount,
                    movement.reference,
                    movement.seq,
                    allocation=split,
                    overpaid=remaining,
                    balance_after=balance(),
                )
            )
            if terms is None:
                continue
            if movement.kind == EntryKind.collected:
                fee(
                    EntryKind.contingency_fee,
                    movement,
                    _percent_of(applied, terms.contingency_percent, cur),
                    percent=terms.contingency_percent,
                )
            elif _in_exclusivity(movement.on, facts.accepted_on, terms):
                fee(
                    EntryKind.direct_payment_fee,
                    movement,
                    _percent_of(applied, terms.direct_payment_fee_percent, cur),
                    percent=terms.direct_payment_fee_percent,
                )
        elif movement.kind == EntryKind.judgment:
            for bucket, amount in ((Bucket.costs, movement.costs), (Bucket.interest, movement.interest)):
                owed[bucket] += amount
                charged[bucket] += amount
            credit = overpayment  # money paid beyond the debt earlier pays the new charges first
            for bucket in order:
                take = min(credit, owed[bucket])
                owed[bucket] -= take
                allocated[bucket] += take
                credit -= take
            credit_applied, overpayment = overpayment - credit, credit
            entries.append(
                LedgerEntry(
                    EntryKind.judgment,
                    movement.on,
                    movement.amount,
                    movement.reference,
                    movement.seq,
                    details={
                        **movement.details,
                        "interest": movement.interest,
                        "costs": movement.costs,
                        "credit_applied": credit_applied,
                    },
                )
            )
            for kind, amount in ((EntryKind.interest, movement.interest), (EntryKind.costs, movement.costs)):
                if amount > 0:
                    entries.append(
                        LedgerEntry(
                            kind,
                            movement.on,
                            amount,
                            movement.reference,
                            movement.seq,
                            balance_after=balance(),
                        )
                    )
        elif movement.kind == EntryKind.recall_fee:
            if terms is not None and terms.recall_fee is not None:
                recall = terms.recall_fee
                if isinstance(recall, FixedFee):
                    if recall.amount.currency == cur:
                        fee(EntryKind.recall_fee, movement, recall.amount.amount, fixed=True)
                else:
                    fee(
                        EntryKind.recall_fee,
                        movement,
                        _percent_of(balance(), recall.percent, cur),
                        percent=recall.percent,
                    )
        else:
            entries.append(
                LedgerEntry(
                    movement.kind,
                    movement.on,
                    movement.amount,
                    movement.reference,
                    movement.seq,
                    details=movement.details,
                )
            )

    partner_fees = sum(fees.values(), z)
    collected, direct = received[EntryKind.collected], received[EntryKind.direct_payment]
    remittance = collected - partner_fees
    totals = LedgerTotals(
        principal=charged[Bucket.principal],
        interest=charged[Bucket.interest],
        costs=charged[Bucket.costs],
        collected=collected,
        direct=direct,
        allocated_costs=allocated[Bucket.costs],
        allocated_interest=allocated[Bucket.interest],
        allocated_principal=allocated[Bucket.principal],
        overpayment=overpayment,
        balance=balance(),
        contingency_fees=fees[EntryKind.contingency_fee],
        direct_payment_fees=fees[EntryKind.direct_payment_fee],
        recall_fees=fees[EntryKind.recall_fee],
        partner_fees=partner_fees,
        remittance=remittance,
        net_to_creditor=remittance + direct - overpayment,
    )
    return Ledger(cur, entries, totals, tuple(order), facts.accepted_on)


def ledger_of(
    case: Case,
    events: Iterable[CaseEvent],
    terms: FeeTerms | None,
    as_of: date,
    order: Sequence[Bucket] = DEFAULT_ORDER,
) -> Ledger:
    return compute(facts_of(case, events, as_of), terms, order)
