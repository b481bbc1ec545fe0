"""Evidence packets: a ZIP streamed from S3 objects into an S3 multipart upload (DESIGN.md §6).

Members are stored uncompressed (PDFs and images gain little from deflate, and it costs
about 5x the time) with stream-zip's streamed no-compression method, which needs each
member's size and CRC32 before its bytes. Sizes come from ``HeadObject``; the CRC32 from
the object's stored full-object checksum (``ChecksumMode="ENABLED"``) or, for an object
without one, from one extra streaming read. stream-zip re-checks both while the bytes
pass through and raises if the object changed, which aborts the packet.

Memory does not grow with the packet: the ZIP is cut into parts of ``part_size`` bytes
and each part's buffer is dropped as soon as it is uploaded. While streaming, each
member's SHA-256 and size and the packet's own SHA-256 and CRC32 are computed; the last
member is ``manifest.json``, which lists every file.

Packets are immutable. A packet whose key exists is refused up front (``HeadObject``) and,
against a racing writer, by ``CompleteMultipartUpload`` with ``IfNoneMatch="*"`` (honoured
by S3 and by moto 5.2.5, checked by the integration tests). On any failure the multipart
upload is aborted, so no partial packet ever becomes visible. An upload left open by a
process that died mid-way is aborted by the next attempt at the same key (and, failing
that, by the bucket's ``AbortIncompleteMultipartUpload`` lifecycle rule).
"""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError
from stream_zip import NO_COMPRESSION_32, NO_COMPRESSION_64, MemberFile, stream_zip

from handoff.domain.errors import ConflictError, HandoffError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

MANIFEST_PATH = "manifest.json"
MANIFEST_VERSION = 1
DEFAULT_PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024  # S3's floor for every part but the last
_READ_CHUNK = 1024 * 1024
_ZIP_CHUNK = 64 * 1024
# Below this total the classic (32-bit) ZIP records are used: the widest compatibility with
# the archive tools of partners' desktops. The margin covers headers and the manifest.
_ZIP32_LIMIT = 0xFFFFFFFF - 64 * 1024 * 1024
_FILE_MODE = stat.S_IFREG | 0o644
_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
_RESERVED_METADATA = frozenset({"manifest_version", "files"})


class PacketExistsError(ConflictError):
    """A packet already exists at this key: packets are never rewritten."""


class PacketAssemblyError(HandoffError):
    """The packet could not be assembled; the multipart upload was aborted, nothing was written."""


@dataclass(frozen=True)
class S3Member:
    """A packet member streamed from an S3 object."""

    path: str
    bucket: str
    key: str
    source: str


@dataclass(frozen=True)
class BytesMember:
    """A small packet member held in memory (contact-log CSV, statement, generated documents)."""

    path: str
    content: bytes
    source: str
    modified_at: datetime | None = None


@dataclass(frozen=True)
class PacketResult:
    bucket: str
    key: str
    size: int
    sha256: str
    manifest: dict[str, Any]


@dataclass(frozen=True)
class _PlannedMember:
    path: str
    source: str
    size: int
    crc32: int
    modified_at: datetime
    open_chunks: Callable[[], Iterable[bytes]]


@dataclass
class _Digest:
    sha256: str = ""
    size: int = 0


@dataclass
class _PartWriter:
    """Cuts the ZIP stream into multipart parts; a part's buffer is released once it is sent."""

    client: S3Client
    bucket: str
    key: str
    upload_id: str
    part_size: int
    parts: list[CompletedPartTypeDef] = field(default_factory=list)
    size: int = 0
    _buffer: bytearray = field(default_factory=bytearray)
    _sha256: Any = field(default_factory=hashlib.sha256)
    _crc32: int = 0

    def write(self, chunk: bytes) -> None:
        self._sha256.update(chunk)
        self._crc32 = zlib.crc32(chunk, self._crc32)
        self.size += len(chunk)
        self._buffer += chunk
        if len(self._buffer) >= self.part_size:
            self._send()

    def close(self) -> None:
        if self._buffer or not self.parts:
            self._send()

    @property
    def sha256(self) -> str:
        digest: str = self._sha256.hexdigest()
        return digest

    @property
    def crc32_base64(self) -> str:
        return _crc32_base64(self._crc32)

    def _send(self) -> None:
        number = len(self.parts) + 1
        body, self._buffer = self._buffer, bytearray()
        response = self.client.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=cast("bytes", body),  # botocore sends a bytearray as is: no 8 MiB copy
            ChecksumAlgorithm="CRC32",
        )
        del body
        part: CompletedPartTypeDef = {"PartNumber": number, "ETag": response["ETag"]}
        if "ChecksumCRC32" in response:
            part["ChecksumCRC32"] = response["ChecksumCRC32"]
        self.parts.append(part)


