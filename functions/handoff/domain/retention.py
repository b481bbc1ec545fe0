"""Retention of a case's personal data: when it is due for erasure, legal holds that suspend it, and
the erasure itself as recorded on the case (docs/data-model.md, "Retention and erasure").

A case ends when it reaches `closed`, `resolved` (paid before handoff) or `withdrawn`; nothing moves
it on from there but to `closed`. Its personal data is due for erasure `days_after_close` days after
it ended (the tenant's policy), unless a legal hold applies. A business may ask for erasure sooner
(a data subject's request), but never while the case is open or held.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.errors import ConflictError, ErasureRefusedError
from handoff.domain.lifecycle import CaseStatus

if TYPE_CHECKING:
    from handoff.domain.case import Case

ENDED = frozenset({CaseStatus.closed, CaseStatus.resolved, CaseStatus.withdrawn})
MAX_RETENTION_DAYS = 36500
MAX_UPLOAD_SECONDS = 900  # the longest a presigned evidence upload stays usable: erasure waits it out


class HolderKind(StrEnum):
    """Who placed a legal hold; each lifts only its own."""

    business = "business"
    operator = "operator"


class LegalHold(LazyModel):
    holder: HolderKind
    reason: Annotated[str, Field(description="Why the case's data must be kept (litigation, an inquiry…)")]
    placed_by: str
    placed_at: datetime


ErasureTrigger = Literal["retention", "request"]


class Erasure(LazyModel):
    """The erasure of a case's personal data: started, then completed (retried until it is)."""

    trigger: Annotated[ErasureTrigger, Field(description="retention: the daily job; request: the business")]
    requested_by: str
    started_at: datetime
    completed_at: datetime | None = None
    fields: Annotated[int, Field(description="Personal values replaced by a redaction marker")] = 0
    files: Annotated[
        int, Field(description="Evidence files, documents and packets deleted (every version)")
    ] = 0
    removed: Annotated[
        dict[str, str], Field(description="Markers of values removed outright (contacts, postal code…)")
    ] = {}


class RetentionPolicy(LazyModel):
    days_after_close: int
    source: Annotated[Literal["tenant", "default"], Field(description="Set for the tenant, or the default")]


def policy_of(tenant_days: int | None, default_days: int) -> RetentionPolicy:
    if tenant_days is None:
        return RetentionPolicy(days_after_close=default_days, source="default")
    return RetentionPolicy(days_after_close=tenant_days, source="tenant")


def erase_after(case: "Case", days: int) -> datetime | None:
    """When the case's personal data becomes due for erasure; None while it is open."""
    if case.closed_at is None:
        return None
    return case.closed_at + timedelta(days=days)


def is_due(case: "Case", days: int, now: datetime) -> bool:
    due = erase_after(case, days)
    return due is not None and due <= now and not case.legal_holds and not erased(case)


@dataclass(frozen=True)
class PacketLock:
    """S3 Object Lock of a new packet: governance retention until `retain_until`, and a legal hold."""

    retain_until: datetime | None
    legal_hold: bool


def packet_lock(case: "Case", days: int, now: datetime) -> PacketLock:
    """Retention never outlasts the policy: it ends `days` after the packet is made, and no later than
    the case's own erasure date, so the daily job never meets a packet still under retention. A case
    on legal hold gets an Object Lock legal hold, which has no end date: it lasts until lifted."""
    until = now + timedelta(days=days)
    due = erase_after(case, days)
    if due is not None:
        until = min(until, due)
    return PacketLock(until if until > now else None, bool(case.legal_holds))


def erased(case: "Case") -> bool:
    return case.erasure is not None and case.erasure.completed_at is not None


def check_erasable(case: "Case") -> None:
    """Refuse (409, with the reason) while the case is open or any legal hold applies."""
    if case.status not in ENDED:
        raise ErasureRefusedError(
            "case_open", f"the case is {case.status}: personal data is erased only once it has ended"
        )
    if case.legal_holds:
        holders = ", ".join(sorted(h.holder for h in case.legal_holds))
        raise ErasureRefusedError("legal_hold", f"the case is on legal hold ({holders}): erasure waits")


def check_not_erased(case: "Case") -> None:
    """Nothing new about a person is recorded on a case whose personal data is (being) erased."""
    if case.erasure is not None:
        raise ConflictError(f"the personal data of case {case.case_id} was erased; it takes no new data")


def place_hold(case: "Case", holder: HolderKind, reason: str, actor: str, now: datetime) -> LegalHold:
    if case.erasure is not None:
        raise ConflictError("the case's personal data is erased or being erased: there is nothing to hold")
    if any(h.holder == holder for h in case.legal_holds):
        raise ConflictError(f"the case is already on a legal hold placed by the {holder}")
    hold = LegalHold(holder=holder, reason=reason, placed_by=actor, placed_at=now)
    case.legal_holds = [*case.legal_holds, hold]
    case.record("legal_hold.placed", actor, now, {"holder": holder, "reason": reason})
    return hold


def lift_hold(case: "Case", holder: HolderKind, reason: str, actor: str, now: datetime) -> None:
    if not any(h.holder == holder for h in case.legal_holds):
        raise ConflictError(f"the case has no legal hold placed by the {holder}")
    case.legal_holds = [h for h in case.legal_holds if h.holder != holder]
    remaining = sorted(h.holder for h in case.legal_holds)
    case.record("legal_hold.lifted", actor, now, {"holder": holder, "reason": reason, "remaining": remaining})


def begin_erasure(case: "Case", trigger: ErasureTrigger, actor: str, now: datetime) -> None:
    """Claim the erasure on the timeline before anything is deleted: from here no hold can be placed."""
    if case.erasure is not None:
        return  # started before (a retry) or done
    check_erasable(case)
    case.erasure = Erasure(trigger=trigger, requested_by=actor, started_at=now)
    case.record("erasure.started", actor, now, {"trigger": trigger})


def complete_erasure(
    case: "Case", fields: int, files: int, removed: dict[str, str], actor: str, now: datetime
) -> None:
    """Record what was erased and destroy the salt: the markers left behind can no longer be tested."""
    assert case.erasure is not None, "begin_erasure first"
    if case.erasure.completed_at is not None:
        return
    case.erasure = case.erasure.model_copy(
        update={"completed_at": now, "fields": fields, "files": files, "removed": removed}
    )
    case.redaction_salt = None
    case.record(
        "case.erased",
        actor,
        now,
        {"trigger": case.erasure.trigger, "fields": fields, "files": files, "removed": len(removed)},
    )
