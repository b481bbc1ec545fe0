"""Use cases on cases: submit, read, list, follow the timeline, log a contact."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from handoff.domain.case import GENESIS, Case, CaseEvent, ChainBreak, Principal, verify_chain
from handoff.domain.claim import ClaimOptions
from handoff.domain.errors import IdempotencyConflictError
from handoff.domain.ids import new_sortable_id
from handoff.domain.intake_rules import check_intake
from handoff.domain.jurisdictions.pack import RoundingMode
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import CaseIntake, ContactAttempt
from handoff.domain.retention import check_not_erased
from handoff.services.ports import (
    CaseRepository,
    ConcurrentUpdateError,
    DuplicateClaimError,
    Page,
    TenantRepository,
)

MAX_ATTEMPTS = 25
BACKOFF_S = 0.01  # full jitter: up to 10 ms, 20 ms, 40 ms… capped at BACKOFF_CAP_S
BACKOFF_CAP_S = 0.5  # 25 attempts: about 10 s in all at worst (50 writers on one case need > 10)


def _tenant(caller: Principal) -> str:
    assert caller.tenant_id, "business principals always carry a tenant"
    return caller.tenant_id


def intake_claim(tenant_id: str, idempotency_key: str) -> str:
    """Claimed with the case's first write: one case per tenant and Idempotency-Key, ever."""
    return f"intake#{tenant_id}#{hashlib.sha256(idempotency_key.encode()).hexdigest()}"


def claim_options_for(tenants: TenantRepository, caller: Principal) -> ClaimOptions:
    """The creditor's choices that shape its cases' figures (kept on each case it submits)."""
    profile = tenants.get(_tenant(caller)).profile
    return ClaimOptions(rounding=RoundingMode(profile.interest_rounding))


def submit_case(
    cases: CaseRepository,
    caller: Principal,
    intake: CaseIntake,
    now: datetime,
    idempotency_key: str,
    options: ClaimOptions | None = None,
) -> Case:
    """Validate the rules that span fields, then store the case and its first event.

    The idempotency record answers replays; this claim, written in the same transaction as
    the case, is what makes a second case impossible when that record was lost (its write
    failed after the case was stored, say, and the retry came after it stopped being in
    progress): the retry gets the case the key already made, or a conflict if its body differs.
    """
    check_intake(intake)
    tenant_id = _tenant(caller)
    claim = intake_claim(tenant_id, idempotency_key)
    case = Case.submit(
        new_sortable_id("case", int(now.timestamp() * 1000)), tenant_id, intake, caller.actor, now, options
    )
    case.claim(claim)
    try:
        cases.save(case)
    except DuplicateClaimError:
        owner = cases.claimant(claim)
        if owner is None:  # claims are never deleted: not reached
            raise
        existing = cases.get(*owner)
        if existing.intake.model_dump(mode="json") != intake.model_dump(mode="json"):
            raise IdempotencyConflictError(
                "this Idempotency-Key was already used with a different request body"
            ) from None
        return existing
    return case


def get_case(cases: CaseRepository, caller: Principal, case_id: str) -> Case:
    return cases.get(_tenant(caller), case_id)


def list_cases(
    cases: CaseRepository, caller: Principal, status: CaseStatus | None, limit: int, cursor: str | None
) -> Page[Case]:
    return cases.list_page(_tenant(caller), status, limit, cursor)


def case_events(
    cases: CaseRepository, caller: Principal, case_id: str, limit: int, cursor: str | None
) -> Page[CaseEvent]:
    return cases.events(_tenant(caller), case_id, limit, cursor)


def update_case(
    cases: CaseRepository,
    tenant_id: str,
    case_id: str,
    change: Callable[[Case], None],
    sleep: Callable[[float], None] = time.sleep,
) -> Case:
    """Apply `change` to the latest version; on a concurrent write, back off, reload, apply again."""
    for attempt in range(MAX_ATTEMPTS):
        case = cases.get(tenant_id, case_id)
        case.pending_events, case.pending_claims = [], []
        change(case)
        try:
            cases.save(case)
            return case
        except ConcurrentUpdateError:
            ceiling = min(BACKOFF_CAP_S, BACKOFF_S * 2**attempt)
            sleep(random.uniform(0, ceiling))  # noqa: S311 - jitter, not crypto
    raise ConcurrentUpdateError(f"case {case_id} kept changing; gave up after {MAX_ATTEMPTS} attempts")


def log_contact(
    cases: CaseRepository, caller: Principal, case_id: str, attempt: ContactAttempt, now: datetime
) -> Case:
    def add(case: Case) -> None:
        check_not_erased(case)
        case.add_contact(attempt, caller.actor, now)

    return update_case(cases, _tenant(caller), case_id, add)


@dataclass(frozen=True)
class Verification:
    case_id: str
    events: int
    last_hash: str
    breaks: list[ChainBreak]
    packets: int = 0
    erased: bool = False  # the personal data was erased: packets are gone, markers stand in the events

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify_case(cases: CaseRepository, caller: Principal, case_id: str) -> Verification:
    """Recompute the timeline's hash chain and compare it with the case's last recorded hash."""
    case = cases.get(_tenant(caller), case_id)
    events = cases.all_events(case.tenant_id, case_id)
    breaks = verify_chain(events, case.redaction_salt)
    last = events[-1].hash if events else GENESIS
    if last != case.last_event_hash or len(events) != case.version:
        breaks.append(ChainBreak(case.version, "the timeline does not end where the case says it does"))
    erased = case.erasure is not None and case.erasure.completed_at is not None
    return Verification(case_id, len(events), case.last_event_hash, breaks, erased=erased)
