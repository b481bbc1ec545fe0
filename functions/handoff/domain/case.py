"""The case entity, its timeline events and the caller who acts on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from handoff.domain.lifecycle import CaseStatus, check_transition
from handoff.domain.models import CaseIntake, ContactAttempt


class PrincipalKind(StrEnum):
    business = "business"
    agency = "agency"
    attorney = "attorney"
    operator = "operator"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the kind of key and the tenant or partner it belongs to."""

    kind: PrincipalKind
    key_id: str
    tenant_id: str | None = None
    partner_id: str | None = None

    @property
    def actor(self) -> str:
        owner = self.tenant_id or self.partner_id or "platform"
        return f"{self.kind}:{owner}:{self.key_id}"


SYSTEM = "system"


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a case's append-only timeline."""

    seq: int
    type: str
    at: datetime
    actor: str
    data: dict[str, Any] = field(default_factory=dict)
    status: CaseStatus | None = None


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
    pending_events: list[CaseEvent] = field(default_factory=list)

    @classmethod
    def submit(cls, case_id: str, tenant_id: str, intake: CaseIntake, actor: str, now: datetime) -> Case:
        case = cls(case_id, tenant_id, intake, CaseStatus.submitted, now, now)
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
        self.pending_events.append(CaseEvent(self.version, type_, at, actor, data or {}, self.status))

    def transition(self, target: CaseStatus, actor: str, at: datetime, reason: str, **data: Any) -> None:
        previous = self.status
        self.status = check_transition(previous, target)
        self.record(
            "case.status_changed", actor, at, {"from": previous, "to": target, "reason": reason, **data}
        )

    def add_contact(self, attempt: ContactAttempt, actor: str, at: datetime) -> None:
        self.intake = self.intake.model_copy(update={"contact_log": [*self.intake.contact_log, attempt]})
        self.record(
            "contact.logged",
            actor,
            at,
            {"channel": attempt.channel, "outcome": attempt.outcome, "at": attempt.at.isoformat()},
        )


def utcnow() -> datetime:
    return datetime.now(UTC)
