"""Outbound webhooks: endpoints a business registers, and the attempts to deliver case events to them.

Signing follows the Standard Webhooks specification (the `standardwebhooks` library signs; nothing
here invents a scheme). Retries use exponential back-off with jitter.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from handoff.domain.errors import FieldProblem, InvalidRequestError

ALL_EVENTS = "*"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class DeliveryStatus(StrEnum):
    delivered = "delivered"
    failed = "failed"  # another attempt is scheduled (`next_attempt_at`)
    dead = "dead"  # attempts exhausted: the message went to the dead-letter queue


@dataclass(frozen=True)
class WebhookEndpoint:
    endpoint_id: str
    tenant_id: str
    url: str
    event_types: tuple[str, ...]
    created_at: datetime
    description: str | None = None

    def wants(self, event_type: str) -> bool:
        return ALL_EVENTS in self.event_types or event_type in self.event_types


@dataclass(frozen=True)
class OutboundEvent:
    """One committed case event, as queued for the businesses' endpoints (no actor, no hashes)."""

    tenant_id: str
    case_id: str
    seq: int
    type: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> str:
        """The Standard Webhooks body: `type`, `timestamp`, `data` (with the case id and sequence)."""
        body = {
            "type": self.type,
            "timestamp": self.at.isoformat(),
            "data": {"case_id": self.case_id, "seq": self.seq, **self.data},
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)

    def message_id(self, endpoint_id: str) -> str:
        """The `webhook-id`: the same for every attempt and replay of this event to this endpoint."""
        key = f"{self.tenant_id}|{self.case_id}|{self.seq}|{endpoint_id}".encode()
        return f"msg_{hashlib.sha256(key).hexdigest()[:32]}"


@dataclass(frozen=True)
class DeliveryAttempt:
    """One attempt to deliver an event to an endpoint; every attempt is kept."""

    delivery_id: str
    tenant_id: str
    endpoint_id: str
    message_id: str
    event_type: str
    case_id: str
    seq: int
    attempt: int
    status: DeliveryStatus
    attempted_at: datetime
    payload: str
    response_code: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
    replay_of: str | None = None


def new_signing_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_endpoint_url(url: str, allow_loopback: bool) -> str:
    """https only; plain http only to this machine, and only where the runtime allows it."""
    parts = urlsplit(url)
    problem = None
    host = (parts.hostname or "").lower()
    if not (url.isascii() and url.isprintable()) or " " in url:
        problem = "must be a URI: printable ASCII, anything else percent-encoded (hosts in IDNA form)"
    elif not host or parts.username or parts.password:
        problem = "must be an absolute https URL without credentials"
    elif parts.scheme == "http" and host in LOOPBACK_HOSTS:
        if not allow_loopback:
            problem = "must use https"
    elif parts.scheme != "https":
        problem = "must use https"
    elif _is_private_address(host):
        problem = "must not point at a private or loopback address"
    if problem:
        raise InvalidRequestError([FieldProblem(("url",), problem)])
    return url


def _is_private_address(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


def retry_delay(
    attempt: int, base_seconds: float, cap_seconds: float, rng: random.Random | None = None
) -> int:
    """Seconds to wait after failed attempt `attempt` (1-based): exponential back-off with jitter.

    The ceiling doubles each attempt (base·2^(n-1), at most `cap_seconds`); the delay is drawn
    uniformly between half the ceiling and the ceiling, so retries of many events spread out.

    Whole seconds, at least 1, because SQS `DelaySeconds` takes whole seconds (0 to 900).
    """
    ceiling = min(cap_seconds, base_seconds * 2 ** (attempt - 1))
    drawn = (rng or random.SystemRandom()).uniform(ceiling / 2, ceiling)
    return max(1, min(900, round(drawn)))
