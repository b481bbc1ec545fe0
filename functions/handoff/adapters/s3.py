"""S3: presigned uploads and downloads, object metadata, streamed reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from handoff.domain.errors import NotFoundError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class ObjectLockedError(Exception):
    """An object could not be deleted: locked beyond what the caller may bypass, or refused."""


@dataclass(frozen=True)
class UploadTicket:
    url: str
    fields: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str | None


class S3Storage:
    def __init__(self, client: S3Client):
        self._s3 = client

    def upload_ticket(
        self, bucket: str, key: str, content_type: str, size: int, seconds: int
    ) -> UploadTicket:
        """A presigned POST that S3 itself holds to this content type and exact size."""
        post = self._s3.generate_presigned_post(
            Bucket=bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
            ExpiresIn=seconds,
        )
        return UploadTicket(post["url"], post["fields"], datetime.now(UTC) + timedelta(seconds=seconds))

    def download_url(self, bucket: str, key: str, seconds: int, filename: str | None = None) -> str:
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{filename}"'
        url: str = self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
        return url

    def head(self, bucket: str, key: str) -> StoredObject | None:
        try:
            head = self._s3.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return StoredObject(head["ContentLength"], head.get("ContentType"))

    def chunks(self, bucket: str, key: str, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        try:
            body = self._s3.get_object(Bucket=bucket, Key=key)["Body"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                raise NotFoundError(f"s3://{bucket}/{key} not found") from exc
            raise
        yield from body.iter_chunks(chunk_size)

    def put(self, bucket: str, key: str, content: bytes, content_type: str) -> None:
        self._s3.put_object(
            Bucket=bucket, Key=key, Body=content, ContentType=content_type, ChecksumAlgorithm="CRC32"
        )

    def delete(self, bucket: str, key: str) -> None:
        self._s3.delete_object(Bucket=bucket, Key=key)

    def lock(self, bucket: str, key: str, retain_until: datetime | None, legal_hold: bool) -> None:
        """Object Lock on a packet: retention until `retain_until`, and a legal hold.

        Governance mode, never compliance: the retention function (alone granted
        s3:BypassGovernanceRetention) must be able to erase a packet on request (docs/deploy.md).
        """
        if retain_until is not None:
            self._s3.put_object_retention(
                Bucket=bucket, Key=key, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": retain_until}
            )
        if legal_hold:
            self.set_legal_hold(bucket, key, True)

    def set_legal_hold(self, bucket: str, key: str, on: bool, version_id: str | None = None) -> None:
        pin = {"VersionId": version_id} if version_id else {}
        self._s3.put_object_legal_hold(
            Bucket=bucket,
            Key=key,
            LegalHold={"Status": "ON" if on else "OFF"},
            **pin,  # type: ignore[arg-type]
        )

    def erase_prefix(self, bucket: str, prefix: str, locked: bool = False) -> int:
        """Delete every version and delete marker under `prefix`; the number of versions deleted.

        `locked` (the packets bucket): governance-mode retention is bypassed, and a legal hold left
        on an object (its case is no longer held: the caller checked) is lifted first.
        """
        versions: list[dict[str, str]] = []
        markers: list[dict[str, str]] = []
        for page in self._s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
            versions += [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", [])]
            markers += [{"Key": m["Key"], "VersionId": m["VersionId"]} for m in page.get("DeleteMarkers", [])]
        entries = versions + markers
        for start in range(0, len(entries), 1000):
            batch = entries[start : start + 1000]
            refused = self._delete_versions(bucket, batch, locked)
            if refused and locked:
                for entry in refused:
                    self.set_legal_hold(bucket, entry["Key"], False, entry["VersionId"])
                refused = self._delete_versions(bucket, refused, locked)
            if refused:
                raise ObjectLockedError(f"{len(refused)} versions under s3://{bucket}/{prefix} are locked")
        return len(versions)

    def _delete_versions(
        self, bucket: str, entries: list[dict[str, str]], locked: bool
    ) -> list[dict[str, str]]:
        """Delete these versions; those refused as locked (AccessDenied) are returned."""
        extra = {"BypassGovernanceRetention": True} if locked else {}
        result = self._s3.delete_objects(
            Bucket=bucket,
            Delete={"Objects": entries, "Quiet": True},  # type: ignore[typeddict-item]
            **extra,  # type: ignore[arg-type]
        )
        errors = result.get("Errors", [])
        other = [e.get("Code") for e in errors if e.get("Code") != "AccessDenied"]
        if other:
            raise ObjectLockedError(f"could not delete objects in s3://{bucket}: {other[0]}")
        refused = {(e["Key"], e.get("VersionId")) for e in errors}
        return [
            entry
            for entry in entries
            if (entry["Key"], entry["VersionId"]) in refused or (entry["Key"], None) in refused
        ]
