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
from constructs import Construct

from handoff import catalog
from infra.constructs.data import Data
from infra.constructs.queues import consumes, queue_with_dead_letters

EVIDENCE_PREFIX = "evidence/"
MAX_RECEIVES = 3
VERIFIER = "evidence_verifier"


class EvidenceEvents(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: Data,
        verifier: lambda_.Function,
        verifier_concurrency: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.queue, self.dead_letter_queue = queue_with_dead_letters(
            self,
            "Uploads",
            "UploadsDeadLetters",
            key=data.messages_key,
            consumer_timeout_s=catalog.function(VERIFIER).timeout_s,
            max_receives=MAX_RECEIVES,
            what="evidence uploads",
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
                # No more pollers than the function's reserved concurrency: a throttled batch would
                # count as a receive of each message and dead-letter uploads that were never checked.
                max_concurrency=max(2, verifier_concurrency),
            )
        )
        consumes(verifier, "evidence uploads")
