"""Request and response models of the operator API: tenants, API keys, the review queue."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.case import PrincipalKind
from handoff.domain.clock import utcnow
from handoff.domain.models import Strict
from handoff.domain.tenants import TenantProfile

if TYPE_CHECKING:
    from handoff.domain.api_keys import ApiKey
    from handoff.domain.case import Case
    from handoff.domain.tenants import Tenant


class TenantRequest(TenantProfile):
    """A business to onboard: its profile appears on letters it sends through Handoff."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "legal_name": "Acme Supplies Ltd",
                    "registration_number": "09876543",
                    "address": {
                        "lines": ["5 Mill Lane"],
                        "city": "York",
                        "postal_code": "YO1 7HH",
                        "country": "GB",
                        "subdivision": "GB-ENG",
                    },
                    "contact": {
                        "name": "Credit Control",
                        "email": "credit@acme.example",
                        "phone": "+441904000000",
                    },
                    "payment_instructions": {
                        "account_name": "Acme Supplies Ltd",
                        "bank_name": "Example Bank",
                        "sort_code": "12-34-56",
                        "account_number": "12345678",
                        "reference_hint": "your invoice number",
                    },
                }
            ]
        }
    )


class TenantResponse(LazyModel):
    tenant_id: str
    created_at: datetime
    profile: TenantProfile

    @classmethod
    def of(cls, tenant: Tenant) -> TenantResponse:
        return cls(tenant_id=tenant.tenant_id, created_at=tenant.created_at, profile=tenant.profile)


class ApiKeyRequest(Strict):
    """Issue a key: business keys name a tenant, agency and attorney keys a partner, operator keys neither."""

    kind: PrincipalKind
    tenant_id: str | None = None
    partner_id: str | None = None
    label: Annotated[str | None, Field(max_length=100, description="What the key is for")] = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "business", "tenant_id": "ten_4f1c0e9b2a7d6c5e8f90", "label": "ERP"}]
        }
    )


class ApiKeyResponse(LazyModel):
    key_id: str
    kind: PrincipalKind
    tenant_id: str | None
    partner_id: str | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None = None
    secret: Annotated[str | None, Field(description="Shown once, at issue; store it safely")] = None

    @classmethod
    def of(cls, key: ApiKey, secret: str | None = None) -> ApiKeyResponse:
        return cls(
            key_id=key.key_id,
            kind=key.kind,
            tenant_id=key.tenant_id,
            partner_id=key.partner_id,
            label=key.label,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            secret=secret,
        )


class AssignRequest(Strict):
    partner_id: Annotated[str, Field(min_length=1, max_length=64)]

    model_config = ConfigDict(json_schema_extra={"examples": [{"partner_id": "par_2c9d1e0f4a5b6c7d8e9f"}]})


class ReviewItem(LazyModel):
    case_id: str
    tenant_id: str
    creditor_reference: str
    currency: str
    balance: Decimal
    debtor_jurisdiction: str
    since: datetime

    @classmethod
    def of(cls, case: Case) -> ReviewItem:
        address = case.intake.debtor.address
        return cls(
            case_id=case.case_id,
            tenant_id=case.tenant_id,
            creditor_reference=case.intake.creditor_reference,
            currency=case.intake.currency,
            balance=case.claim_as_of(utcnow().date()).balance,
            debtor_jurisdiction=address.subdivision or address.country,
            since=case.updated_at,
        )


class ReviewQueueResponse(LazyModel):
    items: list[ReviewItem]
