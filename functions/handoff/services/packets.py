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
from handoff.domain.documents import DocumentKind
from handoff.domain.errors import NotFoundError
from handoff.domain.evidence import EvidenceStatus
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


def assemble(deps: PacketDeps, tenant_id: str, case_id: str, actor: str, now: datetime) -> Packet:
    """Build the next packet version: verified evidence, contact log, statement, documents, manifest."""
    generate_document(
        deps.documents, tenant_id, case_id, DocumentKind.STATEMENT_OF_ACCOUNT, DocumentInputs([]), actor, now
    )
    case = deps.documents.cases.get(tenant_id, case_id)
    version = case.workflow.packet_versions + 1
    members: list[Any] = [
        deps.s3_member(item.path_in_packet, deps.evidence_bucket, item.key, "evidence")
        for item in deps.evidence.list_for_case(tenant_id, case_id)
        if item.status == EvidenceStatus.verified
    ]
    members.append(deps.bytes_member("contact_log.csv", contact_log_csv(case), "contact_log"))
    for document in deps.documents.documents.list_for_case(tenant_id, case_id):
        source = "statement" if document.kind == DocumentKind.STATEMENT_OF_ACCOUNT else "document"
        members.append(
            deps.s3_member(f"documents/{document.filename}", deps.documents.bucket, document.key, source)
        )
    key = packet_key(case, version)
    metadata = {"case_id": case_id, "packet_version": version, "created_at": now.isoformat()}
    result = deps.write(deps.packets_bucket, key, members, metadata)
    packet = Packet(version, key, result.sha256, result.size, len(members) + 1, now.isoformat())

    def record(c: Case) -> None:
        c.workflow.packet_versions = max(c.workflow.packet_versions, version)
        c.record("packet.assembled", actor, now, packet.__dict__)

    update_case(deps.documents.cases, tenant_id, case_id, record)
    return packet


def recorded_packets(events: Sequence[Any]) -> list[Packet]:
    return [Packet(**e.data) for e in events if e.type == "packet.assembled"]


def latest_packet(deps: PacketDeps, tenant_id: str, case_id: str) -> Packet:
    deps.documents.cases.get(tenant_id, case_id)  # 404 for another tenant's case
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
    packets = recorded_packets(deps.documents.cases.all_events(caller.tenant_id, case_id))
    breaks = [
        ChainBreak(0, f"packet v{v}: {reason}")
        for v, reason in packet_breaks(deps.read_chunks, deps.packets_bucket, packets)
    ]
    return replace(verification, breaks=[*verification.breaks, *breaks], packets=len(packets))
