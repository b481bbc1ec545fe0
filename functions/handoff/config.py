"""Configuration as models: each function reads its environment through one of these.

Required values have no default, so a missing variable fails at the first use with
a clear message instead of silently pointing somewhere else.
"""

import os
from functools import cache
from typing import Annotated, Self

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.retention import MAX_RETENTION_DAYS, MAX_UPLOAD_SECONDS


class _FromEnv(LazyModel):
    model_config = ConfigDict(frozen=True)

    @classmethod
    def from_env(cls) -> Self:
        values = {name: os.environ[name.upper()] for name in cls.model_fields if name.upper() in os.environ}
        return cls.model_validate(values)


class TableSettings(_FromEnv):
    table_name: Annotated[str, Field(description="The single DynamoDB table")]


class ReferenceRateSettings(TableSettings):
    reference_rates_cache_seconds: Annotated[
        float,
        Field(ge=0, le=3600, description="How long a function reuses the recorded fixings it read"),
    ] = 60


@cache
def reference_rate_settings() -> ReferenceRateSettings:
    return ReferenceRateSettings.from_env()


class ApiSettings(TableSettings):
    max_body_bytes: Annotated[int, Field(gt=0, description="Larger request bodies get 413")] = 1024 * 1024


class EvidenceSettings(TableSettings):
    evidence_bucket: Annotated[str, Field(description="S3 bucket for uploaded evidence")]
    max_evidence_bytes: Annotated[int, Field(gt=0, description="Largest evidence file accepted")] = (
        25 * 1024 * 1024
    )
    upload_url_seconds: Annotated[
        int, Field(gt=0, le=MAX_UPLOAD_SECONDS, description="Presigned upload lifetime")
    ] = MAX_UPLOAD_SECONDS


class BusinessApiSettings(ApiSettings, EvidenceSettings):
    auto_start_workflow: Annotated[
        bool, Field(description="Start the case workflow when a case is submitted (off only in some tests)")
    ] = True


class DocumentSettings(ApiSettings):
    documents_bucket: Annotated[str, Field(description="S3 bucket for generated documents")]
    download_url_seconds: Annotated[int, Field(gt=0, le=3600)] = 300


@cache
def api_settings() -> ApiSettings:
    return ApiSettings.from_env()


class PacketSettings(TableSettings):
    """Everything that reads or writes documents, evidence and packets."""

    documents_bucket: Annotated[str, Field(description="S3 bucket for generated documents")]
    evidence_bucket: Annotated[str, Field(description="S3 bucket for uploaded evidence")]
    packets_bucket: Annotated[str, Field(description="S3 bucket for evidence packets")]
    download_url_seconds: Annotated[int, Field(gt=0, le=3600)] = 300


class WorkflowSettings(PacketSettings):
    state_machine_arn: Annotated[str, Field(description="The case workflow state machine")]
    handoff_seconds_per_day: Annotated[
        float, Field(gt=0, description="Length of a workflow day; the local runtime compresses it")
    ] = 86400
    acceptance_days: Annotated[int, Field(ge=1, le=3650, description="Days a partner has to accept")] = 5
    max_partner_tries: Annotated[
        int, Field(ge=1, le=20, description="Partners offered before manual review")
    ] = 3


@cache
def workflow_settings() -> WorkflowSettings:
    return WorkflowSettings.from_env()


class SecretsSettings(_FromEnv):
    secrets_key_id: Annotated[str, Field(description="KMS key that encrypts webhook signing secrets")]


@cache
def secrets_settings() -> SecretsSettings:
    return SecretsSettings.from_env()


class OutboundSettings(TableSettings):
    outbound_queue_url: Annotated[str, Field(description="SQS queue of case events for business webhooks")]


@cache
def outbound_settings() -> OutboundSettings:
    return OutboundSettings.from_env()


class WebhookAddressSettings(_FromEnv):
    """Where business webhooks may go. Required, without a default: each stack says it explicitly."""

    allow_loopback_webhooks: Annotated[
        bool,
        Field(
            description="Accept and deliver to this machine (localhost, 127.0.0.1, ::1; http too): "
            "true only in the local runtime, for its demo receivers; false in every deployed stack"
        ),
    ]


@cache
def webhook_address_settings() -> WebhookAddressSettings:
    return WebhookAddressSettings.from_env()


class WebhookSenderSettings(OutboundSettings, SecretsSettings, WebhookAddressSettings):
    outbound_dead_letter_queue_url: Annotated[
        str, Field(description="Where a delivery goes when its attempts are exhausted")
    ]
    webhook_max_attempts: Annotated[int, Field(ge=1, le=20, description="Attempts before dead")] = 5
    webhook_retry_base_seconds: Annotated[
        float, Field(gt=0, description="Back-off ceiling after the first failure; doubles each time")
    ] = 30
    webhook_retry_cap_seconds: Annotated[
        float, Field(gt=0, le=900, description="Longest back-off (SQS delays are at most 900 s)")
    ] = 900
    webhook_timeout_seconds: Annotated[
        float, Field(gt=0, le=30, description="How long one POST to an endpoint may take")
    ] = 5


@cache
def webhook_sender_settings() -> WebhookSenderSettings:
    return WebhookSenderSettings.from_env()


@cache
def packet_settings() -> PacketSettings:
    return PacketSettings.from_env()


@cache
def business_api_settings() -> BusinessApiSettings:
    return BusinessApiSettings.from_env()


@cache
def evidence_settings() -> EvidenceSettings:
    return EvidenceSettings.from_env()


@cache
def table_settings() -> TableSettings:
    return TableSettings.from_env()


@cache
def document_settings() -> DocumentSettings:
    return DocumentSettings.from_env()


class RetentionSettings(_FromEnv):
    default_retention_days: Annotated[
        int,
        Field(
            ge=0,
            le=MAX_RETENTION_DAYS,
            description="Days after a case ends before its personal data is erased, for tenants "
            "without a policy of their own (the stage's `default_retention_days`)",
        ),
    ]


@cache
def retention_settings() -> RetentionSettings:
    return RetentionSettings.from_env()


class ErasureRequestSettings(RetentionSettings):
    retention_function_name: Annotated[
        str, Field(description="The function that erases a case's personal data (invoked on request)")
    ]


@cache
def erasure_request_settings() -> ErasureRequestSettings:
    return ErasureRequestSettings.from_env()


class RetentionJobSettings(PacketSettings, RetentionSettings):
    """The retention function: the table, the three buckets whose objects it erases, the default."""


@cache
def retention_job_settings() -> RetentionJobSettings:
    return RetentionJobSettings.from_env()
