"""Businesses (tenants), their profile, and API keys (stored only as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import Field

from handoff.domain.case import Principal, PrincipalKind
from handoff.domain.models import Address, Phone, ShortText, Strict

KEY_PREFIX = "hk"


class PaymentInstructions(Strict):
    """How a debtor pays the creditor; printed in demand letters."""

    account_name: ShortText
    bank_name: Annotated[str | None, Field(max_length=200)] = None
    iban: Annotated[str | None, Field(max_length=34, pattern=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")] = None
    bic: Annotated[str | None, Field(max_length=11, pattern=r"^[A-Z0-9]{8}([A-Z0-9]{3})?$")] = None
    sort_code: Annotated[str | None, Field(pattern=r"^\d{2}-?\d{2}-?\d{2}$")] = None
    account_number: Annotated[str | None, Field(max_length=34)] = None
    routing_number: Annotated[str | None, Field(pattern=r"^\d{9}$")] = None
    pay_url: Annotated[str | None, Field(max_length=500, pattern=r"^https://")] = None
    reference_hint: Annotated[
        str | None, Field(max_length=200, description="What the debtor should quote as the payment reference")
    ] = None


class BusinessContact(Strict):
    name: ShortText
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    phone: Phone | None = None


class TenantProfile(Strict):
    """The creditor: a business that escalates debts through Handoff."""

    legal_name: ShortText
    registration_number: Annotated[str | None, Field(max_length=50)] = None
    address: Address
    contact: BusinessContact
    payment_instructions: PaymentInstructions


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    profile: TenantProfile
    created_at: datetime


@dataclass(frozen=True)
class ApiKey:
    """An issued key. The secret itself is never stored, only its SHA-256."""

    key_id: str
    kind: PrincipalKind
    secret_sha256: str
    created_at: datetime
    tenant_id: str | None = None
    partner_id: str | None = None
    revoked_at: datetime | None = None
    label: str | None = None

    @property
    def principal(self) -> Principal:
        return Principal(self.kind, self.key_id, self.tenant_id, self.partner_id)


def new_id(prefix: str) -> str:
    """A random identifier with a readable prefix, e.g. `ten_3f9a…`."""
    return f"{prefix}_{secrets.token_hex(10)}"


def new_sortable_id(prefix: str, now_ms: int) -> str:
    """Like `new_id`, but ordered by creation time: 48 bits of milliseconds, then 32 random bits."""
    return f"{prefix}_{now_ms:012x}{secrets.token_hex(4)}"


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret() -> str:
    """A bearer token: `hk_` and 256 random bits. Only its SHA-256 is ever stored."""
    return f"{KEY_PREFIX}_{secrets.token_urlsafe(32)}"