def assemble_packet(
    s3_client: S3Client,
    bucket: str,
    key: str,
    members: Sequence[S3Member | BytesMember],
    metadata: Mapping[str, Any],
    part_size: int = DEFAULT_PART_SIZE,
) -> PacketResult:
    """Stream ``members`` and a closing ``manifest.json`` into a new ZIP object at ``bucket/key``.

    ``metadata`` (case id, packet version, created_at, ...) is copied into the manifest;
    its ``created_at`` (a datetime or ISO 8601 string) also dates the in-memory members.
    Raises ``PacketExistsError`` when the key exists and ``PacketAssemblyError`` when a
    member cannot be read or changes while read; in both cases nothing is written.
    """
    if part_size < MIN_PART_SIZE:
        raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes (S3's minimum part size)")
    _check_paths(members)
    created_at = _created_at(metadata)
    metadata = _normalized_metadata(metadata)
    if _exists(s3_client, bucket, key):
        raise PacketExistsError(f"packet s3://{bucket}/{key} already exists")

    try:
        planned = [_plan(s3_client, member, created_at) for member in members]
    except ClientError as exc:
        raise PacketAssemblyError(f"cannot read a packet member: {_error_code(exc)}") from exc

    _abort_abandoned(s3_client, bucket, key)
    upload_id = s3_client.create_multipart_upload(
        Bucket=bucket,
        Key=key,
        ContentType="application/zip",
        ChecksumAlgorithm="CRC32",
        ChecksumType="FULL_OBJECT",
    )["UploadId"]
    try:
        writer = _PartWriter(s3_client, bucket, key, upload_id, part_size)
        manifest: dict[str, Any] = {}
        zip64 = sum(p.size for p in planned) >= _ZIP32_LIMIT
        for chunk in stream_zip(_zip_members(planned, metadata, created_at, manifest, zip64), _ZIP_CHUNK):
            writer.write(chunk)
        writer.close()
        _complete(s3_client, bucket, key, upload_id, writer)
    except BaseException as exc:
        _abort(s3_client, bucket, key, upload_id)
        if isinstance(exc, ClientError):
            raise PacketAssemblyError(f"packet assembly failed: {_error_code(exc)}") from exc
        if isinstance(exc, ValueError):  # stream-zip's integrity errors: a member changed while read
            raise PacketAssemblyError(f"packet assembly failed: {type(exc).__name__}") from exc
        raise
    return PacketResult(bucket=bucket, key=key, size=writer.size, sha256=writer.sha256, manifest=manifest)


def _complete(client: S3Client, bucket: str, key: str, upload_id: str, writer: _PartWriter) -> None:
    """Make the packet visible, only if no object holds the key (a racing writer wins)."""
    try:
        client.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": writer.parts},
            ChecksumCRC32=writer.crc32_base64,
            ChecksumType="FULL_OBJECT",
            IfNoneMatch="*",
        )
    except ClientError as exc:
        if _error_code(exc) in {"PreconditionFailed", "ConditionalRequestConflict"}:
            raise PacketExistsError(f"packet s3://{bucket}/{key} already exists") from exc
        raise


def _zip_members(
    planned: Sequence[_PlannedMember],
    metadata: Mapping[str, Any],
    created_at: datetime,
    manifest: dict[str, Any],
    zip64: bool,
) -> Iterator[MemberFile]:
    """Yield stream-zip members; the manifest is built once every other member was streamed."""
    method = NO_COMPRESSION_64 if zip64 else NO_COMPRESSION_32
    digests: list[_Digest] = []
    for member in planned:
        digest = _Digest()
        digests.append(digest)
        yield (
            member.path,
            _zip_time(member.modified_at),
            _FILE_MODE,
            method(member.size, member.crc32),
            _hashed(member.open_chunks(), digest),
        )
    manifest.update(_manifest(planned, digests, metadata))
    content = json.dumps(manifest, indent=2, ensure_ascii=False, default=_json_default).encode() + b"\n"
    yield (
        MANIFEST_PATH,
        _zip_time(created_at),
        _FILE_MODE,
        method(len(content), zlib.crc32(content)),
        (content,),
    )


def _manifest(
    planned: Sequence[_PlannedMember], digests: Sequence[_Digest], metadata: Mapping[str, Any]
) -> dict[str, Any]:
    files = []
    for member, digest in zip(planned, digests, strict=True):
        if digest.size != member.size:  # stream-zip raises first; this guards the manifest itself
            raise PacketAssemblyError(f"member {member.path} changed size while read")
        files.append(
            {
                "path": member.path,
                "size": digest.size,
                "sha256": digest.sha256,
                "source": member.source,
                "modified_at": member.modified_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            }
        )
    return {"manifest_version": MANIFEST_VERSION, **metadata, "files": files}


