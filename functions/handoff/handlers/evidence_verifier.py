"""S3 upload notifications (through SQS) → check each evidence object against its declaration."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from handoff.adapters.dynamodb import case_repository, evidence_repository
from handoff.adapters.file_inspection import evidence_inspector
from handoff.config import evidence_settings
from handoff.domain.clock import utcnow
from handoff.handlers.wiring import workflow_deps
from handoff.observability import logger, tracer
from handoff.services.evidence import verify_upload
from handoff.services.workflow import release_if_ready

processor = BatchProcessor(event_type=EventType.SQS)


def _uploads(record: SQSRecord) -> list[tuple[str, str]]:
    """(bucket, key) of every object-created notification in one SQS message."""
    notification = json.loads(record.body)
    return [
        (r["s3"]["bucket"]["name"], unquote_plus(r["s3"]["object"]["key"]))
        for r in notification.get("Records", [])
        if r.get("eventName", "").startswith("ObjectCreated")
    ]


def check_record(record: SQSRecord) -> None:
    settings = evidence_settings()
    for bucket, key in _uploads(record):
        checked = verify_upload(
            case_repository(),
            evidence_repository(),
            evidence_inspector(),
            bucket,
            key,
            settings.max_evidence_bytes,
            utcnow(),
        )
        if checked is not None:
            logger.info(
                "evidence checked", extra={"evidence_id": checked.evidence_id, "status": checked.status}
            )
            release_if_ready(workflow_deps(), checked.tenant_id, checked.case_id, utcnow())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=check_record, processor=processor, context=context
    )
    return dict(response)
