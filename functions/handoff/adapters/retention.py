"""Retention adapters: the index of cases due for erasure and in-place redaction of timeline events
(DynamoDB), and a business's erasure request handed to the retention function (Lambda), the only
function allowed to delete stored objects.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from handoff.adapters.aws import dynamodb, lambda_client
from handoff.adapters.dynamodb import retention_partition
from handoff.adapters.dynamodb_items import case_pk, to_item
from handoff.config import erasure_request_settings, table_settings
from handoff.domain.errors import ErasureRefusedError, NotFoundError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_lambda import LambdaClient

    from handoff.domain.case import CaseEvent


class DynamoRetention:
    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def due(self, tenant_id: str, ended_before: datetime) -> list[str]:
        """Ids of the tenant's unheld, unerased cases that ended at or before `ended_before`, oldest first."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :pk AND gsi2sk < :cutoff",
            ExpressionAttributeValues=to_item(
                {
                    ":pk": retention_partition(tenant_id),
                    ":cutoff": f"{ended_before.astimezone(UTC).isoformat()}#~",
                }
            ),
            ProjectionExpression="case_id",
        )
        return [item["case_id"]["S"] for page in pages for item in page.get("Items", [])]

    def redact_event(self, tenant_id: str, case_id: str, event: CaseEvent, data: dict[str, Any]) -> None:
        """Replace an event's data by its redacted form; only if the event is still the one read."""
        self._db.update_item(
            TableName=self._table,
            Key=to_item({"pk": case_pk(tenant_id, case_id), "sk": f"EVENT#{event.seq:09d}"}),
            UpdateExpression="SET #data = :data",
            ConditionExpression="#hash = :hash",
            ExpressionAttributeNames={"#data": "data", "#hash": "hash"},
            ExpressionAttributeValues=to_item(
                {":data": json.dumps(data, sort_keys=True, ensure_ascii=False), ":hash": event.hash}
            ),
        )


class LambdaEraser:
    """Eraser: asks the retention function to erase one case now, and maps its answer back to errors."""

    def __init__(self, client: LambdaClient, function_name: str):
        self._lambda = client
        self._function = function_name

    def erase(self, tenant_id: str, case_id: str, actor: str) -> None:
        command = {"erase": {"tenant_id": tenant_id, "case_id": case_id, "actor": actor}}
        response = self._lambda.invoke(FunctionName=self._function, Payload=json.dumps(command).encode())
        answer = json.loads(response["Payload"].read() or b"{}")
        if response.get("FunctionError"):
            raise RuntimeError(f"the retention function failed: {answer.get('errorType', 'unknown error')}")
        error = answer.get("error")
        if error == "not_found":
            raise NotFoundError(f"case {case_id} not found")
        if error == "erasure_refused":
            raise ErasureRefusedError(answer["reason"], answer["detail"])
        if error is not None:
            raise RuntimeError(f"the retention function refused the erasure: {error}")


@cache
def retention_store() -> DynamoRetention:
    return DynamoRetention(dynamodb(), table_settings().table_name)


@cache
def eraser() -> LambdaEraser:
    return LambdaEraser(lambda_client(), erasure_request_settings().retention_function_name)


def reset_retention() -> None:
    retention_store.cache_clear()
    eraser.cache_clear()