def _hashed(chunks: Iterable[bytes], digest: _Digest) -> Iterator[bytes]:
    sha = hashlib.sha256()
    size = 0
    for chunk in chunks:
        sha.update(chunk)
        size += len(chunk)
        yield chunk
    digest.sha256 = sha.hexdigest()
    digest.size = size


def _plan(client: S3Client, member: S3Member | BytesMember, created_at: datetime) -> _PlannedMember:
    if isinstance(member, BytesMember):
        content = member.content
        return _PlannedMember(
            path=member.path,
            source=member.source,
            size=len(content),
            crc32=zlib.crc32(content),
            modified_at=member.modified_at or created_at,
            open_chunks=lambda: (content,),
        )
    head = client.head_object(Bucket=member.bucket, Key=member.key, ChecksumMode="ENABLED")
    # Pin every read to the version (or ETag) just inspected: a replaced object fails the read.
    pin: dict[str, str] = {"IfMatch": head["ETag"]}
    if head.get("VersionId") and head.get("VersionId") != "null":
        pin["VersionId"] = head["VersionId"]

    def open_chunks() -> Iterator[bytes]:
        return _read_object(client, member.bucket, member.key, pin)

    crc32 = _stored_crc32(head)
    if crc32 is None:
        crc32 = 0
        for chunk in open_chunks():
            crc32 = zlib.crc32(chunk, crc32)
    return _PlannedMember(
        path=member.path,
        source=member.source,
        size=head["ContentLength"],
        crc32=crc32,
        modified_at=head["LastModified"],
        open_chunks=open_chunks,
    )


def _read_object(client: S3Client, bucket: str, key: str, pin: Mapping[str, str]) -> Iterator[bytes]:
    body = client.get_object(Bucket=bucket, Key=key, **pin)["Body"]  # type: ignore[arg-type]
    try:
        yield from body.iter_chunks(_READ_CHUNK)
    finally:
        body.close()


def _stored_crc32(head: Mapping[str, Any]) -> int | None:
    """The object's full-object CRC32, or None when it has none (or only a composite one)."""
    value = head.get("ChecksumCRC32")
    if not value or head.get("ChecksumType", "FULL_OBJECT") != "FULL_OBJECT" or "-" in value:
        return None
    raw = base64.b64decode(value)
    return int.from_bytes(raw, "big") if len(raw) == 4 else None


def _crc32_base64(crc32: int) -> str:
    return base64.b64encode(crc32.to_bytes(4, "big")).decode()


def _exists(client: S3Client, bucket: str, key: str) -> bool:
    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if _error_code(exc) in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise
    return True


def _abort_abandoned(client: S3Client, bucket: str, key: str) -> None:
    """Abort uploads to this key that an earlier attempt left open (it died before it could abort).

    A packet key belongs to one case version, written by one step at a time; an open upload
    to it is a dead attempt's, which the lifecycle rule would otherwise keep for a day.
    """
    listed = client.list_multipart_uploads(Bucket=bucket, Prefix=key)
    for upload in listed.get("Uploads", []):
        if upload.get("Key") == key:
            _abort(client, bucket, key, upload["UploadId"])


def _abort(client: S3Client, bucket: str, key: str, upload_id: str) -> None:
    try:
        client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    except Exception:
        from handoff.observability import logger

        logger.exception("could not abort a packet upload", extra={"upload_id": upload_id})


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


def _check_paths(members: Sequence[S3Member | BytesMember]) -> None:
    seen: set[str] = set()
    for member in members:
        path = member.path
        parts = path.split("/")
        if (
            not path
            or path.startswith("/")
            or "\\" in path
            or any(part in {"", ".", ".."} for part in parts)
            or path == MANIFEST_PATH
        ):
            raise ValueError(f"invalid packet path {path!r}")
        if path in seen:
            raise ValueError(f"duplicate packet path {path!r}")
        seen.add(path)


def _normalized_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata as it will read in manifest.json (datetimes as ISO 8601 UTC, decimals as strings)."""
    reserved = _RESERVED_METADATA & set(metadata)
    if reserved:
        raise ValueError(f"metadata may not set {sorted(reserved)}")
    normalized: dict[str, Any] = json.loads(json.dumps(dict(metadata), default=_json_default))
    return normalized


def _created_at(metadata: Mapping[str, Any]) -> datetime:
    value = metadata.get("created_at")
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value)
    else:
        moment = datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _zip_time(moment: datetime) -> datetime:
    return max(moment.astimezone(UTC), _ZIP_EPOCH)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date | Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
