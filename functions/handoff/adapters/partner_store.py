"""Partners and routing rules in the single table (see docs/data-model.md).

Partners: one item per partner, `PARTNER#<id>` / `PROFILE` (the key `DynamoPartnerDirectory`
reads), listed through gsi1 `PARTNERS`. The declaration is stored as JSON; `open_cases`,
`capacity` and `status` are also top-level attributes so that `reserve` and `release` are
single atomic `UpdateItem` calls. Those attributes win over the JSON on read.

* `version` counts the operator's changes to the declaration (add = 1, each replace + 1).
  Reserving and releasing capacity do not change it, so an operator's edit never conflicts
  with cases being assigned, and `replace` never touches `open_cases`.

Routing rules: the current table is `ROUTING` / `RULES` with its `version`; every stored
version is also kept as `ROUTING` / `RULES#v0001`, … so a routing decision can name, and
later show, the rules it used. Version 0 is `DEFAULT_ROUTING_RULES`, in force until an
operator stores a table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from handoff.adapters.aws import dynamodb
from handoff.adapters.dynamodb_items import from_item, to_item
from handoff.config import table_settings
from handoff.domain.clock import utcnow
from handoff.domain.errors import ConflictError, NotFoundError
from handoff.domain.partners import Partner, PartnerStatus, PartnerType
from handoff.domain.routing import EscalationSignal, RoutingRule, RoutingRules

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTNERS_GSI = "PARTNERS"
ROUTING_PK = "ROUTING"
RULES_SK = "RULES"
CONDITION_FAILED = "ConditionalCheckFailedException"

DEFAULT_ROUTING_RULES = RoutingRules(
    rules=[
        RoutingRule(
            rule_id="attorney-escalation",
            description="Insolvency or prior legal disputes, or a principal above the small-claims "
            "limit or the attorney threshold: an attorney",
            partner_type=PartnerType.attorney,
            any_signals=[
                EscalationSignal.insolvency_or_prior_disputes,
                EscalationSignal.above_small_claims,
                EscalationSignal.above_threshold,
            ],
        ),
        RoutingRule(
            rule_id="agency-default",
            description="Every other case: a collection agency",
            partner_type=PartnerType.agency,
        ),
    ],
    attorney_threshold={"GBP": Decimal("10000"), "EUR": Decimal("10000"), "USD": Decimal("10000")},
)
"""Version 0: attorney when the debtor is insolvent or has prior legal disputes, or the
principal is above the jurisdiction's small-claims limit or 10,000 GBP/EUR/USD; else agency."""


def partner_pk(partner_id: str) -> str:
    return f"PARTNER#{partner_id}"


def rules_history_sk(version: int) -> str:
    return f"{RULES_SK}#v{version:04d}"


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


@dataclass(frozen=True)
class RulesRecord:
    """A version of the routing rules: version 0 is the built-in default (never stored)."""

    rules: RoutingRules
    version: int
    updated_at: datetime | None = None
    updated_by: str | None = None


class DynamoRoutingRules:
    """The routing table, versioned, with every version kept."""

    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def get(self) -> tuple[RoutingRules, int]:
        """The rules in force and their version (`DEFAULT_ROUTING_RULES`, 0, when none is stored)."""
        record = self.current()
        return record.rules, record.version

    def current(self) -> RulesRecord:
        return self._read(RULES_SK) or RulesRecord(DEFAULT_ROUTING_RULES, 0)

    def get_version(self, version: int) -> RoutingRules:
        """The rules as they were at `version` (0: the default); NotFoundError if never stored."""
        if version == 0:
            return DEFAULT_ROUTING_RULES
        record = self._read(rules_history_sk(version))
        if record is None:
            raise NotFoundError(f"routing rules version {version} not found")
        return record.rules

    def put(
        self,
        rules: RoutingRules,
        expected_version: int,
        changed_by: str = "system",
        now: datetime | None = None,
    ) -> RulesRecord:
        """Store `rules` as version `expected_version + 1`, if the current version is still
        `expected_version` (0: nothing stored yet); ConflictError otherwise.
        """
        version = expected_version + 1
        at = now or utcnow()
        values = {
            "pk": ROUTING_PK,
            "type": "routing_rules",
            "version": version,
            "rules": rules.model_dump_json(),
            "updated_at": at.isoformat(),
            "updated_by": changed_by,
        }
        current: Any = {
            "TableName": self._table,
            "Item": to_item({**values, "sk": RULES_SK}),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        if expected_version:
            current["ConditionExpression"] = "version = :expected"
            current["ExpressionAttributeValues"] = to_item({":expected": expected_version})
        try:
            self._db.transact_write_items(
                TransactItems=[
                    {"Put": current},
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item({**values, "sk": rules_history_sk(version)}),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                stored = self.current().version
                raise ConflictError(
                    f"routing rules are at version {stored}, not {expected_version}: "
                    "read them again and reapply your change"
                ) from exc
            raise
        return RulesRecord(rules, version, at, changed_by)

    def _read(self, sk: str) -> RulesRecord | None:
        item = self._db.get_item(
            TableName=self._table, Key=to_item({"pk": ROUTING_PK, "sk": sk}), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        values = from_item(item)
        return RulesRecord(
            rules=RoutingRules.model_validate_json(values["rules"]),
            version=int(values["version"]),
            updated_at=datetime.fromisoformat(values["updated_at"]),
            updated_by=values.get("updated_by"),
        )


@cache
def partner_repository() -> DynamoPartners:
    return DynamoPartners(dynamodb(), table_settings().table_name)


@cache
def routing_rules_repository() -> DynamoRoutingRules:
    return DynamoRoutingRules(dynamodb(), table_settings().table_name)


def reset_partner_repositories() -> None:
    """Forget the cached stores (after the endpoint or table changes, as `reset_repositories`)."""
    for factory in (partner_repository, routing_rules_repository):
        factory.cache_clear()
