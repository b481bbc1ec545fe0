"""API keys: issued to a business, a partner or an operator; stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from handoff.domain.principals import Principal, PrincipalKind

KEY_PREFIX = "hk"


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


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret() -> str:
    """A bearer token: `hk_` and 256 random bits. Only its SHA-256 is ever stored."""
    return f"{KEY_PREFIX}_{secrets.token_urlsafe(32)}"
