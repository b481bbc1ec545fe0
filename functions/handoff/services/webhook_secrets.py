"""Partners' webhook secrets: issued once, sealed at rest, two active during a rotation."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from handoff.domain.errors import NotFoundError

SECRET_BYTES = 32


class SecretSealer(Protocol):
    def seal(self, secret: str, context: dict[str, str]) -> str: ...

    def open(self, sealed: str, context: dict[str, str]) -> str: ...


class SecretStore(Protocol):
    def active(self, partner_id: str) -> list[Any]: ...

    def add(self, partner_id: str, sealed: str, now: datetime) -> tuple[Any, Any]: ...


@dataclass(frozen=True)
class IssuedSecret:
    secret_id: str
    secret: str  # shown once
    created_at: datetime
    retired_secret_id: str | None


def issue_secret(
    store: SecretStore,
    box: SecretSealer,
    partner_exists: Callable[[str], bool],
    partner_id: str,
    now: datetime,
) -> IssuedSecret:
    """A new `whsec_…` secret for the partner (sealed at rest); the oldest of two active ones retires."""
    if not partner_exists(partner_id):
        raise NotFoundError(f"partner {partner_id} not found")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()
    stored, retired = store.add(partner_id, box.seal(secret, {"partner_id": partner_id}), now)
    return IssuedSecret(stored.secret_id, secret, stored.created_at, retired.secret_id if retired else None)
