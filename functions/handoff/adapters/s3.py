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
