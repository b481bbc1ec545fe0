"""The recovery ledger of a case: what was paid, to whom, what the partner earns, what the creditor nets.

The ledger is never stored and computes no balance of its own: what each payment paid (costs →
interest → principal by default, DESIGN.md §3), what a judgment awarded, any overpayment and what
is still owed come from the claim (`Case.claim_as_of`), the one computation of what is owed. The
ledger adds what the recovery costs: the assigned partner's fees, what the partner remits and what
the creditor nets, and the partner's notes (settlements, status codes, closure) from the timeline.

Fees (the assigned partner's `FeeTerms`), each rounded half-up to the minor unit per entry:

* contingency: `contingency_percent` of the part of each partner collection that was applied
  to the debt (an overpayment is refunded, not earned on);
* direct payment fee: `direct_payment_fee_percent` of the applied part of a payment made
  straight to the creditor on a day inside the exclusivity period
  `[accepted_on, accepted_on + exclusivity_days)`; never before acceptance, never without it;
* recall fee: when the creditor withdraws a case the partner had accepted; fixed, or a percent
  of what the claim says was owed on the day of the withdrawal.

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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from handoff.domain.case import Case, CaseEvent
from handoff.domain.claim import AwardApplication, Bucket, PaymentApplication, PaymentSource
from handoff.domain.money import rounded, zero
from handoff.domain.partners import FeeTerms, FixedFee

LEDGER_PREFIX = "ledger."


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


def _percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    return rounded(amount * percent / Decimal(100), currency)


def _in_exclusivity(on: date, accepted_on: date | None, terms: FeeTerms) -> bool:
    if accepted_on is None or terms.exclusivity_days <= 0:
        return False
    return accepted_on <= on < accepted_on + timedelta(days=terms.exclusivity_days)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


NOTES = {
    "settlement.agreed": EntryKind.settlement,
    "case.closed": EntryKind.closure,
    "status.updated": EntryKind.status,
}


def _note(event: CaseEvent) -> LedgerEntry | None:
    """A partner's settlement, closure or status code: informational entries, dated when recorded."""
    kind = NOTES.get(event.type.removeprefix(LEDGER_PREFIX))
    if kind is None:
        return None
    data = event.data
    if kind is EntryKind.settlement:
        details: dict[str, Any] = {"instalments": data.get("instalments", [])}
        return LedgerEntry(
            kind, event.at.date(), Decimal(str(data["amount"])), seq=event.seq, details=details
        )
    if kind is EntryKind.closure:
        details = {"close_code": data.get("close_code"), "note": data.get("note")}
    else:
        details = {"code": data.get("code"), "note": data.get("note")}
    return LedgerEntry(kind, event.at.date(), Decimal(0), seq=event.seq, details=details)


@dataclass
class _Fees:
    """The partner's fees, each an entry right after what it is earned on."""

    currency: str
    terms: FeeTerms | None
    accepted_on: date | None
    entries: list[LedgerEntry]  # the ledger's own list: fees go in where they arise
    totals: dict[EntryKind, Decimal] = field(default_factory=dict)

    def add(
        self, kind: EntryKind, on: date, amount: Decimal, ref: str | None, seq: int | None, **d: Any
    ) -> None:
        if amount <= 0:
            return
        self.totals[kind] = self.totals.get(kind, zero(self.currency)) + amount
        self.entries.append(LedgerEntry(kind, on, amount, ref, seq, details=d))

    def on_payment(self, kind: EntryKind, applied: PaymentApplication) -> None:
        payment, terms = applied.payment, self.terms
        if terms is None:
            return
        earned = payment.amount - applied.overpaid
        if kind is EntryKind.collected:
            fee = _percent_of(earned, terms.contingency_percent, self.currency)
            self.add(
                EntryKind.contingency_fee,
                payment.on,
                fee,
                payment.reference,
                payment.seq,
                percent=terms.contingency_percent,
            )
        elif _in_exclusivity(payment.on, self.accepted_on, terms):
            fee = _percent_of(earned, terms.direct_payment_fee_percent, self.currency)
            self.add(
                EntryKind.direct_payment_fee,
                payment.on,
                fee,
                payment.reference,
                payment.seq,
                percent=terms.direct_payment_fee_percent,
            )

    def on_recall(self, event: CaseEvent, balance: Decimal) -> None:
        recall = self.terms.recall_fee if self.terms else None
        on = event.at.date()
        if isinstance(recall, FixedFee):
            if recall.amount.currency == self.currency:
                self.add(EntryKind.recall_fee, on, recall.amount.amount, None, event.seq, fixed=True)
        elif recall is not None:
            fee = _percent_of(balance, recall.percent, self.currency)
            self.add(EntryKind.recall_fee, on, fee, None, event.seq, percent=recall.percent)


