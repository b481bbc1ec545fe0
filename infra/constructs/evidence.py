"""Evidence uploads: S3 object-created notifications → SQS → evidence_verifier, with a DLQ.

Mirrors what the local runtime provisions (`handoff.local.aws.LocalAws.provision`): the same
prefix, the same three receives before a message goes to the dead-letter queue.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from handoff import catalog
from infra.constructs.data import Data
from infra.nag import acknowledge

EVIDENCE_PREFIX = "evidence/"
MAX_RECEIVES = 3
VERIFIER = "evidence_verifier"


class EvidenceEvents(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, data: Data, verifier: lambda_.Function
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = sqs.Queue(
            self,
            "UploadsDeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=data.messages_key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(self.dead_letter_queue, "SQS3", "This queue is the evidence uploads dead-letter queue.")
        self.queue = sqs.Queue(
            self,
            "Uploads",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=data.messages_key,
            enforce_ssl=True,
            # Lambda's guidance: at least six times the function timeout.
            visibility_timeout=Duration.seconds(6 * catalog.function(VERIFIER).timeout_s),
            retention_period=Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVES
            ),
        )
        data.evidence.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(self.queue),
            s3.NotificationKeyFilter(prefix=EVIDENCE_PREFIX),
        )
        verifier.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=10,
                max_batching_window=Duration.seconds(5),
                report_batch_item_failures=True,
            )
        )
