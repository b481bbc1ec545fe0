"""Upload verification: the real type by the bytes, then size and SHA-256 against the declaration."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from handoff.adapters.file_inspection import (
    DOCX,
    S3FileInspector,
    detect_type,
    inspect_content,
)
from handoff.domain.evidence import EvidenceDeclaration
from handoff.services.ports import Inspection

MIB = 1024 * 1024


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _docx_by_python_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Invoice INV-1001 remains unpaid.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, f"<xml>{name}</xml>")
    return out.getvalue()


PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"
EML = (
    b"From: Accounts <ap@northwind.example>\r\n"
    b"To: credit@acme.example\r\n"
    b"Date: Fri, 5 Jun 2026 10:00:00 +0000\r\n"
    b"Subject: Re: INV-1001\r\n"
    b"\tfolded continuation\r\n"
    b"Message-ID: <1@northwind.example>\r\n"
    b"\r\n"
    b"We will pay next week.\r\n"
)
CSV = (
    'date,channel,outcome,note\n2026-06-05,email,no_answer,Reminder 1\n2026-06-12,phone,refused,"Said, no"\n'
)
TXT = "Call notes — 5 June 2026\nDebtor promised to pay £1,250.00 by Friday.\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(200)
PE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"PE\x00\x00" + bytes(200)


def _check(content: bytes, content_type: str, chunk_size: int = 7, **overrides: Any) -> Any:
    """Inspect ``content`` in odd-sized chunks, so multibyte characters straddle them."""
    declared: dict[str, Any] = {
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        **overrides,
    }
    chunks = (content[i : i + chunk_size] for i in range(0, len(content), chunk_size))
    return inspect_content(chunks, **declared)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (PDF, "application/pdf"),
        (_png(), "image/png"),
        (JPEG, "image/jpeg"),
        (_docx_by_python_docx(), DOCX),
        (
            _zip(
                [
                    "_rels/.rels",
                    "docProps/app.xml",
                    "word/styles.xml",
                    "[Content_Types].xml",
                    "word/document.xml",
                ]
            ),
            DOCX,
        ),
        (EML, "message/rfc822"),
        (CSV.encode(), "text/csv"),
        (TXT.encode(), "text/plain"),
        ("\ufeff" + TXT, "text/plain"),
        (CSV.encode(), "text/plain"),  # a CSV is plain text too
    ],
)
def test_each_allowed_type_is_verified(content: bytes | str, content_type: str) -> None:
    data = content.encode() if isinstance(content, str) else content

    result = _check(data, content_type)

    assert result.status == "verified", result.reason
    assert result.reason is None
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("content", "declared", "detected"),
    [
        (ELF, "application/pdf", "application/x-executable"),
        (PE, "application/pdf", "application/x-msdownload"),
        (ELF, "text/plain", "application/x-executable"),
        (_zip(["payload.exe"]), DOCX, "application/zip"),
        (_zip(["word/document.xml"]), DOCX, "application/zip"),  # no [Content_Types].xml
        (PDF, "image/png", "application/pdf"),
        (b"\x00\x01\x02binary", "text/plain", "application/octet-stream"),
        (b"caf\xe9 latin-1 is not UTF-8", "text/plain", "application/octet-stream"),
        (b"text with a NUL\x00 inside", "text/csv", "application/octet-stream"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/plain", "text/html"),
        (b"#!/bin/sh\nrm -rf /\n", "text/plain", "text/x-script"),
        (b"Subject: no sender, no date\r\n\r\nbody\r\n", "message/rfc822", "text/plain"),
        (TXT.encode(), "text/csv", "text/plain"),
    ],
)
def test_content_that_is_not_what_was_declared_is_rejected(
    content: bytes, declared: str, detected: str
) -> None:
    result = _check(content, declared)

    assert result.status == "rejected"
    assert result.detected_type == detected
    assert result.reason == f"content is {detected}, declared {declared}"


def test_an_elf_executable_renamed_pdf_is_rejected() -> None:
    assert detect_type(ELF) == "application/x-executable"
    assert (
        _check(ELF, "application/pdf").reason
        == "content is application/x-executable, declared application/pdf"
    )


def test_a_size_other_than_declared_is_rejected() -> None:
    result = _check(PDF, "application/pdf", size=len(PDF) + 10)

    assert result.status == "rejected"
    assert result.reason == f"size {len(PDF)} differs from declared {len(PDF) + 10}"


def test_a_different_sha256_is_rejected() -> None:
    result = _check(PDF, "application/pdf", sha256=hashlib.sha256(b"another file").hexdigest())

    assert result.status == "rejected"
    assert result.reason == "sha256 mismatch"
    assert result.sha256 == hashlib.sha256(PDF).hexdigest()


def test_the_declared_sha256_is_compared_case_insensitively() -> None:
    assert _check(PDF, "application/pdf", sha256=hashlib.sha256(PDF).hexdigest().upper()).verified


def test_a_type_outside_the_allowed_list_is_rejected_even_if_truthful() -> None:
    result = _check(b"GIF89a" + bytes(20), "image/gif")

    assert result.reason == "declared type image/gif is not accepted"


def test_content_over_the_limit_is_rejected_without_reading_it_all() -> None:
    # Given a stream that would go on far past the limit, declared as small
    read = 0

    def endless() -> Iterator[bytes]:
        nonlocal read
        yield b"%PDF-1.7\n"
        while True:
            read += MIB
            yield bytes(MIB)

    # When inspected
    result = inspect_content(endless(), "application/pdf", 1000, "0" * 64)

    # Then it is rejected as soon as it crosses 25 MiB
    assert result.status == "rejected"
    assert result.reason == "over the 25 MiB limit"
    assert read <= 26 * MIB


def test_a_declared_size_over_the_limit_is_rejected_up_front() -> None:
    result = inspect_content(iter(()), "application/pdf", 26 * MIB, "0" * 64)

    assert result.reason == f"declared size {26 * MIB} is over the 25 MiB limit"


def test_a_docx_is_recognised_from_its_central_directory_after_megabytes_of_content() -> None:
    # Given a DOCX whose Word part is far from the start (filetype sees only the first 8 KiB)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("media/image1.bin", bytes(range(256)) * 12_000)  # about 3 MiB, stored
        archive.writestr("word/document.xml", "<w:document/>")
    data = out.getvalue()

    assert _check(data, DOCX, chunk_size=64 * 1024).verified


class FakeBody:
    def __init__(self, content: bytes):
        self._content = content
        self.closed = False
        self.read_bytes = 0

    def iter_chunks(self, chunk_size: int) -> Iterator[bytes]:
        for start in range(0, len(self._content), chunk_size):
            chunk = self._content[start : start + chunk_size]
            self.read_bytes += len(chunk)
            yield chunk

    def close(self) -> None:
        self.closed = True


class FakeS3:
    """Only what the inspector calls: head_object and get_object."""

    def __init__(self, objects: dict[str, bytes]):
        self.objects = objects
        self.bodies: list[FakeBody] = []

    def head_object(self, **kwargs: str) -> dict[str, Any]:
        content = self.objects[kwargs["Key"]]
        return {"ContentLength": len(content), "ETag": f'"{hashlib.md5(content).hexdigest()}"'}

    def get_object(self, **kwargs: str) -> dict[str, Any]:
        assert kwargs["IfMatch"] == self.head_object(**kwargs)["ETag"]
        body = FakeBody(self.objects[kwargs["Key"]])
        self.bodies.append(body)
        return {"Body": body}


def _declaration(content: bytes, content_type: str, filename: str) -> EvidenceDeclaration:
    return EvidenceDeclaration(
        kind="invoice",
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        invoice_number="INV-1001",
    )


def test_the_s3_inspector_answers_the_services_port() -> None:
    s3 = FakeS3({"ok.pdf": PDF, "evil.pdf": ELF})
    inspector = S3FileInspector(s3)  # type: ignore[arg-type]

    ok = inspector.inspect("bucket", "ok.pdf", _declaration(PDF, "application/pdf", "ok.pdf"), 25 * MIB)
    evil = inspector.inspect(
        "bucket", "evil.pdf", _declaration(ELF, "application/pdf", "invoice.pdf"), 25 * MIB
    )

    assert ok == Inspection(verified=True, reason=None, detected_type="application/pdf")
    assert evil == Inspection(
        verified=False,
        reason="content is application/x-executable, declared application/pdf",
        detected_type="application/x-executable",
    )
    assert all(body.closed for body in s3.bodies)


def test_the_s3_inspector_refuses_an_oversized_object_without_reading_it() -> None:
    s3 = FakeS3({"big.pdf": b"%PDF-1.7\n" + bytes(2 * MIB)})
    inspector = S3FileInspector(s3)  # type: ignore[arg-type]

    result = inspector.inspect_object("bucket", "big.pdf", "application/pdf", 100, "0" * 64, max_bytes=MIB)

    assert result.reason == "over the 1 MiB limit"
    assert s3.bodies == []