def _payment_entry(kind: EntryKind, applied: PaymentApplication) -> LedgerEntry:
    payment = applied.payment
    split = {
        Bucket.costs: applied.costs,
        Bucket.interest: applied.interest,
        Bucket.principal: applied.principal,
    }
    return LedgerEntry(
        kind,
        payment.on,
        payment.amount,
        payment.reference,
        payment.seq,
        allocation=split,
        overpaid=applied.overpaid,
        balance_after=applied.balance_after,
    )


def _award_entries(award: AwardApplication) -> list[LedgerEntry]:
    judgment = award.judgment
    docket = judgment.reference
    details = {
        "court": judgment.note,
        "docket": docket,
        "interest": award.interest,
        "costs": award.costs,
        "credit_applied": award.credit_to_costs + award.credit_to_interest,
    }
    ref, seq = docket, judgment.seq
    entries = [
        LedgerEntry(EntryKind.judgment, judgment.on, judgment.amount or Decimal(0), ref, seq, details=details)
    ]
    for kind, amount in ((EntryKind.interest, award.interest), (EntryKind.costs, award.costs)):
        if amount > 0:
            entries.append(
                LedgerEntry(kind, judgment.on, amount, ref, seq, balance_after=award.balance_after)
            )
    return entries


def _instant(at: datetime | None) -> datetime:
    return at or datetime.min.replace(tzinfo=UTC)


def ledger_of(case: Case, events: Iterable[CaseEvent], terms: FeeTerms | None, as_of: date) -> Ledger:
    """The ledger on `as_of`: the claim's payments and awards in the order they happened, and the fees."""
    claim = case.claim_as_of(as_of)
    cur = claim.currency
    timeline = list(events)
    accepted = [
        e.at.date() for e in timeline if e.type == "case.status_changed" and e.data.get("to") == "accepted"
    ]
    accepted_on = accepted[0] if accepted else None
    entries: list[LedgerEntry] = []
    fees = _Fees(cur, terms, accepted_on, entries)
    steps: list[tuple[date, datetime, Any]] = []
    for applied in claim.payments:
        if applied.payment.source is not PaymentSource.intake:  # paid before the case was placed
            steps.append((applied.payment.on, _instant(applied.payment.recorded_at), applied))
    steps += [(a.judgment.on, _instant(a.judgment.recorded_at), a) for a in claim.awards]
    for event in timeline:
        note = _note(event) if event.type.startswith(LEDGER_PREFIX) else None
        if note is not None:
            steps.append((note.on, event.at, note))
        recalled = event.type == "case.status_changed" and event.data.get("to") == "withdrawn"
        if recalled and accepted_on is not None and accepted_on <= event.at.date():
            steps.append((event.at.date(), event.at, event))
    z = zero(cur)
    received = {EntryKind.collected: z, EntryKind.direct_payment: z}
    allocated = dict.fromkeys(Bucket, z)
    for _, _, step in sorted(steps, key=lambda s: (s[0], s[1])):
        if isinstance(step, PaymentApplication):
            kind = (
                EntryKind.collected
                if step.payment.source is PaymentSource.collected
                else EntryKind.direct_payment
            )
            received[kind] += step.payment.amount
            allocated[Bucket.costs] += step.costs
            allocated[Bucket.interest] += step.interest
            allocated[Bucket.principal] += step.principal
            entries.append(_payment_entry(kind, step))
            fees.on_payment(kind, step)
        elif isinstance(step, AwardApplication):
            allocated[Bucket.costs] += step.credit_to_costs
            allocated[Bucket.interest] += step.credit_to_interest
            entries.extend(_award_entries(step))
        elif isinstance(step, LedgerEntry):
            entries.append(step)
        else:  # the withdrawal of an accepted case: a recall fee on what was owed that day
            fees.on_recall(step, case.claim_as_of(step.at.date()).balance)
    contingency = fees.totals.get(EntryKind.contingency_fee, z)
    direct_fees = fees.totals.get(EntryKind.direct_payment_fee, z)
    recall = fees.totals.get(EntryKind.recall_fee, z)
    partner_fees = contingency + direct_fees + recall
    collected, direct = received[EntryKind.collected], received[EntryKind.direct_payment]
    remittance = collected - partner_fees
    totals = LedgerTotals(
        principal=claim.principal + allocated[Bucket.principal],
        interest=sum((a.interest for a in claim.awards), z),
        costs=sum((a.costs for a in claim.awards), z),
        collected=collected,
        direct=direct,
        allocated_costs=allocated[Bucket.costs],
        allocated_interest=allocated[Bucket.interest],
        allocated_principal=allocated[Bucket.principal],
        overpayment=claim.overpaid,
        balance=claim.balance,
        contingency_fees=contingency,
        direct_payment_fees=direct_fees,
        recall_fees=recall,
        partner_fees=partner_fees,
        remittance=remittance,
        net_to_creditor=remittance + direct - claim.overpaid,
    )
    return Ledger(cur, entries, totals, tuple(claim.allocation_order), accepted_on)
