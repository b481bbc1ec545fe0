"""Outbound webhooks: endpoints a business registers, and the attempts to deliver case events to them.

Signing follows the Standard Webhooks specification (the `standardwebhooks` library signs; nothing
here invents a scheme). Retries use exponential back-off with jitter.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

ALL_EVENTS = "*"


class DeliveryStatus(StrEnum):
    delivered = "delivered"
    failed = "failed"  # another attempt is scheduled (`next_attempt_at`)
    dead = "dead"  # attempts exhausted: the message went to the dead-letter queue


class DeliveryOutcome(StrEnum):
    """What happened to one attempt."""

    delivered = "delivered"  # a 2xx answer
    rejected = "rejected"  # another answer (a 3xx too: redirects are never followed)
    no_response = "no_response"  # timeout, connection refused, TLS failure
    unresolved = "unresolved"  # the host name did not resolve
    blocked_address = "blocked_address"  # the name resolved to a non-public address: nothing was sent

    @classmethod
    def of_response(cls, status_code: int | None) -> DeliveryOutcome:
        if status_code is None:
            return cls.no_response
        return cls.delivered if 200 <= status_code < 300 else cls.rejected


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
    outcome: DeliveryOutcome
    response_code: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
    replay_of: str | None = None


def new_signing_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


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
