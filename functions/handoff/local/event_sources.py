"""What Lambda's SQS event source mapping does, for the local runtime.

A thread per mapping receives batches from the queue, invokes the function with
an SQS event, and deletes the messages it did not report as failed (partial batch
responses); failed ones come back after their visibility timeout and, after the
queue's redrive policy's max receives, go to its dead-letter queue — all in moto.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from handoff.local.aws import ACCOUNT, REGION, invoke_local

logger = logging.getLogger(__name__)


@dataclass
class SqsMapping:
    queue_url: str
    function_name: str
    batch_size: int = 10
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self, sqs: Any) -> SqsMapping:
        self._thread = threading.Thread(
            target=self._run, args=(sqs,), daemon=True, name=f"sqs-{self.function_name}"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self, sqs: Any) -> None:
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{self.queue_url.rsplit('/', 1)[-1]}"
        while not self._stop.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=self.queue_url,
                    MaxNumberOfMessages=self.batch_size,
                    WaitTimeSeconds=1,
                    MessageSystemAttributeNames=["All"],
                ).get("Messages", [])
            except Exception:  # the server is shutting down
                if self._stop.wait(0.5):
                    return
                continue
            if messages:
                self._deliver(sqs, arn, messages)

    def _deliver(self, sqs: Any, arn: str, messages: list[dict[str, Any]]) -> None:
        event = {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": m.get("MessageAttributes", {}),
                    "md5OfBody": m.get("MD5OfBody", ""),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": arn,
                    "awsRegion": REGION,
                }
                for m in messages
            ]
        }
        try:
            result = invoke_local(self.function_name, event) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception as exc:  # the whole batch failed: every message comes back later
            logger.warning("%s failed on a batch: %s: %s", self.function_name, type(exc).__name__, exc)
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
