"""Verify an uploaded file against its declaration: real type by its bytes, size, SHA-256.

The type comes from the file's first bytes (the ``filetype`` package), plus explicit checks
for what filetype does not know: text (CSV, TXT, EML must be valid UTF-8 without control
characters; an EML has RFC 5322 headers) and DOCX (a ZIP whose central directory lists
``word/document.xml``). The content is read once, as a stream, in bounded memory: the
first bytes for the type, a rolling tail for a ZIP's central directory, an incremental
UTF-8 decoder for text, and the SHA-256 of everything. Reading stops past the size limit.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

import filetype

from handoff.domain.evidence import ALLOWED_CONTENT_TYPES
from handoff.services.ports import Inspection

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from handoff.domain.evidence import EvidenceDeclaration

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
OCTET_STREAM = "application/octet-stream"
_HEAD_BYTES = 8192  # what filetype looks at
_TEXT_SAMPLE_BYTES = 64 * 1024  # lines sampled to tell CSV, EML and plain text apart
_TAIL_BYTES = 1024 * 1024  # enough for the central directory of any real DOCX
_READ_CHUNK = 1024 * 1024
# C0 controls other than tab, line feed, form feed and carriage return, DEL and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_HEADER = re.compile(r"^([\x21-\x39\x3b-\x7e]+):")  # RFC 5322 field name: printable ASCII but ':'
_HTML = re.compile(r"^\s*<(!doctype\s+html|html|head|body|script|svg|\?xml)\b", re.IGNORECASE)
# A declared type accepts the detected types listed (a CSV or an email is also plain text).
_ACCEPTS: dict[str, frozenset[str]] = {
    "text/plain": frozenset({"text/plain", "text/csv", "message/rfc822"}),
}


@dataclass(frozen=True)
class InspectionResult:
    status: Literal["verified", "rejected"]
    reason: str | None
    detected_type: str | None
    size: int
    sha256: str | None

    @property
    def verified(self) -> bool:
        return self.status == "verified"


def inspect_content(
    chunks: Iterable[bytes],
    content_type: str,
    size: int,
    sha256: str,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> InspectionResult:
    """Compare streamed content with what was declared; the first failing check gives the reason."""
    if content_type not in ALLOWED_CONTENT_TYPES:
        return _rejected(f"declared type {content_type} is not accepted", None, 0)
    if size > max_bytes:
        return _rejected(f"declared size {size} is over the {_limit(max_bytes)} limit", None, 0)
    scan = _Scan(max_bytes)
    for chunk in chunks:
        if not scan.feed(chunk):
            return _rejected(f"over the {_limit(max_bytes)} limit", None, scan.size)
    detected = scan.detected_type()
    if detected not in _ACCEPTS.get(content_type, frozenset({content_type})):
        return _rejected(f"content is {detected}, declared {content_type}", detected, scan.size)
    if scan.size != size:
        return _rejected(f"size {scan.size} differs from declared {size}", detected, scan.size)
    digest = scan.sha256.hexdigest()
    if digest != sha256.lower():
        return _rejected("sha256 mismatch", detected, scan.size, digest)
    return InspectionResult("verified", None, detected, scan.size, digest)


def detect_type(content: bytes) -> str:
    """The real type of a small file held in memory (tests, generated documents)."""
    scan = _Scan(len(content))
    scan.feed(content)
    return scan.detected_type()


class S3FileInspector:
    """Inspects S3 objects; implements the services' ``Inspector`` port."""

    def __init__(self, client: S3Client, chunk_size: int = _READ_CHUNK):
        self._s3 = client
        self._chunk_size = chunk_size

    def inspect(self, bucket: str, key: str, declaration: EvidenceDeclaration, max_bytes: int) -> Inspection:
        result = self.inspect_object(
            bucket, key, declaration.content_type, declaration.size, declaration.sha256, max_bytes
        )
        return Inspection(verified=result.verified, reason=result.reason, detected_type=result.detected_type)

    def inspect_object(
        self,
        bucket: str,
        key: str,
        content_type: str,
        size: int,
        sha256: str,
        max_bytes: int = MAX_UPLOAD_BYTES,
    ) -> InspectionResult:
        head = self._s3.head_object(Bucket=bucket, Key=key)
        stored = head["ContentLength"]
        if stored > max_bytes:  # refused without reading a byte
            return _rejected(f"over the {_limit(max_bytes)} limit", None, stored)
        return inspect_content(self._chunks(bucket, key, head["ETag"]), content_type, size, sha256, max_bytes)

    def _chunks(self, bucket: str, key: str, etag: str) -> Iterator[bytes]:
        body = self._s3.get_object(Bucket=bucket, Key=key, IfMatch=etag)["Body"]
        try:
            yield from body.iter_chunks(self._chunk_size)
        finally:
            body.close()


