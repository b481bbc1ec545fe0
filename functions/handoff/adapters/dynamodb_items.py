"""Items of the single table: attribute values to and from Python, the keys, and page cursors.

Shared by every DynamoDB adapter (docs/data-model.md); no model, no repository here.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from handoff.domain.errors import FieldProblem, InvalidRequestError
from handoff.domain.lifecycle import CaseStatus

_ser = TypeSerializer()
_de = TypeDeserializer()


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


def tenant_pk(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


def case_sk(case_id: str) -> str:
    return f"CASE#{case_id}"


def case_pk(tenant_id: str, case_id: str) -> str:
    """Partition of a case's timeline and other per-case items."""
    return f"TENANT#{tenant_id}#CASE#{case_id}"


def status_gsi(tenant_id: str, status: CaseStatus) -> str:
    return f"TENANT#{tenant_id}#STATUS#{status}"


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(from_item(key), default=str).encode()).decode()


def decode_cursor(cursor: str | None, expected_pk: str, pk_attr: str = "pk") -> dict[str, Any] | None:
    """Decode a cursor, refusing one that was made for another partition (another tenant)."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidRequestError([FieldProblem(("query", "cursor"), "not a cursor we issued")]) from exc
    if not isinstance(values, dict) or values.get(pk_attr) != expected_pk:
        raise InvalidRequestError([FieldProblem(("query", "cursor"), "not a cursor we issued")])
    return to_item(values)


def claim_index(claim: str) -> dict[str, str]:
    """Claims written as `<group>|<unique>` are listable by group on gsi1 (e.g. a partner's placements)."""
    group, bar, unique = claim.partition("|")
    return {"gsi1pk": f"CLAIMS#{group}", "gsi1sk": unique} if bar else {}
