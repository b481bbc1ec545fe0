"""DynamoDB repositories over the single table (see docs/data-model.md).

Tenant isolation is in the keys: every case and event key starts with the tenant,
so a lookup with another tenant's id finds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from handoff.adapters.aws import dynamodb
from handoff.adapters.dynamodb_items import (
    case_pk,
    case_sk,
    claim_index,
    decode_cursor,
    encode_cursor,
    from_item,
    status_gsi,
    tenant_pk,
    to_item,
)
from handoff.config import table_settings
from handoff.domain.case import Case, CaseEvent, WorkflowState
from handoff.domain.claim import ClaimOptions, LegalEvent, Payment
from handoff.domain.document_kinds import DocumentKind
from handoff.domain.errors import NotFoundError
from handoff.domain.evidence import Evidence, EvidenceDeclaration, EvidenceStatus
from handoff.domain.generated import GeneratedDocument
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import CaseIntake
from handoff.domain.retention import ENDED, Erasure, LegalHold, erased
from handoff.domain.tenants import Tenant, TenantProfile
from handoff.services.ports import ConcurrentUpdateError, DuplicateClaimError, Page

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PARTNER_VISIBLE = frozenset(
    {
        CaseStatus.assigned,
        CaseStatus.accepted,
        CaseStatus.in_recovery,
        CaseStatus.settled,
        CaseStatus.judgment,
    }
)


RELEASED_BY_DATA = ("stale_rate",)  # hold reasons that data (a recorded rate) can lift: indexed


def assignment_keys(case: Case) -> dict[str, str]:
    """gsi2: the review queue (manual_review), each partner's assignments, and the cases held for a
    reference rate (released when the rate is recorded); nothing otherwise."""
    if case.status == CaseStatus.manual_review:
        return {"gsi2pk": "REVIEW", "gsi2sk": f"{case.updated_at.isoformat()}#{case.case_id}"}
    held_for = [r for r in case.workflow.hold_reasons if r in RELEASED_BY_DATA]
    if case.status == CaseStatus.on_hold and held_for:
        return {"gsi2pk": f"HOLD#{held_for[0]}", "gsi2sk": f"{case.updated_at.isoformat()}#{case.case_id}"}
    if case.workflow.partner_id and case.status in PARTNER_VISIBLE:
        return {"gsi2pk": f"PARTNER#{case.workflow.partner_id}", "gsi2sk": case_sk(case.case_id)}
    return {}


def retention_partition(tenant_id: str) -> str:
    return f"RETENTION#{tenant_id}"


def retention_keys(case: Case) -> dict[str, str]:
    """gsi2: a tenant's ended cases whose personal data awaits erasure, by the instant they ended.

    A held or erased case leaves the index, so the daily job reads only what it may erase.
    """
    if case.status not in ENDED or case.closed_at is None or case.legal_holds or erased(case):
        return {}
    return {
        "gsi2pk": retention_partition(case.tenant_id),
        "gsi2sk": f"{case.closed_at.astimezone(UTC).isoformat()}#{case.case_id}",
    }


class DynamoCases:
    """CaseRepository: the case item plus its append-only timeline.

    `publish`, when given, receives every committed batch of events (outbound webhooks).
    """

    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        publish: Callable[[Case, list[CaseEvent]], None] | None = None,
    ):
        self._db = client
        self._table = table
        self._publish = publish

    def get(self, tenant_id: str, case_id: str) -> Case:
        item = self._db.get_item(
            TableName=self._table,
            Key=to_item({"pk": tenant_pk(tenant_id), "sk": case_sk(case_id)}),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            raise NotFoundError(f"case {case_id} not found")
        return self._case(from_item(item))

    def save(self, case: Case) -> None:
        events = case.pending_events
        if not events:
            return
        expected = events[0].seq - 1
        case_item = {
            "pk": tenant_pk(case.tenant_id),
            "sk": case_sk(case.case_id),
            "type": "case",
            "case_id": case.case_id,
            "tenant_id": case.tenant_id,
            "status": str(case.status),
            "version": case.version,
            "last_event_hash": case.last_event_hash,
            "workflow": case.workflow.model_dump_json(),
            "payments": json.dumps([p.model_dump(mode="json") for p in case.payments]),
            "legal_events": json.dumps([e.model_dump(mode="json") for e in case.legal_events]),
            "claim_options": case.claim_options.model_dump_json(),
            "intake": case.intake.model_dump_json(),
            "created_at": case.created_at.isoformat(),
            "updated_at": case.updated_at.isoformat(),
            "closed_at": case.closed_at.isoformat() if case.closed_at else None,
            "legal_holds": json.dumps([h.model_dump(mode="json") for h in case.legal_holds])
            if case.legal_holds
            else None,
            "redaction_salt": case.redaction_salt,
            "erasure": case.erasure.model_dump_json() if case.erasure else None,
            "gsi1pk": status_gsi(case.tenant_id, case.status),
            "gsi1sk": case_sk(case.case_id),
            **assignment_keys(case),
            **retention_keys(case),
        }
        condition: dict[str, Any]
        if expected == 0:
            condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": to_item({":expected": expected}),
            }
        writes: list[Any] = [{"Put": {"TableName": self._table, "Item": to_item(case_item), **condition}}]
        for event in events:
            writes.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(self._event_item(case, event)),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        first_claim = len(writes)
        for claim in case.pending_claims:
            writes.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_item(
                            {
                                "pk": f"CLAIM#{claim}",
                                "sk": "CLAIM",
                                "case_id": case.case_id,
                                "tenant_id": case.tenant_id,
                                "seq": events[0].seq,
                                **claim_index(claim),
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        try:
            self._db.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                reasons = exc.response.get("CancellationReasons") or []
                for index, reason in enumerate(reasons):
                    if index >= first_claim and reason.get("Code") == "ConditionalCheckFailed":
                        raise DuplicateClaimError(case.pending_claims[index - first_claim]) from exc
                raise ConcurrentUpdateError(case.case_id) from exc
            raise
        case.pending_events = []
        case.pending_claims = []
        if self._publish is not None:
            self._publish(case, events)

    def list_page(
        self, tenant_id: str, status: CaseStatus | None, limit: int, cursor: str | None
    ) -> Page[Case]:
        if status is None:
            query: dict[str, Any] = {
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": to_item({":pk": tenant_pk(tenant_id), ":prefix": "CASE#"}),
            }
            start = decode_cursor(cursor, tenant_pk(tenant_id))
        else:
            query = {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :pk",
                "ExpressionAttributeValues": to_item({":pk": status_gsi(tenant_id, status)}),
            }
            start = decode_cursor(cursor, status_gsi(tenant_id, status), "gsi1pk")
        if start:
            query["ExclusiveStartKey"] = start
        result = self._db.query(TableName=self._table, Limit=limit, ScanIndexForward=False, **query)
        cases = [self._case(from_item(item)) for item in result.get("Items", [])]
        return Page(cases, encode_cursor(result.get("LastEvaluatedKey")))

    def events(self, tenant_id: str, case_id: str, limit: int, cursor: str | None) -> Page[CaseEvent]:
        self.get(tenant_id, case_id)  # 404 for a case that is not this tenant's
        pk = case_pk(tenant_id, case_id)
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": to_item({":pk": pk, ":prefix": "EVENT#"}),
        }
        start = decode_cursor(cursor, pk)
        if start:
            query["ExclusiveStartKey"] = start
        result = self._db.query(TableName=self._table, Limit=limit, ConsistentRead=True, **query)
        events = [self._event(from_item(item)) for item in result.get("Items", [])]
        return Page(events, encode_cursor(result.get("LastEvaluatedKey")))

    def on_index(self, partition: str, limit: int = 100) -> list[tuple[str, str]]:
        """(tenant_id, case_id) of the cases in a gsi2 partition: the review queue or a partner's list."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :pk",
            ExpressionAttributeValues=to_item({":pk": partition}),
            ProjectionExpression="tenant_id, case_id",
            PaginationConfig={"MaxItems": limit},
        )
        return [(i["tenant_id"]["S"], i["case_id"]["S"]) for page in pages for i in page.get("Items", [])]

    def held_for(self, reason: str, limit: int = 100) -> list[tuple[str, str]]:
        """(tenant_id, case_id) of the cases on hold for `reason` (one of RELEASED_BY_DATA), oldest first."""
        return self.on_index(f"HOLD#{reason}", limit)

    def claimant(self, claim: str) -> tuple[str, str] | None:
        item = self._db.get_item(
            TableName=self._table, Key=to_item({"pk": f"CLAIM#{claim}", "sk": "CLAIM"}), ConsistentRead=True
        ).get("Item")
        return (item["tenant_id"]["S"], item["case_id"]["S"]) if item else None

    def claimed(self, group: str) -> list[tuple[str, str]]:
        """(tenant_id, case_id) of every case that made a `<group>|…` claim (e.g. placed with a partner)."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=to_item({":pk": f"CLAIMS#{group}"}),
        )
        found = {(i["tenant_id"]["S"], i["case_id"]["S"]) for page in pages for i in page.get("Items", [])}
        return sorted(found)

    def all_for_tenant(self, tenant_id: str) -> list[Case]:
        cases: list[Case] = []
        cursor = None
        while True:
            page = self.list_page(tenant_id, None, 100, cursor)
            cases.extend(page.items)
            if page.cursor is None:
                return cases
            cursor = page.cursor

    def all_events(self, tenant_id: str, case_id: str) -> list[CaseEvent]:
        events: list[CaseEvent] = []
        cursor = None
        while True:
            page = self.events(tenant_id, case_id, 1000, cursor)
            events.extend(page.items)
            if page.cursor is None:
                return events
            cursor = page.cursor

    @staticmethod
    def _event_item(case: Case, event: CaseEvent) -> dict[str, Any]:
        return {
            "pk": case_pk(case.tenant_id, case.case_id),
            "sk": f"EVENT#{event.seq:09d}",
            "type": "event",
            "seq": event.seq,
            "event_type": event.type,
            "at": event.at.isoformat(),
            "actor": event.actor,
            "status": str(event.status) if event.status else None,
            "data": json.dumps(event.data, sort_keys=True, ensure_ascii=False),
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }

    @staticmethod
    def _event(values: dict[str, Any]) -> CaseEvent:
        return CaseEvent(
            seq=int(values["seq"]),
            type=values["event_type"],
            at=datetime.fromisoformat(values["at"]),
            actor=values["actor"],
            data=json.loads(values["data"]),
            status=CaseStatus(values["status"]) if values.get("status") else None,
            prev_hash=values["prev_hash"],
            hash=values["hash"],
        )

    @staticmethod
    def _case(values: dict[str, Any]) -> Case:
        return Case(
            case_id=values["case_id"],
            tenant_id=values["tenant_id"],
            intake=CaseIntake.model_validate_json(values["intake"]),
            status=CaseStatus(values["status"]),
            created_at=datetime.fromisoformat(values["created_at"]),
            updated_at=datetime.fromisoformat(values["updated_at"]),
            version=int(values["version"]),
            last_event_hash=values["last_event_hash"],
            workflow=WorkflowState.model_validate_json(values.get("workflow") or "{}"),
            payments=[Payment.model_validate(p) for p in json.loads(values.get("payments") or "[]")],
            legal_events=[
                LegalEvent.model_validate(e) for e in json.loads(values.get("legal_events") or "[]")
            ],
            claim_options=ClaimOptions.model_validate_json(values.get("claim_options") or "{}"),
            closed_at=datetime.fromisoformat(values["closed_at"]) if values.get("closed_at") else None,
            legal_holds=[LegalHold.model_validate(h) for h in json.loads(values.get("legal_holds") or "[]")],
            redaction_salt=values.get("redaction_salt"),
            erasure=Erasure.model_validate_json(values["erasure"]) if values.get("erasure") else None,
        )


class DynamoTenants:
    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def add(self, tenant: Tenant) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "pk": tenant_pk(tenant.tenant_id),
                    "sk": "PROFILE",
                    "type": "tenant",
                    "gsi1pk": "TENANTS",
                    "gsi1sk": tenant.tenant_id,
                    "tenant_id": tenant.tenant_id,
                    "profile": tenant.profile.model_dump_json(),
                    "created_at": tenant.created_at.isoformat(),
                    "retention_days": tenant.retention_days,
                }
            ),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def set_retention(self, tenant_id: str, days: int | None) -> Tenant:
        """Set (or, with None, clear) the tenant's retention policy; 404 for no such tenant."""
        key = to_item({"pk": tenant_pk(tenant_id), "sk": "PROFILE"})
        update: dict[str, Any] = (
            {"UpdateExpression": "REMOVE retention_days"}
            if days is None
            else {
                "UpdateExpression": "SET retention_days = :days",
                "ExpressionAttributeValues": to_item({":days": days}),
            }
        )
        try:
            item = self._db.update_item(
                TableName=self._table,
                Key=key,
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="ALL_NEW",
                **update,
            )["Attributes"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise NotFoundError(f"tenant {tenant_id} not found") from exc
            raise
        return self._tenant(from_item(item))

    def all_ids(self) -> list[str]:
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :pk",
            ExpressionAttributeValues=to_item({":pk": "TENANTS"}),
        )
        return [i["tenant_id"]["S"] for page in pages for i in page.get("Items", [])]

    def get(self, tenant_id: str) -> Tenant:
        item = self._db.get_item(
            TableName=self._table, Key=to_item({"pk": tenant_pk(tenant_id), "sk": "PROFILE"})
        ).get("Item")
        if not item:
            raise NotFoundError(f"tenant {tenant_id} not found")
        return self._tenant(from_item(item))

    @staticmethod
    def _tenant(values: dict[str, Any]) -> Tenant:
        days = values.get("retention_days")
        return Tenant(
            tenant_id=values["tenant_id"],
            profile=TenantProfile.model_validate_json(values["profile"]),
            created_at=datetime.fromisoformat(values["created_at"]),
            retention_days=int(days) if days is not None else None,
        )


