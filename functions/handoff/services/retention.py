"""Use cases of retention: the tenant's policy, legal holds, erasing a case, the daily sweep.

Erasure order, each step safe to repeat: claim it on the timeline (no hold can be placed from
then on); delete every stored version of the case's evidence, documents and packets; replace the
personal fields of timeline events by their redaction markers; mark evidence and document rows
erased; finally redact the case itself, destroy its salt and record `case.erased`. A failure
leaves the case claimed but not erased: the next run finishes it. (Webhook payloads, and so the
delivery logs and queues, never carried the personal fields: they go out as markers.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from handoff.domain.case import Case, CaseEvent, Principal
from handoff.domain.errors import ErasureRefusedError
from handoff.domain.evidence import Evidence, EvidenceStatus
from handoff.domain.generated import GeneratedDocument
from handoff.domain.redaction import erased_filename, holds_personal_data, marker, redact_intake, sealed
from handoff.domain.retention import (
    MAX_UPLOAD_SECONDS,
    ErasureTrigger,
    HolderKind,
    RetentionPolicy,
    begin_erasure,
    check_erasable,
    complete_erasure,
    erased,
    lift_hold,
    place_hold,
    policy_of,
)
from handoff.domain.tenants import Tenant
from handoff.observability import logger
from handoff.services.cases import update_case
from handoff.services.packets import recorded_packets
from handoff.services.ports import CaseRepository

JOB_ACTOR = "system:retention"
SECONDS_PER_ERASURE = 60  # the sweep stops starting erasures when less than this is left


class Tenants(Protocol):
    def get(self, tenant_id: str) -> Tenant: ...

    def set_retention(self, tenant_id: str, days: int | None) -> Tenant: ...

    def all_ids(self) -> list[str]: ...


class LegalHolds(Protocol):
    def set_legal_hold(self, bucket: str, key: str, on: bool, version_id: str | None = None) -> None: ...


class ObjectEraser(LegalHolds, Protocol):
    def erase_prefix(self, bucket: str, prefix: str, locked: bool = False) -> int: ...


class ErasableEvidence(Protocol):
    def list_for_case(self, tenant_id: str, case_id: str) -> list[Evidence]: ...

    def mark_erased(self, evidence: Evidence) -> None: ...


class ErasableDocuments(Protocol):
    def list_for_case(self, tenant_id: str, case_id: str) -> list[GeneratedDocument]: ...

    def mark_erased(self, document: GeneratedDocument, at: datetime) -> None: ...


class RetentionStore(Protocol):
    def due(self, tenant_id: str, ended_before: datetime) -> list[str]: ...

    def redact_event(self, tenant_id: str, case_id: str, event: CaseEvent, data: dict[str, Any]) -> None: ...


class Eraser(Protocol):
    def erase(self, tenant_id: str, case_id: str, actor: str) -> None: ...


@dataclass(frozen=True)
class HoldDeps:
    cases: CaseRepository
    objects: LegalHolds
    packets_bucket: str


@dataclass(frozen=True)
class Buckets:
    evidence: str
    documents: str
    packets: str


@dataclass(frozen=True)
class ErasureDeps:
    cases: CaseRepository
    tenants: Tenants
    evidence: ErasableEvidence
    documents: ErasableDocuments
    store: RetentionStore
    objects: ObjectEraser
    buckets: Buckets
    default_days: int


# --- the policy --------------------------------------------------------------------------------


def retention_policy(tenants: Tenants, tenant_id: str, default_days: int) -> RetentionPolicy:
    return policy_of(tenants.get(tenant_id).retention_days, default_days)


def set_retention_policy(
    tenants: Tenants, tenant_id: str, days: int | None, default_days: int
) -> RetentionPolicy:
    """Set the tenant's days after a case ends (None: back to the platform's default)."""
    return policy_of(tenants.set_retention(tenant_id, days).retention_days, default_days)


# --- legal holds -------------------------------------------------------------------------------


def place_legal_hold(
    deps: HoldDeps, tenant_id: str, case_id: str, holder: HolderKind, reason: str, actor: str, now: datetime
) -> Case:
    """Hold the case (erasure suspended) and put its packets under Object Lock legal hold.

    Placing a hold the holder already has records nothing new and only makes sure the packets
    are held (so a retry after a failed S3 call completes the hold).
    """

    def hold(case: Case) -> None:
        if not any(h.holder == holder for h in case.legal_holds):
            place_hold(case, holder, reason, actor, now)

    case = update_case(deps.cases, tenant_id, case_id, hold)
    _sync_packet_holds(deps, case)
    return case


def lift_legal_hold(
    deps: HoldDeps, tenant_id: str, case_id: str, holder: HolderKind, reason: str, actor: str, now: datetime
) -> Case:
    """Lift the holder's own hold; the packets' legal hold goes once no hold remains."""

    def lift(case: Case) -> None:
        if any(h.holder == holder for h in case.legal_holds):
            lift_hold(case, holder, reason, actor, now)

    case = update_case(deps.cases, tenant_id, case_id, lift)
    _sync_packet_holds(deps, case)
    return case


def _sync_packet_holds(deps: HoldDeps, case: Case) -> None:
    if case.erasure is not None:
        return  # its packets are being (or were) deleted
    on = bool(case.legal_holds)
    for packet in recorded_packets(deps.cases.all_events(case.tenant_id, case.case_id)):
        deps.objects.set_legal_hold(deps.packets_bucket, packet.key, on)


# --- erasure -----------------------------------------------------------------------------------


def request_erasure(cases: CaseRepository, eraser: Eraser, caller: Principal, case_id: str) -> Case:
    """A business's right-to-erasure request: refused (409) while the case is open or held."""
    assert caller.tenant_id
    case = cases.get(caller.tenant_id, case_id)  # 404 for another tenant's case
    if case.erasure is None:
        check_erasable(case)
    if not erased(case):
        eraser.erase(caller.tenant_id, case_id, caller.actor)
    return cases.get(caller.tenant_id, case_id)


