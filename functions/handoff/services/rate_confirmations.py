"""The business confirms an assumed reference rate for one case; held cases go back into the workflow.

A confirmation is kept with the case (`ClaimOptions.confirmed_rates`) and on its timeline
(`rate.confirmed`): it covers the unrecorded days it names at the value assumed when it was given.
A case held for `stale_rate` is released as soon as nothing it needs is unrecorded and unconfirmed:
after a confirmation, or after an operator records the fixing (`release_settled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from handoff.domain.case import SYSTEM, Case, Principal
from handoff.domain.claim import Claim, RateConfirmation
from handoff.domain.errors import ConflictError, FieldProblem, InvalidRequestError
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.reference_rates import pack_in_force
from handoff.observability import logger
from handoff.services.cases import update_case
from handoff.services.rate_holds import STALE_RATE, stale_period
from handoff.services.workflow import WorkflowDeps, release_hold

MAX_KEPT = 100  # ClaimOptions.confirmed_rates holds at most this many
RELEASE_BATCH = 200


@dataclass(frozen=True)
class Confirmed:
    case: Case
    confirmations: list[RateConfirmation]
    claim: Claim  # the claim of today, with the confirmations applied


def _check(series: str, period_from: date | None, period_to: date | None, today: date) -> None:
    problems = []
    known = pack_in_force().reference_rates
    if series not in known:
        problems.append(
            FieldProblem(
                ("series",), f"unknown reference series {series!r}; known: {', '.join(sorted(known))}"
            )
        )
    if period_to is not None and period_to > today:
        problems.append(
            FieldProblem(
                ("period_to",), f"{period_to} has not come: only days up to {today} can be confirmed"
            )
        )
    if period_from is not None and period_to is not None and period_from > period_to:
        problems.append(FieldProblem(("period_from",), f"{period_from} is after period_to {period_to}"))
    if problems:
        raise InvalidRequestError(problems)


def confirm_rates(
    deps: WorkflowDeps,
    caller: Principal,
    case_id: str,
    series: str,
    period_from: date | None,
    period_to: date | None,
    note: str | None,
    now: datetime,
) -> Confirmed:
    """Accept the value assumed for the unrecorded days of `series` (default: every such period today)."""
    assert caller.tenant_id
    case = deps.cases.get(caller.tenant_id, case_id)  # another tenant's case: 404
    today = now.date()
    _check(series, period_from, period_to, today)
    stale = [
        w for w in case.claim_as_of(today, letter_date=today).unconfirmed_stale_rates if w.series == series
    ]
    first = period_from or min((w.period_from for w in stale if w.period_from), default=today)
    last = period_to or max((w.period_to for w in stale if w.period_to), default=today)
    covered = [
        w for w in stale if w.period_from and w.period_to and first <= w.period_from and w.period_to <= last
    ]
    if not covered:
        open_ = "; ".join(f"{w.period_from}..{w.period_to} at {w.assumed_percent}%" for w in stale) or "none"
        raise ConflictError(
            f"nothing to confirm: the claim of {today} assumes no unrecorded value of {series} within "
            f"{first}..{last} (unconfirmed periods of {series}: {open_})"
        )
    confirmations = [
        RateConfirmation(series=series, period_from=first, period_to=last, assumed_percent=percent)
        for percent in sorted({w.assumed_percent for w in covered if w.assumed_percent is not None})
    ]

    def confirm(c: Case) -> None:
        kept = [
            old
            for old in c.claim_options.confirmed_rates
            if not any(
                new.covers(old.series, old.period_from, old.period_to, old.assumed_percent)
                for new in confirmations
            )
        ]
        c.claim_options = c.claim_options.model_copy(
            update={"confirmed_rates": [*kept, *confirmations][-MAX_KEPT:]}
        )
        c.record(
            "rate.confirmed",
            caller.actor,
            now,
            {"series": series, "periods": [stale_period(w) for w in covered], "note": note},
        )

    update_case(deps.cases, caller.tenant_id, case_id, confirm)
    release_if_rates_settled(deps, caller.tenant_id, case_id, now)
    case = deps.cases.get(caller.tenant_id, case_id)
    return Confirmed(case, confirmations, case.claim_as_of(today, letter_date=today))


def release_if_rates_settled(deps: WorkflowDeps, tenant_id: str, case_id: str, now: datetime) -> bool:
    """A case held only for `stale_rate` goes back into the workflow once no rate it needs is assumed."""
    case = deps.cases.get(tenant_id, case_id)
    if case.status != CaseStatus.on_hold or case.workflow.hold_reasons != [STALE_RATE]:
        return False
    if case.claim_as_of(now.date(), letter_date=now.date()).unconfirmed_stale_rates:
        return False
    release_hold(deps, tenant_id, case_id, SYSTEM, now)
    return True


def release_settled(deps: WorkflowDeps, now: datetime) -> int:
    """After a fixing is recorded: release every held case whose rates are now all recorded or confirmed."""
    released = 0
    for tenant_id, case_id in deps.cases.held_for(STALE_RATE, RELEASE_BATCH):
        try:
            released += release_if_rates_settled(deps, tenant_id, case_id, now)
        except ConflictError:  # it moved on meanwhile (released by its business, withdrawn): skip it
            logger.info("held case changed while releasing", extra={"case_id": case_id})
    return released
