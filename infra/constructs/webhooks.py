"""Outbound webhooks: case events → SQS → webhook_sender, with a dead-letter queue.

Mirrors the local runtime (`handoff.local.aws.LocalAws.provision`): one queue carries both case
events and delayed delivery orders (retries, replays; see `handoff.services.webhooks`). The
sender sends a delivery whose attempts are exhausted to the dead-letter queue itself; the
redrive policy catches messages the sender could not process at all (table, KMS or SQS failing).

Every function that changes cases publishes (inside `case_repository()`): it gets
`OUTBOUND_QUEUE_URL` and may send to the queue, and nothing else of it.

The functions that judge endpoint addresses (registration, delivery) are told explicitly that a
deployed stack never delivers to loopback: `ALLOW_LOOPBACK_WEBHOOKS=false` (a required setting;
only the local runtime sets it true, for its demo receivers).
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from handoff import catalog
from infra.constructs.data import Data
from infra.constructs.functions import NEEDS, TableAccess
from infra.constructs.queues import consumes, queue_with_dead_letters

SENDER = "webhook_sender"
MAX_RECEIVES = 5
ADDRESS_JUDGES = ("business_api", SENDER)  # register endpoints / deliver to them


def case_writers() -> set[str]:
    """Functions that may write the table: any of them may change a case, and so publish."""
    return {name for name, needs in NEEDS.items() if needs.table is TableAccess.READ_WRITE} - {SENDER}


class OutboundWebhooks(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: Data,
        functions: Mapping[str, lambda_.Function],
        sender_concurrency: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.queue, self.dead_letter_queue = queue_with_dead_letters(
            self,
            "Events",
            "DeadLetters",
            key=data.messages_key,
            consumer_timeout_s=catalog.function(SENDER).timeout_s,
            max_receives=MAX_RECEIVES,
            what="outbound webhooks",
        )
        for name in sorted(case_writers() | {SENDER}):
            functions[name].add_environment("OUTBOUND_QUEUE_URL", self.queue.queue_url)
            self._may_send(functions[name], self.queue, data)
        for name in ADDRESS_JUDGES:
            functions[name].add_environment("ALLOW_LOOPBACK_WEBHOOKS", "false")
        sender = functions[SENDER]
        sender.add_environment("OUTBOUND_DEAD_LETTER_QUEUE_URL", self.dead_letter_queue.queue_url)
        self._may_send(sender, self.dead_letter_queue, data)
        sender.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=10,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
                max_concurrency=max(2, sender_concurrency),  # within its reserved concurrency
            )
        )
        consumes(sender, "outbound webhooks")

    @staticmethod
    def _may_send(function: lambda_.Function, queue: sqs.IQueue, data: Data) -> None:
        """SendMessage(Batch) to `queue`, and the queue key's data keys; no wildcard actions."""
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.queue_arn])
        )
        data.messages_key.grant(function, "kms:GenerateDataKey", "kms:Decrypt")
