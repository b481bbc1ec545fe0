"""A letter never states interest at a reference rate nobody recorded or confirmed.

`check_rates_recorded` refuses a letter (409, naming each unrecorded period); the workflow does not
fail on it but puts the case on hold with the reason `stale_rate` (`hold_if_rates_unconfirmed`),
to be released when an operator records the fixing or the business confirms the assumed rate
(`services.rate_confirmations`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handoff.domain.case import SYSTEM, Case
from handoff.domain.claim import Claim, ClaimWarning
from handoff.domain.errors import StaleRateError
from handoff.domain.lifecycle import CaseStatus
from handoff.services.cases import update_case
from handoff.services.ports import CaseRepository

STALE_RATE = "stale_rate"


def stale_period(warning: ClaimWarning) -> dict[str, Any]:
    """A stale_rate warning as the problem document and the timeline show it."""
    return {
        "series": warning.series,
        "period_from": str(warning.period_from),
        "period_to": str(warning.period_to),
        "assumed_percent": str(warning.assumed_percent),
    }


def _described(warning: ClaimWarning) -> str:
    days = (
        str(warning.period_from)
        if warning.period_from == warning.period_to
        else f"{warning.period_from} to {warning.period_to}"
    )
    return f"{warning.series} for {days} ({warning.assumed_percent}% assumed)"


def check_rates_recorded(claim: Claim, case_id: str) -> None:
    """Raise StaleRateError (409) when the claim assumes a reference value nobody recorded or confirmed."""
    stale = claim.unconfirmed_stale_rates
    if not stale:
        return
    raise StaleRateError(
        "a reference rate this letter needs is not recorded: "
        + "; ".join(_described(w) for w in stale)
        + ". An operator records the fixing (PUT /v1/reference-rates/{series}/{effective_from}), or the "
        f"business confirms the assumed rate for this case (POST /v1/cases/{case_id}/rate-confirmations).",
        [stale_period(w) for w in stale],
    )


def hold_if_rates_unconfirmed(cases: CaseRepository, tenant_id: str, case_id: str, now: datetime) -> bool:
    """Put the case on hold (reason `stale_rate`) when today's letter would assume an unrecorded rate."""
    case = cases.get(tenant_id, case_id)
    stale = case.claim_as_of(now.date(), letter_date=now.date()).unconfirmed_stale_rates
    if not stale:
        return False
    reasons = [{"code": STALE_RATE, "detail": w.detail, **stale_period(w)} for w in stale]

    def hold(c: Case) -> None:
        c.workflow.hold_reasons = [STALE_RATE]
        c.workflow.waiting_for = c.workflow.task_token = None
        c.transition(
            CaseStatus.on_hold,
            SYSTEM,
            now,
            "a reference rate the letters need is neither recorded nor confirmed",
            reasons=reasons,
        )

    update_case(cases, tenant_id, case_id, hold)
    return True
