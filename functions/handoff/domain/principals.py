"""Who calls the API: the kind of key and the tenant or partner it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PrincipalKind(StrEnum):
    business = "business"
    agency = "agency"
    attorney = "attorney"
    operator = "operator"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the kind of key and the tenant or partner it belongs to."""

    kind: PrincipalKind
    key_id: str
    tenant_id: str | None = None
    partner_id: str | None = None

    @property
    def actor(self) -> str:
        owner = self.tenant_id or self.partner_id or "platform"
        return f"{self.kind}:{owner}:{self.key_id}"
