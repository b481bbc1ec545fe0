"""Partners' inbound webhook signing secrets in the single table (see docs/data-model.md).

One item per secret: `PARTNER#<id>` / `WEBHOOKSECRET#<n>` (n = 0001, 0002, … per partner), the
secret sealed with the secret box under the context `{"partner_id": <id>}`. At most two are
active: issuing a third retires the oldest active one in the same transaction (its sealed
value is removed), so a rotation has an overlap in which both the old and the new one verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from handoff.adapters.aws import dynamodb
from handoff.adapters.dynamodb_items import from_item, to_item
from handoff.config import table_settings
from handoff.domain.errors import ConflictError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SK_PREFIX = "WEBHOOKSECRET#"
ACTIVE = "active"
RETIRED = "retired"
MAX_ACTIVE = 2


@dataclass(frozen=True)
class StoredSecret:
    secret_id: str  # "whs_0001"
    number: int
    status: str
    created_at: datetime
    sealed: str | None  # None once retired
    retired_at: datetime | None = None


def _sk(number: int) -> str:
    return f"{SK_PREFIX}{number:04d}"


class DynamoWebhookSecrets:
    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def all(self, partner_id: str) -> list[StoredSecret]:
        """Every secret of the partner, oldest first (strongly consistent)."""
        result = self._db.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=to_item({":pk": f"PARTNER#{partner_id}", ":prefix": SK_PREFIX}),
            ConsistentRead=True,
        )
        return [self._secret(from_item(item)) for item in result.get("Items", [])]

    def active(self, partner_id: str) -> list[StoredSecret]:
        return [s for s in self.all(partner_id) if s.status == ACTIVE and s.sealed]

    def add(self, partner_id: str, sealed: str, now: datetime) -> tuple[StoredSecret, StoredSecret | None]:
        """Store a new active secret; retire the oldest active one if two are active already.

        Returns the new secret and the one it retired. ConflictError if another issue raced it.
        """
        existing = self.all(partner_id)
        number = max((s.number for s in existing), default=0) + 1
        active = [s for s in existing if s.status == ACTIVE]
        retire = active[0] if len(active) >= MAX_ACTIVE else None
        item = {
            "pk": f"PARTNER#{partner_id}",
            "sk": _sk(number),
            "type": "webhook_secret",
            "partner_id": partner_id,
            "number": number,
            "status": ACTIVE,
            "sealed": sealed,
            "created_at": now.isoformat(),
        }
        writes: list[Any] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(item),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        if retire is not None:
            writes.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": to_item({"pk": f"PARTNER#{partner_id}", "sk": _sk(retire.number)}),
                        "UpdateExpression": "SET #status = :retired, retired_at = :at REMOVE sealed",
                        "ConditionExpression": "#status = :active",
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": to_item(
                            {":retired": RETIRED, ":active": ACTIVE, ":at": now.isoformat()}
                        ),
                    }
                }
            )
        try:
            self._db.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                raise ConflictError("another webhook secret was issued at the same time; try again") from exc
            raise
        retired = None
        if retire is not None:
            retired = StoredSecret(retire.secret_id, retire.number, RETIRED, retire.created_at, None, now)
        return self._secret(item), retired

    @staticmethod
    def _secret(values: dict[str, Any]) -> StoredSecret:
        number = int(values["number"])
        retired_at = values.get("retired_at")
        return StoredSecret(
            secret_id=f"whs_{number:04d}",
            number=number,
            status=values["status"],
            created_at=datetime.fromisoformat(values["created_at"]),
            sealed=values.get("sealed"),
            retired_at=datetime.fromisoformat(retired_at) if retired_at else None,
        )


def claimed(claim: str) -> bool:
    """Whether a once-only claim was recorded (the `CLAIM#<claim>` item `DynamoCases.save` writes)."""
    item = dynamodb().get_item(
        TableName=table_settings().table_name,
        Key=to_item({"pk": f"CLAIM#{claim}", "sk": "CLAIM"}),
        ConsistentRead=True,
    )
    return "Item" in item


@cache
def webhook_secret_repository() -> DynamoWebhookSecrets:
    return DynamoWebhookSecrets(dynamodb(), table_settings().table_name)
