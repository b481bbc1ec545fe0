"""The case lifecycle (DESIGN.md §2): every allowed transition, in one table."""

from __future__ import annotations

from enum import StrEnum

from handoff.domain.errors import TransitionError


class CaseStatus(StrEnum):
    submitted = "submitted"
    on_hold = "on_hold"
    packet_ready = "packet_ready"
    demand_issued = "demand_issued"
    resolved = "resolved"
    routing = "routing"
    assigned = "assigned"
    accepted = "accepted"
    in_recovery = "in_recovery"
    manual_review = "manual_review"
    recovered = "recovered"
    settled = "settled"
    judgment = "judgment"
    uncollectible = "uncollectible"
    withdrawn = "withdrawn"
    failed = "failed"
    closed = "closed"


S = CaseStatus
_OUTCOMES = {S.recovered, S.settled, S.judgment, S.uncollectible, S.withdrawn}

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    # uncollectible before handoff: the debt is extinguished (prescription) and closes as time_barred
    S.submitted: frozenset({S.on_hold, S.packet_ready, S.resolved, S.uncollectible, S.withdrawn, S.failed}),
    S.on_hold: frozenset(
        {S.submitted, S.packet_ready, S.manual_review, S.resolved, S.uncollectible, S.withdrawn, S.failed}
    ),
    S.packet_ready: frozenset({S.demand_issued, S.on_hold, S.resolved, S.withdrawn, S.failed}),
    S.demand_issued: frozenset({S.resolved, S.on_hold, S.routing, S.withdrawn, S.failed}),
    S.routing: frozenset({S.assigned, S.manual_review, S.on_hold, S.resolved, S.withdrawn, S.failed}),
    S.assigned: frozenset({S.accepted, S.routing, S.manual_review, S.resolved, S.withdrawn, S.failed}),
    S.accepted: frozenset({S.in_recovery, S.withdrawn, S.failed}),
    S.manual_review: frozenset({S.assigned, S.routing, S.on_hold, S.resolved, S.withdrawn}),
    S.in_recovery: frozenset(_OUTCOMES),
    S.recovered: frozenset({S.closed}),
    # A settlement that defaults may go to court; a judgment may be settled; either may prove uncollectible.
    S.settled: frozenset({S.in_recovery, S.recovered, S.judgment, S.uncollectible, S.closed}),
    S.judgment: frozenset({S.in_recovery, S.recovered, S.settled, S.uncollectible, S.closed}),
    S.uncollectible: frozenset({S.closed}),
    S.withdrawn: frozenset({S.closed}),
    S.resolved: frozenset({S.closed}),
    S.failed: frozenset({S.submitted, S.manual_review, S.withdrawn}),
    S.closed: frozenset(),
}

TERMINAL = frozenset({S.closed})
OPEN = frozenset(s for s in CaseStatus if s not in {S.closed, S.resolved, S.withdrawn, *_OUTCOMES})


def can_transition(current: CaseStatus, target: CaseStatus) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: CaseStatus, target: CaseStatus) -> CaseStatus:
    """Return `target` if the table allows it from `current`, else raise `TransitionError`."""
    if not can_transition(current, target):
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise TransitionError(f"a case in {current} cannot move to {target} (allowed: {allowed})")
    return target
