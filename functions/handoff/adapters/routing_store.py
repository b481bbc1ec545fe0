"""Routing rules in the single table (see docs/data-model.md).

The current table is `ROUTING` / `RULES` with its `version`; every stored version is also
kept as `ROUTING` / `RULES#v0001`, … so a routing decision can name, and later show, the
rules it used. Version 0 is `default_routing_rules()`, in force until an operator stores a table.
"""

from __future__ import annotations

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
from handoff.domain.partners import PartnerType
from handoff.domain.routing import EscalationSignal, RoutingRule, RoutingRules

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

ROUTING_PK = "ROUTING"
RULES_SK = "RULES"


@cache
def default_routing_rules() -> RoutingRules:
    """Version 0, built at first use: attorney when the debtor is insolvent or has prior legal
    disputes, or the principal is above the jurisdiction's small-claims limit or 10,000
    GBP/EUR/USD; else agency."""
    return RoutingRules(
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


def rules_history_sk(version: int) -> str:
    return f"{RULES_SK}#v{version:04d}"


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
        """The rules in force and their version (`default_routing_rules()`, 0, when none is stored)."""
        record = self.current()
        return record.rules, record.version

    def current(self) -> RulesRecord:
        return self._read(RULES_SK) or RulesRecord(default_routing_rules(), 0)

    def get_version(self, version: int) -> RoutingRules:
        """The rules as they were at `version` (0: the default); NotFoundError if never stored."""
        if version == 0:
            return default_routing_rules()
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
def routing_rules_repository() -> DynamoRoutingRules:
    return DynamoRoutingRules(dynamodb(), table_settings().table_name)
