"""Evidence packets: assemble a new immutable version, hand out downloads, check hashes later."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from handoff.domain.case import Case, ChainBreak, Principal
from handoff.domain.document_kinds import DocumentKind
from handoff.domain.errors import ConflictError, NotFoundError
from handoff.domain.evidence import EvidenceStatus
from handoff.domain.retention import check_not_erased, packet_lock
from handoff.observability import logger
from handoff.services.case_documents import case_documents
from handoff.services.cases import Verification, update_case, verify_case
from handoff.services.documents import DocumentInputs, DocumentStore, generate_document
from handoff.services.ports import EvidenceRepository


@dataclass(frozen=True)
class Packet:
    version: int
    key: str
    sha256: str
    size: int
    files: int
    created_at: str


class PacketLocks(Protocol):
    """S3 Object Lock on packet objects (adapters.s3.S3Storage)."""

    def lock(self, bucket: str, key: str, retain_until: datetime | None, legal_hold: bool) -> None: ...

    def set_legal_hold(self, bucket: str, key: str, on: bool, version_id: str | None = None) -> None: ...


class PacketWriter(Protocol):
    """Streams members into a new ZIP object (adapters.packet_zip.assemble_packet, bound to a client)."""

    def __call__(self, bucket: str, key: str, members: Sequence[Any], metadata: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class PacketDeps:
    documents: DocumentStore
    evidence: EvidenceRepository
    write: PacketWriter
    s3_member: Callable[[str, str, str, str], Any]  # (path, bucket, key, source)
    bytes_member: Callable[[str, bytes, str], Any]  # (path, content, source)
    evidence_bucket: str
    packets_bucket: str
    read_chunks: Callable[[str, str], Iterator[bytes]]
    download_url: Callable[[str, str, int, str], str]
    discard: Callable[[str, str], None] | None = None  # (bucket, key): drop a packet never recorded
    locks: PacketLocks | None = None  # Object Lock, set from the retention policy and legal holds
    retention_days: Callable[[str], int] | None = None  # tenant id → days after a case ends


# A packet object nobody recorded (its writer died between writing and recording) holds its
# key for good: packets are never rewritten, so the next attempt takes the next version.
MAX_UNRECORDED_VERSIONS = 5


def packet_key(case: Case, version: int) -> str:
    return f"packets/{case.tenant_id}/{case.case_id}/v{version:04d}.zip"


def contact_log_csv(case: Case) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "channel", "direction", "outcome", "note"])
    for attempt in sorted(case.intake.contact_log, key=lambda a: a.at):
        writer.writerow(
            [attempt.at.isoformat(), attempt.channel, attempt.direction, attempt.outcome, attempt.note or ""]
        )
    return out.getvalue().encode()


def assemble(
    deps: PacketDeps,
    tenant_id: str,
    case_id: str,
    actor: str,
    now: datetime,
    also: Callable[[Case, Packet], None] | None = None,
) -> Packet:
    """Build the next packet version: verified evidence, contact log, statement, documents, manifest.

    The packet goes on the timeline in one write with `also` (the workflow's transition), so a
    retried step never records it twice. If that write fails, the object just written is
    deleted: the case never pointed at it, and the retry writes the same version again.
    """
    if not _statement_pending(deps.documents.cases.all_events(tenant_id, case_id), now):
        generate_document(
            deps.documents,
            tenant_id,
            case_id,
            DocumentKind.STATEMENT_OF_ACCOUNT,
            DocumentInputs([]),
            actor,
            now,
        )
    case = deps.documents.cases.get(tenant_id, case_id)
    check_not_erased(case)
    members: list[Any] = [
        deps.s3_member(item.path_in_packet, deps.evidence_bucket, item.key, "evidence")
        for item in deps.evidence.list_for_case(tenant_id, case_id)
        if item.status == EvidenceStatus.verified
    ]
    members.append(deps.bytes_member("contact_log.csv", contact_log_csv(case), "contact_log"))
    for document in case_documents(deps.documents.cases, deps.documents.documents, tenant_id, case_id):
        source = "statement" if document.kind == DocumentKind.STATEMENT_OF_ACCOUNT else "document"
        members.append(
            deps.s3_member(f"documents/{document.filename}", deps.documents.bucket, document.key, source)
        )
    first = case.workflow.packet_versions + 1
    for version in range(first, first + MAX_UNRECORDED_VERSIONS):
        key = packet_key(case, version)
        metadata = {"case_id": case_id, "packet_version": version, "created_at": now.isoformat()}
        try:
            result = deps.write(deps.packets_bucket, key, members, metadata)
            break
        except ConflictError:  # an unrecorded packet (or a racing writer's) holds this version
            if version == first + MAX_UNRECORDED_VERSIONS - 1:
                raise
    packet = Packet(version, key, result.sha256, result.size, len(members) + 1, now.isoformat())

    def record(c: Case) -> None:
        c.workflow.packet_versions = max(c.workflow.packet_versions, version)
        c.record("packet.assembled", actor, now, packet.__dict__)
        if also is not None:
            also(c, packet)

    try:
        held = _lock(deps, case, key, now)
        recorded = update_case(deps.documents.cases, tenant_id, case_id, record)
    except BaseException:
        _discard(deps, key)
        raise
    if deps.locks is not None and bool(recorded.legal_holds) != held:  # a hold placed or lifted meanwhile
        deps.locks.set_legal_hold(deps.packets_bucket, key, bool(recorded.legal_holds))
    return packet


def _lock(deps: PacketDeps, case: Case, key: str, now: datetime) -> bool:
    """Lock the new packet as the tenant's retention policy and the case's holds say; True if held."""
    if deps.locks is None or deps.retention_days is None:
        return False
    lock = packet_lock(case, deps.retention_days(case.tenant_id), now)
    deps.locks.lock(deps.packets_bucket, key, lock.retain_until, lock.legal_hold)
    return lock.legal_hold


def _statement_pending(events: Sequence[Any], now: datetime) -> bool:
    """Today's statement of account is not in a packet yet (an earlier attempt made it, then failed)."""
    for event in reversed(events):
        if event.type == "packet.assembled":
            return False
        if event.type == "document.generated" and event.data.get("kind") == DocumentKind.STATEMENT_OF_ACCOUNT:
            return bool(event.at.date() == now.date())
    return False


def _discard(deps: PacketDeps, key: str) -> None:
    if deps.discard is None:
        return
    try:
        deps.discard(deps.packets_bucket, key)
    except Exception:  # the next attempt skips a version this leaves behind
        logger.exception("could not delete an unrecorded packet", extra={"key": key})


def recorded_packets(events: Sequence[Any]) -> list[Packet]:
    return [Packet(**e.data) for e in events if e.type == "packet.assembled"]


def latest_packet(deps: PacketDeps, tenant_id: str, case_id: str) -> Packet:
    case = deps.documents.cases.get(tenant_id, case_id)  # 404 for another tenant's case
    if case.erasure is not None:
        raise NotFoundError(f"the packets of case {case_id} were erased with its personal data")
    packets = recorded_packets(deps.documents.cases.all_events(tenant_id, case_id))
    if not packets:
        raise NotFoundError(f"case {case_id} has no packet yet")
    return max(packets, key=lambda p: p.version)


def download(deps: PacketDeps, tenant_id: str, case_id: str, actor: str, seconds: int, now: datetime) -> str:
    """A short-lived link to the latest packet; the download itself goes on the timeline."""
    packet = latest_packet(deps, tenant_id, case_id)
    filename = f"{case_id}-packet-v{packet.version}.zip"
    url = deps.download_url(deps.packets_bucket, packet.key, seconds, filename)
    data = {"version": packet.version, "sha256": packet.sha256}
    update_case(
        deps.documents.cases, tenant_id, case_id, lambda c: c.record("packet.downloaded", actor, now, data)
    )
    return url


def packet_breaks(
    read_chunks: Callable[[str, str], Iterator[bytes]], bucket: str, packets: Sequence[Packet]
) -> list[tuple[int, str]]:
    """(version, reason) for each packet whose stored bytes no longer match its recorded hash."""
    breaks = []
    for packet in packets:
        digest = hashlib.sha256()
        try:
            for chunk in read_chunks(bucket, packet.key):
                digest.update(chunk)
        except NotFoundError:
            breaks.append((packet.version, "packet object is missing"))
            continue
        if digest.hexdigest() != packet.sha256:
            breaks.append((packet.version, "packet bytes differ from the hash on the timeline"))
    return breaks


def verify(deps: PacketDeps, caller: Principal, case_id: str) -> Verification:
    """The timeline's hash chain and every packet's bytes against the hash recorded for it."""
    verification = verify_case(deps.documents.cases, caller, case_id)
    assert caller.tenant_id
    if verification.erased:  # its packets were deleted with its personal data, as its timeline records
        return verification
    packets = recorded_packets(deps.documents.cases.all_events(caller.tenant_id, case_id))
    breaks = [
        ChainBreak(0, f"packet v{v}: {reason}")
        for v, reason in packet_breaks(deps.read_chunks, deps.packets_bucket, packets)
    ]
    return replace(verification, breaks=[*verification.breaks, *breaks], packets=len(packets))
