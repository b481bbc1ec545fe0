"""Identifiers: random, with a readable prefix (`ten_3f9a…`), some ordered by creation time."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """A random identifier with a readable prefix, e.g. `ten_3f9a…`."""
    return f"{prefix}_{secrets.token_hex(10)}"


def new_sortable_id(prefix: str, now_ms: int) -> str:
    """Like `new_id`, but ordered by creation time: 48 bits of milliseconds, then 32 random bits."""
    return f"{prefix}_{now_ms:012x}{secrets.token_hex(4)}"