def case_prefix(area: str, tenant_id: str, case_id: str) -> str:
    """Where a case's objects live in each bucket: `evidence/`, `documents/`, `packets/` + tenant/case."""
    return f"{area}/{tenant_id}/{case_id}/"


def erase_case(
    deps: ErasureDeps, tenant_id: str, case_id: str, trigger: ErasureTrigger, actor: str, now: datetime
) -> Case:
    """Erase the case's personal data (see the module docstring); a case already erased is returned."""
    _check_no_upload_pending(deps, deps.cases.get(tenant_id, case_id), now)
    case = update_case(deps.cases, tenant_id, case_id, lambda c: begin_erasure(c, trigger, actor, now))
    if erased(case):
        return case
    salt = case.redaction_salt
    for area, bucket, locked in (
        ("evidence", deps.buckets.evidence, False),
        ("documents", deps.buckets.documents, False),
        ("packets", deps.buckets.packets, True),
    ):
        deps.objects.erase_prefix(bucket, case_prefix(area, tenant_id, case_id), locked=locked)
    events = deps.cases.all_events(tenant_id, case_id)
    fields = _redact_events(deps, case, events, salt)
    evidence = deps.evidence.list_for_case(tenant_id, case_id)
    for item in evidence:
        if item.erased_at is None:
            filename = erased_filename(item.declaration.filename)
            declaration = item.declaration.model_copy(update={"filename": filename})
            deps.evidence.mark_erased(replace(item, declaration=declaration, erased_at=now))
    documents = deps.documents.list_for_case(tenant_id, case_id)
    for document in documents:
        if document.erased_at is None:
            deps.documents.mark_erased(document, now)
    files = len(evidence) + len(documents) + len(recorded_packets(events))

    def finish(c: Case) -> None:
        redacted = redact_intake(c.intake, c.redaction_salt)
        references = [p for p in c.payments if p.reference is not None]
        c.intake = redacted.intake
        c.payments = [
            p.model_copy(update={"reference": marker(c.redaction_salt, p.reference)}) if p.reference else p
            for p in c.payments
        ]
        personal_legal = [e for e in c.legal_events if e.note is not None or e.reference is not None]
        c.legal_events = [
            e.model_copy(
                update={k: marker(c.redaction_salt, v) for k in ("note", "reference") if (v := getattr(e, k))}
            )
            for e in c.legal_events
        ]
        c.workflow.decline_reason = None
        total = fields + redacted.replaced + len(references) + len(personal_legal)
        complete_erasure(c, total, files, redacted.removed, actor, now)

    return update_case(deps.cases, tenant_id, case_id, finish)


def _check_no_upload_pending(deps: ErasureDeps, case: Case, now: datetime) -> None:
    """A presigned upload handed out shortly before could still put a file in the bucket after it was
    emptied: erasure waits until no declared upload can arrive any more."""
    if case.erasure is not None:
        return
    window = timedelta(seconds=MAX_UPLOAD_SECONDS)
    pending = [
        e.created_at + window
        for e in deps.evidence.list_for_case(case.tenant_id, case.case_id)
        if e.status == EvidenceStatus.pending_upload and e.created_at + window > now
    ]
    if pending:
        raise ErasureRefusedError(
            "upload_pending",
            f"an evidence upload may still arrive until {max(pending).isoformat()}: ask again after that",
        )


def _redact_events(deps: ErasureDeps, case: Case, events: list[CaseEvent], salt: str | None) -> int:
    fields = 0
    for event in events:
        if holds_personal_data(event.type, event.data):
            redacted = sealed(event.type, event.data, salt)
            fields += sum(1 for k, v in redacted.items() if v != event.data.get(k))
            deps.store.redact_event(case.tenant_id, case.case_id, event, redacted)
    return fields


@dataclass
class SweepReport:
    erased: list[str] = field(default_factory=list)
    refused: int = 0  # held or reopened since the index was read
    failed: int = 0  # left for the next run
    unfinished: bool = False  # stopped for lack of time; the next run continues


def erase_due(
    deps: ErasureDeps,
    now: datetime,
    seconds_left: Callable[[], float] = lambda: float("inf"),
) -> SweepReport:
    """The daily job: erase every ended, unheld case of every tenant whose retention has run out."""
    report = SweepReport()
    for tenant_id in deps.tenants.all_ids():
        days = retention_policy(deps.tenants, tenant_id, deps.default_days).days_after_close
        for case_id in deps.store.due(tenant_id, now - timedelta(days=days)):
            if seconds_left() < SECONDS_PER_ERASURE:
                report.unfinished = True
                return report
            try:
                erase_case(deps, tenant_id, case_id, "retention", JOB_ACTOR, now)
            except ErasureRefusedError:
                report.refused += 1
                continue
            except Exception:  # one case's failure must not stop the others; it is retried tomorrow
                logger.exception("erasure failed", extra={"tenant_id": tenant_id, "case_id": case_id})
                report.failed += 1
                continue
            report.erased.append(case_id)
    return report
