"""The case entity, its timeline events and the caller who acts on it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.claim import (
    Claim,
    ClaimHistory,
    ClaimOptions,
    LegalEvent,
    Payment,
    claim_as_of,
)
from handoff.domain.lifecycle import CaseStatus, check_transition
from handoff.domain.models import CaseIntake, ContactAttempt
from handoff.domain.principals import Principal as Principal  # re-exported: the caller acts on a case
from handoff.domain.principals import PrincipalKind as PrincipalKind

SYSTEM = "system"


GENESIS = "0" * 64


def canonical(data: Any) -> Any:
    """The JSON form of event data, as stored and as hashed (Decimal and dates become strings)."""
    return json.loads(json.dumps(data, default=str, sort_keys=True))


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a case's append-only timeline, chained to the previous one by its hash."""

    seq: int
    type: str
    at: datetime
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    status: CaseStatus | None = None
    prev_hash: str = GENESIS
    hash: str = ""

    def computed_hash(self) -> str:
        """SHA-256 over the event's content and the previous event's hash."""
        body = {
            "seq": self.seq,
            "type": self.type,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "status": str(self.status) if self.status else None,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }
        encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(events: list[CaseEvent]) -> list[ChainBreak]:
    """Every way the timeline differs from an unbroken, untouched hash chain."""
    breaks = []
    previous = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            breaks.append(ChainBreak(event.seq, f"expected event #{expected_seq}: an event is missing"))
        if event.prev_hash != previous:
            breaks.append(ChainBreak(event.seq, "does not link to the previous event's hash"))
        if event.computed_hash() != event.hash:
            breaks.append(ChainBreak(event.seq, "content changed after it was recorded"))
        previous = event.hash
    return breaks


class WorkflowState(LazyModel):
    """Where the case stands in its workflow: the running execution, what it waits for, who has it."""

    run: Annotated[int, Field(description="Executions started so far")] = 0
    execution_arn: str | None = None
    waiting_for: Annotated[str | None, Field(description="debtor_response | partner_acceptance")] = None
    task_token: str | None = None
    wait_until: datetime | None = None
    partner_id: str | None = None
    partner_type: str | None = None
    tries: Annotated[int, Field(description="Partners offered the case in this routing round")] = 0
    declined: Annotated[list[str], Field(description="Partners that declined or did not answer")] = []
    decline_reason: Annotated[str | None, Field(description="What the partner said when declining")] = None
    hold_reasons: list[str] = []
    demand_issued_on: date | None = None
    demand_expires_on: date | None = None
    packet_versions: int = 0


@dataclass
class Case:
    """A debt escalated by one tenant. `version` guards every write (optimistic locking)."""

    case_id: str
    tenant_id: str
    intake: CaseIntake
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    version: int = 0
    last_event_hash: str = GENESIS
    workflow: WorkflowState = field(default_factory=WorkflowState)
    payments: list[Payment] = field(default_factory=list)
    legal_events: list[LegalEvent] = field(default_factory=list)
    claim_options: ClaimOptions = field(default_factory=ClaimOptions)
    pending_events: list[CaseEvent] = field(default_factory=list)
    pending_claims: list[str] = field(default_factory=list)

    @classmethod
    def submit(
        cls,
        case_id: str,
        tenant_id: str,
        intake: CaseIntake,
        actor: str,
        now: datetime,
        options: ClaimOptions | None = None,
    ) -> Case:
        case = cls(case_id, tenant_id, intake, CaseStatus.submitted, now, now)
        case.claim_options = options or ClaimOptions()
        case.record(
            "case.submitted",
            actor,
            now,
            {"creditor_reference": intake.creditor_reference, "invoices": len(intake.invoices)},
        )
        return case

    def record(self, type_: str, actor: str, at: datetime, data: dict[str, Any] | None = None) -> None:
        """Append an event; it is written together with the next version of the case."""
        self.version += 1
        self.updated_at = at
        event = CaseEvent(
            self.version, type_, at, actor, canonical(data or {}), self.status, self.last_event_hash
        )
        event = replace(event, hash=event.computed_hash())
        self.last_event_hash = event.hash
        self.pending_events.append(event)

    def claim(self, key: str) -> None:
        """Record `key` once, atomically with this change; a second claim of it fails the whole write."""
        self.pending_claims.append(key)

    def transition(self, target: CaseStatus, actor: str, at: datetime, reason: str, **data: Any) -> None:
        previous = self.status
        self.status = check_transition(previous, target)
        self.record(
            "case.status_changed", actor, at, {"from": previous, "to": target, "reason": reason, **data}
        )

    @property
    def history(self) -> ClaimHistory:
        """Everything dated since the intake that the claim folds in."""
        return ClaimHistory(payments=self.payments, events=self.legal_events)

    def claim_as_of(self, as_of: date, *, letter_date: date | None = None) -> Claim:
        """The claim on `as_of`: the one computation of what is owed (`domain.claim`)."""
        return claim_as_of(
            self.intake, self.history, as_of, letter_date=letter_date, options=self.claim_options
        )

    def record_payment(
        self,
        payment: Payment,
        actor: str,
        at: datetime,
        *,
        event_type: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """A payment of any source, on the timeline as `event_type` (default `payment.<source>`).

        The event says what is owed after it, on its date; `details` add what the reporter said
        (a partner's webhook id, its own reference).
        """
        payment = payment.model_copy(update={"recorded_at": at, "seq": self.version + 1})
        self.payments = [*self.payments, payment]
        self.record(
            event_type or f"payment.{payment.source}",
            actor,
            at,
            {
                **(details or {}),
                "amount": payment.amount,
                "currency": self.intake.currency,
                "paid_on": payment.on,
                "invoice": payment.invoice,
                "reference": payment.reference,
                "outstanding": self.claim_as_of(payment.on).principal,
            },
        )

    def record_legal_event(
        self,
        event: LegalEvent,
        actor: str,
        at: datetime,
        *,
        event_type: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """An acknowledgment, demand, settlement, proceedings or judgment: its effect follows the law.

        On the timeline as `event_type` (default `legal.<kind>`), with `details` from its reporter.
        """
        event = event.model_copy(update={"recorded_at": at, "seq": self.version + 1})
        self.legal_events = [*self.legal_events, event]
        self.record(
            event_type or f"legal.{event.kind}",
            actor,
            at,
            {
                **(details or {}),
                "on": event.on,
                "written": event.written,
                "source": event.source,
                "note": event.note,
                "reference": event.reference,
                **{k: v for k in ("amount", "interest", "costs") if (v := getattr(event, k)) is not None},
            },
        )

    def add_contact(self, attempt: ContactAttempt, actor: str, at: datetime) -> None:
        self.intake = self.intake.model_copy(update={"contact_log": [*self.intake.contact_log, attempt]})
        self.record(
            "contact.logged",
            actor,
            at,
            {"channel": attempt.channel, "outcome": attempt.outcome, "at": attempt.at.isoformat()},
        )
