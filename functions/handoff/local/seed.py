"""Seed data the local runtime needs before the first request."""

from __future__ import annotations

from handoff.adapters.key_store import key_repository
from handoff.domain.api_keys import ApiKey
from handoff.domain.case import PrincipalKind
from handoff.domain.clock import utcnow
from handoff.services.access import seed_key


def seed_operator_key(secret: str) -> ApiKey:
    """Make `secret` (from HANDOFF_OPERATOR_KEY) a valid operator key."""
    return seed_key(key_repository(), PrincipalKind.operator, secret, "seeded operator key", utcnow())