class DynamoEvidence:
    """Evidence declarations and their verification outcome, in the case's partition."""

    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def add(self, evidence: Evidence) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=to_item(self._item(evidence)),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get(self, tenant_id: str, case_id: str, evidence_id: str) -> Evidence:
        item = self._db.get_item(
            TableName=self._table,
            Key=to_item({"pk": case_pk(tenant_id, case_id), "sk": f"EVIDENCE#{evidence_id}"}),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            raise NotFoundError(f"evidence {evidence_id} not found")
        return self._evidence(from_item(item))

    def list_for_case(self, tenant_id: str, case_id: str) -> list[Evidence]:
        paginator = self._db.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=to_item({":pk": case_pk(tenant_id, case_id), ":prefix": "EVIDENCE#"}),
            ConsistentRead=True,
        )
        return [self._evidence(from_item(item)) for page in pages for item in page.get("Items", [])]

    def settle(self, evidence: Evidence) -> bool:
        try:
            self._db.put_item(
                TableName=self._table,
                Item=to_item(self._item(evidence)),
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_item({":pending": str(EvidenceStatus.pending_upload)}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def mark_erased(self, evidence: Evidence) -> None:
        """Store the row as erased (its object deleted, its file name replaced): `evidence` is that row."""
        self._db.put_item(TableName=self._table, Item=to_item(self._item(evidence)))

    @staticmethod
    def _item(evidence: Evidence) -> dict[str, Any]:
        return {
            "pk": case_pk(evidence.tenant_id, evidence.case_id),
            "sk": f"EVIDENCE#{evidence.evidence_id}",
            "type": "evidence",
            "evidence_id": evidence.evidence_id,
            "tenant_id": evidence.tenant_id,
            "case_id": evidence.case_id,
            "declaration": evidence.declaration.model_dump_json(),
            "status": str(evidence.status),
            "created_at": evidence.created_at.isoformat(),
            "key": evidence.key,
            "reason": evidence.reason,
            "detected_type": evidence.detected_type,
            "checked_at": evidence.checked_at.isoformat() if evidence.checked_at else None,
            "erased_at": evidence.erased_at.isoformat() if evidence.erased_at else None,
        }

    @staticmethod
    def _evidence(values: dict[str, Any]) -> Evidence:
        return Evidence(
            evidence_id=values["evidence_id"],
            tenant_id=values["tenant_id"],
            case_id=values["case_id"],
            declaration=EvidenceDeclaration.model_validate_json(values["declaration"]),
            status=EvidenceStatus(values["status"]),
            created_at=datetime.fromisoformat(values["created_at"]),
            key=values["key"],
            reason=values.get("reason"),
            detected_type=values.get("detected_type"),
            checked_at=datetime.fromisoformat(values["checked_at"]) if values.get("checked_at") else None,
            erased_at=datetime.fromisoformat(values["erased_at"]) if values.get("erased_at") else None,
        )


class DynamoDocuments:
    """Generated documents' records, in the case's partition (the bytes are in S3)."""

    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def add(self, document: GeneratedDocument) -> None:
        values = {k: (str(v) if k == "kind" else v) for k, v in document.__dict__.items()}
        values["created_at"] = document.created_at.isoformat()
        values["erased_at"] = document.erased_at.isoformat() if document.erased_at else None
        self._db.put_item(
            TableName=self._table,
            Item=to_item(
                {
                    "pk": case_pk(document.tenant_id, document.case_id),
                    "sk": f"DOCUMENT#{document.document_id}",
                    "type": "document",
                    **values,
                }
            ),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get(self, tenant_id: str, case_id: str, document_id: str) -> GeneratedDocument:
        item = self._db.get_item(
            TableName=self._table,
            Key=to_item({"pk": case_pk(tenant_id, case_id), "sk": f"DOCUMENT#{document_id}"}),
        ).get("Item")
        if not item:
            raise NotFoundError(f"document {document_id} not found")
        return self._document(from_item(item))

    def list_for_case(self, tenant_id: str, case_id: str) -> list[GeneratedDocument]:
        pages = self._db.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=to_item({":pk": case_pk(tenant_id, case_id), ":prefix": "DOCUMENT#"}),
        )
        documents = [self._document(from_item(item)) for page in pages for item in page.get("Items", [])]
        return sorted(documents, key=lambda d: d.created_at)

    def mark_erased(self, document: GeneratedDocument, at: datetime) -> None:
        """The file was deleted with the case's personal data; the record (hash, template) stays."""
        key = {"pk": case_pk(document.tenant_id, document.case_id), "sk": f"DOCUMENT#{document.document_id}"}
        self._db.update_item(
            TableName=self._table,
            Key=to_item(key),
            UpdateExpression="SET erased_at = :at",
            ExpressionAttributeValues=to_item({":at": at.isoformat()}),
        )

    @staticmethod
    def _document(values: dict[str, Any]) -> GeneratedDocument:
        return GeneratedDocument(
            document_id=values["document_id"],
            tenant_id=values["tenant_id"],
            case_id=values["case_id"],
            kind=DocumentKind(values["kind"]),
            key=values["key"],
            sha256=values["sha256"],
            size=int(values["size"]),
            template_name=values["template_name"],
            template_version=values["template_version"],
            rule_pack_version=values["rule_pack_version"],
            created_at=datetime.fromisoformat(values["created_at"]),
            created_by=values["created_by"],
            partner_id=values.get("partner_id"),
            erased_at=datetime.fromisoformat(values["erased_at"]) if values.get("erased_at") else None,
        )


class DynamoPartnerDirectory:
    """Whether a partner exists (partners themselves are managed by the operator API)."""

    def __init__(self, client: DynamoDBClient, table: str):
        self._db = client
        self._table = table

    def exists(self, partner_id: str) -> bool:
        item = self._db.get_item(
            TableName=self._table, Key=to_item({"pk": f"PARTNER#{partner_id}", "sk": "PROFILE"})
        ).get("Item")
        return item is not None


@cache
def case_repository() -> DynamoCases:
    from handoff.adapters.webhooks import case_publisher  # imports this module

    return DynamoCases(dynamodb(), table_settings().table_name, publish=case_publisher())


@cache
def tenant_repository() -> DynamoTenants:
    return DynamoTenants(dynamodb(), table_settings().table_name)


@cache
def evidence_repository() -> DynamoEvidence:
    return DynamoEvidence(dynamodb(), table_settings().table_name)


@cache
def document_repository() -> DynamoDocuments:
    return DynamoDocuments(dynamodb(), table_settings().table_name)


@cache
def partner_directory() -> DynamoPartnerDirectory:
    return DynamoPartnerDirectory(dynamodb(), table_settings().table_name)


def reset_repositories() -> None:
    from handoff.adapters.key_store import key_repository

    for factory in (
        case_repository,
        tenant_repository,
        key_repository,
        partner_directory,
        evidence_repository,
    ):
        factory.cache_clear()
