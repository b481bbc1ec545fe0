"""Partners in the single table (see docs/data-model.md); routing rules are in `routing_store`.

Partners: one item per partner, `PARTNER#<id>` / `PROFILE` (the key `DynamoPartnerDirectory`
reads), listed through gsi1 `PARTNERS`. The declaration is stored as JSON; `open_cases`,
`capacity` and `status` are also top-level attributes so that `reserve` and `release` are
single atomic `UpdateItem` calls. Those attributes win over the JSON on read.

* `version` counts the operator's changes to the declaration (add = 1, each replace + 1).
  Reserving and releasing capacity do not change it, so an operator's edit never conflicts
  with cases being assigned, and `replace` never touches `open_cases`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from handoff.adapters.aws import dynamodb
from handoff.adapters.dynamodb_items import from_item, to_item
from handoff.config import table_settings
from handoff.domain.clock import utcnow
from handoff.domain.errors import ConflictError, NotFoundError
from handoff.domain.partners import Partner, PartnerStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTNERS_GSI = "PARTNERS"
CONDITION_FAILED = "ConditionalCheckFailedException"


def partner_pk(partner_id: str) -> str:
    return f"PARTNER#{partner_id}"


def _failed_check(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == CONDITION_FAILED


def _old_item(exc: ClientError) -> dict[str, Any] | None:
    """The item as it was when a condition failed (`ReturnValuesOnConditionCheckFailure`)."""
    response: dict[str, Any] = dict(exc.response)
    item = response.get("Item")
    return from_item(item) if item else None


@dataclass(frozen=True)
class PartnerRecord:
    """A stored partner with what the store adds: its version and timestamps."""

    partner: Partner
    version: int
    created_at: datetime
    updated_at: datetime


class DynamoPartners:
    """Partners managed by the operator, and their open-case counters."""

    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def add(self, partner: Partner, now: datetime | None = None) -> PartnerRecord:
        """Store a new partner at version 1; ConflictError if the id is taken."""
        at = (now or utcnow()).isoformat()
        item = {
            "pk": partner_pk(partner.partner_id),
            "sk": "PROFILE",
            "gsi1pk": PARTNERS_GSI,
            "gsi1sk": partner_pk(partner.partner_id),
            "type": "partner",
            "partner_id": partner.partner_id,
            "version": 1,
            "created_at": at,
            **self._declaration(partner, at),
            "open_cases": partner.open_cases,
        }
        try:
            self._db.put_item(
                TableName=self._table, Item=to_item(item), ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as exc:
            if _failed_check(exc):
                raise ConflictError(f"partner {partner.partner_id} already exists") from exc
            raise
        return self._record(item)

    def get(self, partner_id: str) -> Partner:
        return self.get_record(partner_id).partner

    def get_record(self, partner_id: str) -> PartnerRecord:
        item = self._db.get_item(
            TableName=self._table,
            Key=to_item({"pk": partner_pk(partner_id), "sk": "PROFILE"}),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            raise NotFoundError(f"partner {partner_id} not found")
        return self._record(from_item(item))

    def list_all(self) -> list[Partner]:
        return [record.partner for record in self.list_records()]

    def list_records(self) -> list[PartnerRecord]:
        """Every partner, by partner_id (a Query on gsi1, eventually consistent)."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=to_item({":pk": PARTNERS_GSI}),
        )
        return [self._record(from_item(item)) for page in pages for item in page.get("Items", [])]

    def replace(self, partner: Partner, expected_version: int, now: datetime | None = None) -> PartnerRecord:
        """Replace the declaration if the stored version is `expected_version`; keeps `open_cases`.

        NotFoundError for an unknown partner; ConflictError when someone changed it since.
        """
        at = (now or utcnow()).isoformat()
        values = self._declaration(partner, at)
        try:
            result = self._db.update_item(
                TableName=self._table,
                Key=to_item({"pk": partner_pk(partner.partner_id), "sk": "PROFILE"}),
                UpdateExpression="SET partner = :partner, #capacity = :capacity, #status = :status, "
                "updated_at = :updated_at, version = version + :one",
                ConditionExpression="attribute_exists(pk) AND version = :expected",
                ExpressionAttributeNames={"#status": "status", "#capacity": "capacity"},
                ExpressionAttributeValues=to_item(
                    {**{f":{k}": v for k, v in values.items()}, ":one": 1, ":expected": expected_version}
                ),
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not _failed_check(exc):
                raise
            current = _old_item(exc)
            if current is None:
                raise NotFoundError(f"partner {partner.partner_id} not found") from exc
            stored = int(current["version"])
            raise ConflictError(
                f"partner {partner.partner_id} is at version {stored}, not {expected_version}: "
                "read it again and reapply your change"
            ) from exc
        return self._record(from_item(result["Attributes"]))

    def reserve(self, partner_id: str) -> bool:
        """Take one unit of capacity atomically; False when full or not active.

        NotFoundError for an unknown partner.
        """
        try:
            self._db.update_item(
                TableName=self._table,
                Key=to_item({"pk": partner_pk(partner_id), "sk": "PROFILE"}),
                UpdateExpression="SET open_cases = open_cases + :one",
                ConditionExpression="open_cases < #capacity AND #status = :active",
                ExpressionAttributeNames={"#status": "status", "#capacity": "capacity"},
                ExpressionAttributeValues=to_item({":one": 1, ":active": str(PartnerStatus.active)}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not _failed_check(exc):
                raise
            if _old_item(exc) is None:
                raise NotFoundError(f"partner {partner_id} not found") from exc
            return False
        return True

    def release(self, partner_id: str) -> bool:
        """Give back one unit of capacity atomically; False (and no change) when none is open.

        NotFoundError for an unknown partner.
        """
        try:
            self._db.update_item(
                TableName=self._table,
                Key=to_item({"pk": partner_pk(partner_id), "sk": "PROFILE"}),
                UpdateExpression="SET open_cases = open_cases - :one",
                ConditionExpression="open_cases > :zero",
                ExpressionAttributeValues=to_item({":one": 1, ":zero": 0}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if not _failed_check(exc):
                raise
            if _old_item(exc) is None:
                raise NotFoundError(f"partner {partner_id} not found") from exc
            return False
        return True

    @staticmethod
    def _declaration(partner: Partner, at: str) -> dict[str, Any]:
        """What an operator's write sets: the JSON and the attributes conditions read."""
        return {
            "partner": partner.model_dump_json(exclude={"open_cases"}),
            "capacity": partner.capacity,
            "status": str(partner.status),
            "updated_at": at,
        }

    @staticmethod
    def _record(values: dict[str, Any]) -> PartnerRecord:
        declared = json.loads(values["partner"])
        declared.update(
            capacity=int(values["capacity"]),
            status=values["status"],
            open_cases=int(values["open_cases"]),
        )
        return PartnerRecord(
            partner=Partner.model_validate(declared),
            version=int(values["version"]),
            created_at=datetime.fromisoformat(values["created_at"]),
            updated_at=datetime.fromisoformat(values["updated_at"]),
        )


@cache
def partner_repository() -> DynamoPartners:
    return DynamoPartners(dynamodb(), table_settings().table_name)


def reset_partner_repositories() -> None:
    """Forget the cached stores (after the endpoint or table changes, as `reset_repositories`)."""
    from handoff.adapters.routing_store import routing_rules_repository

    for factory in (partner_repository, routing_rules_repository):
        factory.cache_clear()
