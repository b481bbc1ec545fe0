"""Ports the use cases depend on. Adapters implement them; unit tests use fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from handoff.domain.errors import ConflictError

if TYPE_CHECKING:
    from handoff.adapters.s3 import UploadTicket
    from handoff.domain.api_keys import ApiKey
    from handoff.domain.case import Case, CaseEvent
    from handoff.domain.evidence import Evidence, EvidenceDeclaration
    from handoff.domain.generated import GeneratedDocument
    from handoff.domain.lifecycle import CaseStatus
    from handoff.domain.reference_rates import RecordedFixing
    from handoff.domain.tenants import Tenant

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str | None  # opaque; pass back to get the next page, None at the end


class ConcurrentUpdateError(ConflictError):
    """Someone else wrote the case since it was read; reload and try again."""


class DuplicateClaimError(ConflictError):
    """A once-only claim (a webhook id, say) was already recorded: nothing was written this time."""

    def __init__(self, claim: str):
        super().__init__(f"{claim} was already recorded")
        self.claim = claim


class CaseRepository(Protocol):
    def get(self, tenant_id: str, case_id: str) -> Case: ...

    def save(self, case: Case) -> None:
        """Write the case and its pending events atomically, if its version is still current."""

    def list_page(
        self, tenant_id: str, status: CaseStatus | None, limit: int, cursor: str | None
    ) -> Page[Case]: ...

    def events(self, tenant_id: str, case_id: str, limit: int, cursor: str | None) -> Page[CaseEvent]: ...

    def all_events(self, tenant_id: str, case_id: str) -> list[CaseEvent]: ...

    def claimant(self, claim: str) -> tuple[str, str] | None:
        """(tenant_id, case_id) of the case that made `claim`, if any did."""


class TenantRepository(Protocol):
    def add(self, tenant: Tenant) -> None: ...

    def get(self, tenant_id: str) -> Tenant: ...


class KeyRepository(Protocol):
    def add(self, key: ApiKey) -> None: ...

    def get(self, key_id: str) -> ApiKey: ...

    def find_by_secret_hash(self, secret_sha256: str) -> ApiKey | None: ...

    def revoke(self, key_id: str, at: str) -> ApiKey: ...


class PartnerDirectory(Protocol):
    def exists(self, partner_id: str) -> bool: ...


class EvidenceRepository(Protocol):
    def add(self, evidence: Evidence) -> None: ...

    def get(self, tenant_id: str, case_id: str, evidence_id: str) -> Evidence: ...

    def list_for_case(self, tenant_id: str, case_id: str) -> list[Evidence]: ...

    def settle(self, evidence: Evidence) -> bool:
        """Store a verified/rejected outcome once; False if it was already settled."""


@dataclass(frozen=True)
class Inspection:
    verified: bool
    reason: str | None
    detected_type: str | None


class Inspector(Protocol):
    def inspect(
        self, bucket: str, key: str, declaration: EvidenceDeclaration, max_bytes: int
    ) -> Inspection: ...


class UploadStorage(Protocol):
    def upload_ticket(
        self, bucket: str, key: str, content_type: str, size: int, seconds: int
    ) -> UploadTicket: ...


class DocumentRepository(Protocol):
    def add(self, document: GeneratedDocument) -> None: ...

    def get(self, tenant_id: str, case_id: str, document_id: str) -> GeneratedDocument: ...

    def list_for_case(self, tenant_id: str, case_id: str) -> list[GeneratedDocument]: ...


class ObjectStorage(Protocol):
    def put(self, bucket: str, key: str, content: bytes, content_type: str) -> None: ...

    def download_url(self, bucket: str, key: str, seconds: int, filename: str | None = None) -> str: ...


class ReferenceRateStore(Protocol):
    """Fixings recorded by operators (the seed stays in the package)."""

    def all(self) -> list[RecordedFixing]: ...

    def of_series(self, series: str) -> list[RecordedFixing]: ...

    def get(self, series: str, effective_from: date) -> RecordedFixing | None: ...

    def put(self, fixing: RecordedFixing, replaces: RecordedFixing | None) -> None:
        """Store `fixing`, if the stored one is still `replaces` (None: none stored); ConflictError if not."""
