"""The streaming packet assembler against moto's S3, in-process.

moto's backends are global to the process, and other integration tests run a moto
server in this same process: starting ``mock_aws`` the usual way would reset that
server's state. So the mock starts without resetting and stops without removing data,
and every test works in buckets of its own, which it empties and deletes at the end.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from handoff.adapters import packet_zip
from handoff.adapters.packet_zip import (
    MANIFEST_PATH,
    MIN_PART_SIZE,
    BytesMember,
    PacketAssemblyError,
    PacketExistsError,
    S3Member,
    assemble_packet,
)

pytestmark = pytest.mark.xdist_group("packet")

REGION = "eu-west-2"
CREATED_AT = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
METADATA = {"case_id": "case-0001", "packet_version": 1, "created_at": CREATED_AT}


def _blob(size: int, seed: int) -> bytes:
    """Incompressible-looking but reproducible bytes."""
    block = hashlib.sha256(seed.to_bytes(8, "big")).digest() * 2048  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


class Buckets:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.evidence = f"evidence-{uuid.uuid4().hex[:12]}"
        self.packets = f"packets-{uuid.uuid4().hex[:12]}"
        for name in (self.evidence, self.packets):
            client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})

    def put(self, key: str, body: bytes, *, checksum: bool = True) -> S3Member:
        extra = {"ChecksumAlgorithm": "CRC32"} if checksum else {}
        self.client.put_object(Bucket=self.evidence, Key=key, Body=body, **extra)
        return S3Member(path=f"evidence/{key}", bucket=self.evidence, key=key, source="evidence")

    def packet_bytes(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.packets, Key=key)["Body"].read()
        return body

    def pending_uploads(self) -> list[Any]:
        uploads: list[Any] = self.client.list_multipart_uploads(Bucket=self.packets).get("Uploads", [])
        return uploads

    def packet_keys(self) -> list[str]:
        return [o["Key"] for o in self.client.list_objects_v2(Bucket=self.packets).get("Contents", [])]

    def delete(self) -> None:
        for name in (self.evidence, self.packets):
            for upload in self.client.list_multipart_uploads(Bucket=name).get("Uploads", []):
                self.client.abort_multipart_upload(
                    Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"]
                )
            for obj in self.client.list_objects_v2(Bucket=name).get("Contents", []):
                self.client.delete_object(Bucket=name, Key=obj["Key"])
            self.client.delete_bucket(Bucket=name)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    mock = mock_aws()
    mock.start(reset=False)
    try:
        yield boto3.client("s3", region_name=REGION)
    finally:
        mock.stop(remove_data=False)


@pytest.fixture
def buckets(s3: Any) -> Iterator[Buckets]:
    made = Buckets(s3)
    yield made
    made.delete()


class FaultyClient:
    """The real client, with hooks run before chosen calls (a racing writer, a vanishing object)."""

    def __init__(self, client: Any, **hooks: Any) -> None:
        self._client = client
        self._hooks = hooks
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._client, name)
        hook = self._hooks.get(name)
        if hook is None:
            return target

        def call(**kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            hook(self.calls[name], kwargs)
            return target(**kwargs)

        return call


def _members(buckets: Buckets) -> list[S3Member | BytesMember]:
    return [
        buckets.put("invoice-INV-1001.pdf", b"%PDF-1.7\n" + _blob(3 * 1024 * 1024, 1)),
        buckets.put("signed-terms.pdf", b"%PDF-1.4\n" + _blob(4 * 1024 * 1024 + 17, 2)),
        buckets.put("photo.png", _blob(1500, 3), checksum=False),
        BytesMember(
            "contact-log.csv", b"at,channel,outcome\n2026-06-05T10:00:00Z,email,no_answer\n", "contact_log"
        ),
        BytesMember("statement.txt", "Balance due: £1,250.00\n".encode(), "statement"),
        buckets.put("empty.txt", b""),
    ]


def test_the_manifest_describes_exactly_what_the_zip_holds(buckets: Buckets) -> None:
    # Given evidence objects (with and without stored checksums) and in-memory members
    members = _members(buckets)

    # When they are assembled into a packet with the smallest parts S3 allows
    result = assemble_packet(
        buckets.client, buckets.packets, "case-0001/v1.zip", members, METADATA, MIN_PART_SIZE
    )

    # Then every manifest entry matches the bytes the ZIP holds, and the packet hash the stored object
    stored = buckets.packet_bytes("case-0001/v1.zip")
    assert result.size == len(stored)
    assert result.sha256 == hashlib.sha256(stored).hexdigest()
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        assert archive.testzip() is None  # every member's CRC32 is right
        assert archive.namelist() == [m.path for m in members] + [MANIFEST_PATH]
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        manifest = json.loads(archive.read(MANIFEST_PATH))
        for entry in manifest["files"]:
            content = archive.read(entry["path"])
            assert entry["size"] == len(content)
            assert entry["sha256"] == hashlib.sha256(content).hexdigest()
    assert manifest == result.manifest
    assert [e["path"] for e in manifest["files"]] == [m.path for m in members]
    assert [e["source"] for e in manifest["files"]] == [m.source for m in members]
    assert manifest["case_id"] == "case-0001" and manifest["packet_version"] == 1
    assert manifest["created_at"] == "2026-07-01T09:30:00Z"
    assert manifest["files"][3]["modified_at"] == "2026-07-01T09:30:00Z"
    # and the packet itself carries a full-object CRC32 that S3 checked
    head = buckets.client.head_object(Bucket=buckets.packets, Key="case-0001/v1.zip", ChecksumMode="ENABLED")
    assert head["ContentType"] == "application/zip"
    assert head["ChecksumCRC32"] == packet_zip._crc32_base64(packet_zip.zlib.crc32(stored))
    assert buckets.pending_uploads() == []


def test_members_without_a_stored_checksum_are_read_once_more_for_their_crc32(buckets: Buckets) -> None:
    # Given objects uploaded without any checksum (boto3 adds CRC32 unless told not to)
    plain = boto3.client(
        "s3", region_name=REGION, config=Config(request_checksum_calculation="when_required")
    )
    for index in range(2):
        plain.put_object(
            Bucket=buckets.evidence, Key=f"letter-{index}.pdf", Body=_blob(300_000 + index, index)
        )
    head = plain.head_object(Bucket=buckets.evidence, Key="letter-0.pdf", ChecksumMode="ENABLED")
    assert "ChecksumCRC32" not in head
    members = [
        S3Member(f"evidence/letter-{i}.pdf", buckets.evidence, f"letter-{i}.pdf", "evidence")
        for i in range(2)
    ]

    # When assembled
    result = assemble_packet(buckets.client, buckets.packets, "p.zip", members, METADATA)

    # Then the archive is valid and hashes match
    with zipfile.ZipFile(io.BytesIO(buckets.packet_bytes("p.zip"))) as archive:
        assert archive.testzip() is None
        assert archive.read("evidence/letter-1.pdf") == _blob(300_001, 1)
    assert result.manifest["files"][1]["sha256"] == hashlib.sha256(_blob(300_001, 1)).hexdigest()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ({"ChecksumCRC32": "iH6F8A=="}, 0x887E85F0),
        ({"ChecksumCRC32": "iH6F8A==", "ChecksumType": "FULL_OBJECT"}, 0x887E85F0),
        ({"ChecksumCRC32": "iH6F8A==-3", "ChecksumType": "COMPOSITE"}, None),
        ({"ChecksumCRC32": "iH6F8A==", "ChecksumType": "COMPOSITE"}, None),
        ({}, None),
    ],
)
def test_only_a_full_object_crc32_is_trusted(head: dict[str, str], expected: int | None) -> None:
    assert packet_zip._stored_crc32(head) == expected


def test_an_existing_packet_is_never_overwritten(buckets: Buckets) -> None:
    # Given a packet already stored at the key
    buckets.client.put_object(Bucket=buckets.packets, Key="v1.zip", Body=b"the original packet")

    # When another packet is assembled at the same key, it is refused
    with pytest.raises(PacketExistsError):
        assemble_packet(buckets.client, buckets.packets, "v1.zip", _members(buckets), METADATA)

    # Then the original is intact and nothing is left half-uploaded
    assert buckets.packet_bytes("v1.zip") == b"the original packet"
    assert buckets.pending_uploads() == []


def test_a_writer_that_wins_the_race_is_not_overwritten(buckets: Buckets) -> None:
    # Given a racing writer that stores the key after our existence check, just before we complete
    def racer(_: int, kwargs: dict[str, Any]) -> None:
        buckets.client.put_object(Bucket=kwargs["Bucket"], Key=kwargs["Key"], Body=b"the racer's packet")

    client: Any = FaultyClient(buckets.client, complete_multipart_upload=racer)

    # When we complete, CompleteMultipartUpload's IfNoneMatch refuses
    with pytest.raises(PacketExistsError):
        assemble_packet(client, buckets.packets, "v1.zip", _members(buckets), METADATA)

    # Then the racer's object stands and our upload was aborted
    assert buckets.packet_bytes("v1.zip") == b"the racer's packet"
    assert buckets.pending_uploads() == []


def test_a_member_that_disappears_mid_stream_aborts_the_packet(buckets: Buckets) -> None:
    # Given a packet whose second member is deleted once the first part has been uploaded
    first = buckets.put("big.pdf", _blob(MIN_PART_SIZE + 1024, 7))
    second = buckets.put("gone.pdf", _blob(2048, 8))

    def delete_second(call: int, _: dict[str, Any]) -> None:
        if call == 1:
            buckets.client.delete_object(Bucket=second.bucket, Key=second.key)

    client: Any = FaultyClient(buckets.client, upload_part=delete_second)

    # When assembled, it fails
    with pytest.raises(PacketAssemblyError):
        assemble_packet(client, buckets.packets, "v1.zip", [first, second], METADATA, MIN_PART_SIZE)

    # Then a part had been uploaded, and yet no packet and no pending upload remain
    assert client.calls["upload_part"] >= 1
    assert buckets.packet_keys() == []
    assert buckets.pending_uploads() == []


def test_a_member_replaced_mid_stream_aborts_the_packet(buckets: Buckets) -> None:
    # Given a member replaced (same size, other bytes) after it was inspected
    first = buckets.put("big.pdf", _blob(MIN_PART_SIZE + 1024, 7))
    second = buckets.put("replaced.pdf", _blob(2048, 8))

    def replace_second(call: int, _: dict[str, Any]) -> None:
        if call == 1:
            buckets.put("replaced.pdf", _blob(2048, 9))

    client: Any = FaultyClient(buckets.client, upload_part=replace_second)

    with pytest.raises(PacketAssemblyError):
        assemble_packet(client, buckets.packets, "v1.zip", [first, second], METADATA, MIN_PART_SIZE)

    assert buckets.packet_keys() == []
    assert buckets.pending_uploads() == []


def test_an_unexpected_exception_aborts_the_packet_and_propagates(buckets: Buckets) -> None:
    # Given an upload that breaks on the second part
    members = _members(buckets)

    def explode(call: int, _: dict[str, Any]) -> None:
        if call == 2:
            raise RuntimeError("network gone")

    client: Any = FaultyClient(buckets.client, upload_part=explode)

    with pytest.raises(RuntimeError, match="network gone"):
        assemble_packet(client, buckets.packets, "v1.zip", members, METADATA, MIN_PART_SIZE)

    assert buckets.packet_keys() == []
    assert buckets.pending_uploads() == []


def test_a_missing_member_fails_before_any_upload_starts(buckets: Buckets) -> None:
    missing = S3Member("evidence/nope.pdf", buckets.evidence, "nope.pdf", "evidence")

    with pytest.raises(PacketAssemblyError):
        assemble_packet(buckets.client, buckets.packets, "v1.zip", [missing], METADATA)

    assert buckets.packet_keys() == []
    assert buckets.pending_uploads() == []


@pytest.mark.parametrize(
    "paths",
    [
        ["a.pdf", "a.pdf"],
        ["../escape.pdf"],
        ["/abs.pdf"],
        ["dir//x.pdf"],
        [MANIFEST_PATH],
        ["a\\b.pdf"],
        [""],
    ],
)
def test_unsafe_or_duplicate_paths_are_refused(buckets: Buckets, paths: list[str]) -> None:
    members = [BytesMember(path, b"x", "document") for path in paths]

    with pytest.raises(ValueError, match="path"):
        assemble_packet(buckets.client, buckets.packets, "v1.zip", members, METADATA)

    assert buckets.packet_keys() == []


def test_large_packets_switch_to_zip64_records(buckets: Buckets, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packet_zip, "_ZIP32_LIMIT", 0)
    members = _members(buckets)

    assemble_packet(buckets.client, buckets.packets, "v1.zip", members, METADATA)

    stored = buckets.packet_bytes("v1.zip")
    assert b"PK\x06\x06" in stored[-200:]  # the ZIP64 end of central directory record
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        assert archive.testzip() is None