@cache
def evidence_inspector() -> S3FileInspector:
    from handoff.adapters.aws import s3

    return S3FileInspector(s3())


class _Scan:
    """One pass over the content: head, rolling tail, UTF-8 check, size, SHA-256."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.head = bytearray()
        self.sample = bytearray()
        self.tail = bytearray()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._text = True

    def feed(self, chunk: bytes) -> bool:
        """Take the next chunk; False once the content is over the limit."""
        self.size += len(chunk)
        if self.size > self.max_bytes:
            return False
        self.sha256.update(chunk)
        if len(self.head) < _HEAD_BYTES:
            self.head += chunk[: _HEAD_BYTES - len(self.head)]
        if len(self.sample) < _TEXT_SAMPLE_BYTES:
            self.sample += chunk[: _TEXT_SAMPLE_BYTES - len(self.sample)]
        self.tail += chunk[-_TAIL_BYTES:]
        if len(self.tail) > _TAIL_BYTES:
            del self.tail[: len(self.tail) - _TAIL_BYTES]
        if self._text:
            self._text = _clean_text(self._decoder, chunk, final=False)
        return True

    def detected_type(self) -> str:
        kind = filetype.guess(bytes(self.head)) if self.head else None
        if kind is not None:
            if kind.mime in {DOCX, ZIP}:
                return DOCX if self._is_docx() else ZIP
            return str(kind.mime)
        if self._text and _clean_text(self._decoder, b"", final=True):
            return _text_type(bytes(self.sample), complete=self.size <= _TEXT_SAMPLE_BYTES)
        return OCTET_STREAM

    def _is_docx(self) -> bool:
        """A ZIP whose central directory (read from the kept tail) lists the Word main part."""
        offset = self.size - len(self.tail)
        try:
            with zipfile.ZipFile(_TailFile(bytes(self.tail), offset, self.size)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, _OutsideTailError, ValueError, EOFError):
            return False
        return "word/document.xml" in names and "[Content_Types].xml" in names


def _clean_text(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool) -> bool:
    try:
        text = decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(text) is None


def _text_type(sample: bytes, complete: bool) -> str:
    """Tell an email, a CSV, markup or a script and plain text apart from the first lines."""
    text = sample.decode("utf-8", errors="ignore").removeprefix("\ufeff")
    lines = text.splitlines()
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut
    if _HTML.match(text):
        return "text/html"
    if text.startswith("#!"):
        return "text/x-script"
    if _is_email(lines):
        return "message/rfc822"
    if _is_csv(lines):
        return "text/csv"
    return "text/plain"


def _is_email(lines: list[str]) -> bool:
    """An RFC 5322 header section: fields (folded lines allowed) up to a blank line, with From and Date."""
    names: set[str] = set()
    for index, line in enumerate(lines):
        if not line:
            break
        if line[0] in " \t" and index > 0:
            continue
        match = _HEADER.match(line)
        if match is None:
            return False
        names.add(match.group(1).lower())
    return {"from", "date"} <= names


def _is_csv(lines: list[str]) -> bool:
    """At least two columns, with the most common field count on most rows."""
    rows = [line for line in lines if line.strip()]
    if not rows:
        return False
    try:
        counts = Counter(len(row) for row in csv.reader(io.StringIO("\n".join(rows))))
    except csv.Error:
        return False
    columns, rows_with_columns = counts.most_common(1)[0]
    return columns >= 2 and rows_with_columns * 10 >= sum(counts.values()) * 8


class _OutsideTailError(ValueError):
    pass


class _TailFile(io.RawIOBase):
    """A read-only file of ``size`` bytes of which only the tail is known (enough for zipfile's
    central directory); reading anywhere else raises."""

    def __init__(self, tail: bytes, offset: int, size: int):
        self._tail = tail
        self._offset = offset
        self._size = size
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(base + offset, 0)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        end = self._size if size is None or size < 0 else min(self._position + size, self._size)
        if self._position >= end:
            return b""
        if self._position < self._offset:
            raise _OutsideTailError("read before the kept tail")
        data = self._tail[self._position - self._offset : end - self._offset]
        self._position = end
        return data


def _rejected(reason: str, detected: str | None, size: int, sha256: str | None = None) -> InspectionResult:
    return InspectionResult("rejected", reason, detected, size, sha256)


def _limit(max_bytes: int) -> str:
    mib, rest = divmod(max_bytes, 1024 * 1024)
    return f"{mib} MiB" if rest == 0 else f"{max_bytes}-byte"
