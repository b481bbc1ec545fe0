"""The one DynamoDB table: key schema and indexes, shared by CDK and the local runtime.

See docs/data-model.md for every item type and access pattern.
"""

from __future__ import annotations

PARTITION_KEY = "pk"
SORT_KEY = "sk"
# Overloaded global secondary indexes: (index name, partition attribute, sort attribute).
GLOBAL_INDEXES: tuple[tuple[str, str, str], ...] = (
    ("gsi1", "gsi1pk", "gsi1sk"),
    ("gsi2", "gsi2pk", "gsi2sk"),
)
TTL_ATTRIBUTE = "expires_at"


def create_table_kwargs(table_name: str) -> dict[str, object]:
    """Arguments for `dynamodb.create_table` matching the CDK definition (local runtime, tests)."""
    attributes = [PARTITION_KEY, SORT_KEY] + [a for _, pk, sk in GLOBAL_INDEXES for a in (pk, sk)]
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": pk, "KeyType": "HASH"},
                    {"AttributeName": sk, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, pk, sk in GLOBAL_INDEXES
        ],
    }
