"""Authenticating a bearer token: the one use case of the authorizer, kept apart so it loads little."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handoff.domain.api_keys import hash_secret

if TYPE_CHECKING:
    from handoff.domain.principals import Principal
    from handoff.services.ports import KeyRepository


class AuthenticationError(Exception):
    """The token is missing, unknown, malformed or revoked."""


def authenticate(keys: KeyRepository, authorization: str | None) -> Principal:
    """Turn an `Authorization: Bearer <key>` header into the caller, or refuse it."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or len(token) < 16:
        raise AuthenticationError("no bearer key")
    key = keys.find_by_secret_hash(hash_secret(token))
    if key is None:
        raise AuthenticationError("unknown key")
    if key.revoked_at is not None:
        raise AuthenticationError("revoked key")
    return key.principal
