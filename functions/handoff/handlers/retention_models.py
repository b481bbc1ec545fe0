"""Request and response models of retention: the tenant's policy, legal holds, a case's erasure."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.input_types import FREE_TEXT
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import Strict
from handoff.domain.retention import MAX_RETENTION_DAYS, Erasure, LegalHold, erase_after

if TYPE_CHECKING:
    from handoff.domain.case import Case
    from handoff.domain.retention import RetentionPolicy


class RetentionPolicyRequest(Strict):
    """How long a tenant's ended cases keep their personal data; `null` returns to the default."""

    days_after_close: Annotated[
        int | None,
        Field(
            ge=0,
            le=MAX_RETENTION_DAYS,
            description="Days after a case ends (closed, resolved, withdrawn) before its personal data "
            "is erased by the daily job; 0: at the next run; null: the platform's default",
        ),
    ]

    model_config = ConfigDict(json_schema_extra={"examples": [{"days_after_close": 2190}]})


class RetentionPolicyResponse(LazyModel):
    tenant_id: str
    days_after_close: Annotated[int, Field(description="The policy in force")]
    source: Annotated[Literal["tenant", "default"], Field(description="Set for this tenant, or the default")]
    default_days: Annotated[int, Field(description="The platform's default, used when none is set")]

    @classmethod
    def of(cls, tenant_id: str, policy: "RetentionPolicy", default_days: int) -> "RetentionPolicyResponse":
        return cls(
            tenant_id=tenant_id,
            days_after_close=policy.days_after_close,
            source=policy.source,
            default_days=default_days,
        )


class LegalHoldRequest(Strict):
    reason: Annotated[
        str,
        FREE_TEXT,
        Field(min_length=1, max_length=2000, description="Why; recorded on the timeline (erasable)"),
    ]

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Claim issued in the County Court; preserve the file"}]}
    )


class CaseRetentionResponse(LazyModel):
    """Where a case stands on retention: when it ended, when its personal data goes, what holds it."""

    case_id: str
    status: CaseStatus
    closed_at: Annotated[datetime | None, Field(description="When the case ended; null while open")]
    days_after_close: Annotated[int, Field(description="The tenant's retention policy in force")]
    erase_after: Annotated[
        datetime | None, Field(description="When the daily job may erase it (absent a hold); null while open")
    ]
    legal_holds: Annotated[list[LegalHold], Field(description="Holds in force; any one suspends erasure")]
    erasure: Annotated[Erasure | None, Field(description="The erasure, once started")]

    @classmethod
    def of(cls, case: "Case", days: int) -> "CaseRetentionResponse":
        return cls(
            case_id=case.case_id,
            status=case.status,
            closed_at=case.closed_at,
            days_after_close=days,
            erase_after=erase_after(case, days),
            legal_holds=case.legal_holds,
            erasure=case.erasure,
        )
