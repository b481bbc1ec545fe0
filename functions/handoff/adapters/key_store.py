"""API keys in the single table, found by the SHA-256 of their secret or by key id.

Apart from the other repositories (`adapters.dynamodb`) so the authorizer loads only this.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from handoff.adapters.aws import dynamodb
from handoff.adapters.dynamodb_items import from_item, to_item
from handoff.config import table_settings
from handoff.domain.api_keys import ApiKey
from handoff.domain.errors import NotFoundError
from handoff.domain.principals import PrincipalKind

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoKeys:
    """API keys, found by the SHA-256 of their secret (never the secret) or by key id (gsi1)."""

    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def add(self, key: ApiKey) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "pk": f"APIKEY#{key.secret_sha256}",
                    "sk": "APIKEY",
                    "gsi1pk": f"APIKEYID#{key.key_id}",
                    "gsi1sk": "APIKEY",
                    "type": "api_key",
                    "key_id": key.key_id,
                    "kind": str(key.kind),
                    "secret_sha256": key.secret_sha256,
                    "tenant_id": key.tenant_id,
                    "partner_id": key.partner_id,
                    "label": key.label,
                    "created_at": key.created_at.isoformat(),
                }
            ),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def find_by_secret_hash(self, secret_sha256: str) -> ApiKey | None:
        item = self._db.get_item(
            TableName=self._table, Key=to_item({"pk": f"APIKEY#{secret_sha256}", "sk": "APIKEY"})
        ).get("Item")
        return self._api_key(from_item(item)) if item else None

    def get(self, key_id: str) -> ApiKey:
        items = self._db.query(
            TableName=self._table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=to_item({":pk": f"APIKEYID#{key_id}"}),
        ).get("Items", [])
        if not items:
            raise NotFoundError(f"api key {key_id} not found")
        return self._api_key(from_item(items[0]))

    def revoke(self, key_id: str, at: str) -> ApiKey:
        key = self.get(key_id)
        result = self._db.update_item(
            TableName=self._table,
            Key=to_item({"pk": f"APIKEY#{key.secret_sha256}", "sk": "APIKEY"}),
            UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :at)",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues=to_item({":at": at}),
            ReturnValues="ALL_NEW",
        )
        return self._api_key(from_item(result["Attributes"]))

    @staticmethod
    def _api_key(values: dict[str, Any]) -> ApiKey:
        return ApiKey(
            key_id=values["key_id"],
            kind=PrincipalKind(values["kind"]),
            secret_sha256=values["secret_sha256"],
            created_at=datetime.fromisoformat(values["created_at"]),
            tenant_id=values.get("tenant_id"),
            partner_id=values.get("partner_id"),
            label=values.get("label"),
            revoked_at=datetime.fromisoformat(values["revoked_at"]) if values.get("revoked_at") else None,
        )


@cache
def key_repository() -> DynamoKeys:
    return DynamoKeys(dynamodb(), table_settings().table_name)
