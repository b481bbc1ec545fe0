"""Recorded reference-rate fixings in the single table (see docs/data-model.md).

One item per fixing: `RATES` / `<series>#<effective_from>`, the fixing as JSON (with the values it
replaced) and a `revision` counter that guards every write. All fixings are one partition: a few
hundred items at most, read in one query.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from handoff.adapters.aws import dynamodb
from handoff.adapters.dynamodb_items import from_item, to_item
from handoff.config import table_settings
from handoff.domain.reference_rates import RecordedFixing
from handoff.services.ports import ConcurrentUpdateError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RATES_PK = "RATES"


def fixing_sk(series: str, effective_from: date) -> str:
    return f"{series}#{effective_from.isoformat()}"


class DynamoReferenceRates:
    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def all(self) -> list[RecordedFixing]:
        return self._query(None)

    def of_series(self, series: str) -> list[RecordedFixing]:
        return self._query(f"{series}#")

    def get(self, series: str, effective_from: date) -> RecordedFixing | None:
        item = self._db.get_item(
            TableName=self._table,
            Key=to_item({"pk": RATES_PK, "sk": fixing_sk(series, effective_from)}),
            ConsistentRead=True,
        ).get("Item")
        return RecordedFixing.model_validate_json(from_item(item)["fixing"]) if item else None

    def put(self, fixing: RecordedFixing, replaces: RecordedFixing | None) -> None:
        request: Any = {
            "TableName": self._table,
            "Item": to_item(
                {
                    "pk": RATES_PK,
                    "sk": fixing_sk(fixing.series, fixing.effective_from),
                    "type": "reference_fixing",
                    "revision": len(fixing.revisions),
                    "fixing": fixing.model_dump_json(),
                }
            ),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        if replaces is not None:
            request["ConditionExpression"] = "revision = :seen"
            request["ExpressionAttributeValues"] = to_item({":seen": len(replaces.revisions)})
        try:
            self._db.put_item(**request)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConcurrentUpdateError(
                    f"{fixing.series} {fixing.effective_from} was recorded by someone else meanwhile"
                ) from exc
            raise

    def _query(self, prefix: str | None) -> list[RecordedFixing]:
        condition, values = "pk = :pk", {":pk": RATES_PK}
        if prefix is not None:
            condition, values = f"{condition} AND begins_with(sk, :prefix)", {**values, ":prefix": prefix}
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=to_item(values),
            ConsistentRead=True,
        )
        return [
            RecordedFixing.model_validate_json(from_item(item)["fixing"])
            for page in pages
            for item in page.get("Items", [])
        ]


@cache
def reference_rate_store() -> DynamoReferenceRates:
    return DynamoReferenceRates(dynamodb(), table_settings().table_name)
