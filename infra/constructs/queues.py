"""An encrypted, TLS-only SQS queue with its dead-letter queue: the pattern every event source uses."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from infra.checkov_skips import skip
from infra.nag import acknowledge

QUEUE_CONSUMER = (
    "Its queue invokes it (an SQS event source), not an asynchronous invoke: a message it fails on "
    "returns to the queue and, after the queue's receive limit, goes to the queue's own dead-letter "
    "queue (redrive policy); a Lambda DLQ would never be used."
)


def queue_with_dead_letters(
    scope: Construct,
    queue_id: str,
    dead_letters_id: str,
    *,
    key: kms.IKey,
    consumer_timeout_s: int,
    max_receives: int,
    what: str,
) -> tuple[sqs.Queue, sqs.Queue]:
    """(queue, dead-letter queue). Visibility timeout: six times the consumer's (Lambda's guidance)."""
    dead_letters = sqs.Queue(
        scope,
        dead_letters_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    acknowledge(dead_letters, "SQS3", f"This queue is the {what} dead-letter queue.")
    queue = sqs.Queue(
        scope,
        queue_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        visibility_timeout=Duration.seconds(6 * consumer_timeout_s),
        retention_period=Duration.days(4),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=max_receives),
    )
    return queue, dead_letters


def consumes(function: IConstruct, queue_name: str) -> None:
    """Record that `function` is fed by an SQS event source (checkov's Lambda DLQ check)."""
    skip(function, "CKV_AWS_116", f"{QUEUE_CONSUMER} ({queue_name})")
