"""Cached boto3 client factories: nothing is created at import, tests patch before first use.

Endpoints come from the standard `AWS_ENDPOINT_URL*` variables, which the local
runtime points at its moto server; on AWS they are unset.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_stepfunctions import SFNClient

    from handoff.adapters.s3 import S3Storage

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=3, read_timeout=20)


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


@cache
def dynamodb() -> DynamoDBClient:
    client: DynamoDBClient = _session().client("dynamodb", config=_CONFIG)
    return client


@cache
def s3() -> S3Client:
    client: S3Client = _session().client(
        "s3", config=_CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    )
    return client


@cache
def stepfunctions() -> SFNClient:
    client: SFNClient = _session().client("stepfunctions", config=_CONFIG)
    return client


@cache
def sqs() -> SQSClient:
    client: SQSClient = _session().client("sqs", config=_CONFIG)
    return client


@cache
def kms() -> KMSClient:
    client: KMSClient = _session().client("kms", config=_CONFIG)
    return client


@cache
def lambda_client() -> LambdaClient:
    client: LambdaClient = _session().client("lambda", config=_CONFIG)
    return client


@cache
def s3_storage() -> S3Storage:
    from handoff.adapters.s3 import S3Storage

    return S3Storage(s3())


# Error codes that mean "AWS is busy or briefly unwell: the same request may work later".
TRANSIENT_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "RequestThrottled",
        "InternalError",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)


def transient_aws_error(exc: BaseException) -> bool:
    """`exc`, or an exception it was raised from, is an AWS call that failed for now, not for good.

    botocore has already retried it (standard mode): what reaches the caller outlasted those retries.
    """
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    seen: BaseException | None = exc
    for _ in range(10):  # a chain of causes, however wrapped (idempotency, packet assembly)
        if seen is None:
            return False
        if isinstance(seen, ConnectionError | HTTPClientError):
            return True
        if isinstance(seen, ClientError):
            error = seen.response.get("Error", {})
            status = seen.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            return error.get("Code") in TRANSIENT_ERROR_CODES or status in (429, 500, 502, 503, 504)
        seen = seen.__cause__ or seen.__context__
    return False


def reset_clients() -> None:
    """Forget cached clients (the local runtime and tests call this after changing endpoints)."""
    for factory in (_session, dynamodb, s3, s3_storage, stepfunctions, sqs, kms, lambda_client):
        factory.cache_clear()
