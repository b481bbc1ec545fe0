"""Eligibility before any handoff (DESIGN.md §4): what holds a case back, and why.

`check_eligibility` is pure: the limitation status comes from the jurisdiction rule pack and
the list of missing evidence from the evidence checklist, both passed in as plain values.

Decisions:

* **Open dispute.** The debtor's `disputed` flag, or a `disputed` outcome in the contact log
  that no later `acknowledged` or `partial_payment` outcome follows (the log is read in time
  order; attempts at the same instant keep their log order). A dispute is never cleared by a
  mere `promised_to_pay`.
* **Insolvency** holds the case and asks for attorney review (claims in insolvency go to the
  insolvency practitioner or the court, not to an agency).
* **Time-barred** (`expired` or `extinguished`) sets `time_barred=True` with reason
  `time_barred`. An `expired` claim is held, as the lifecycle puts time-barred cases on hold: an
  operator may release it, and then no letter may threaten suit (only a request for payment).
  An `extinguished` one (prescription, GB-SCT) also sets `extinguished=True`: the debt no longer
  exists, so the workflow closes the case (close code `time_barred`) instead of holding it.
* **Too few contact attempts**: fewer outbound attempts than `min_contact_attempts`.
* **Missing evidence**: any item listed in `required_evidence_missing`.

All reasons that apply are reported, in that order; a case is eligible when there are none.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.models import CaseIntake, ContactAttempt, ContactOutcome
from handoff.domain.summary import CaseSummary

TIME_BARRED_STATUSES = frozenset({"expired", "extinguished"})
DISPUTE_CLEARED_BY = frozenset({ContactOutcome.acknowledged, ContactOutcome.partial_payment})


class HoldCode(StrEnum):
    disputed = "disputed"
    insolvent = "insolvent"
    time_barred = "time_barred"
    insufficient_contact = "insufficient_contact"
    missing_evidence = "missing_evidence"


class HoldReason(LazyModel):
    model_config = ConfigDict(frozen=True)

    code: Annotated[HoldCode, Field(description="Stable reason code")]
    text: Annotated[str, Field(description="For people: what holds the case and the numbers behind it")]
    details: Annotated[
        dict[str, int | str | list[str]], Field(description="For machines: the same facts as values")
    ] = {}


class Eligibility(LazyModel):
    model_config = ConfigDict(frozen=True)

    eligible: Annotated[bool, Field(description="No hold reason applies: the case may be handed off")]
    hold_reasons: Annotated[
        list[HoldReason], Field(description="Every reason that applies, in a fixed order")
    ]
    attorney_review: Annotated[bool, Field(description="An attorney should look at the case (insolvency)")]
    time_barred: Annotated[bool, Field(description="Limitation expired: no letter may threaten suit")]
    extinguished: Annotated[
        bool, Field(description="The debt no longer exists (prescription): the case closes, time_barred")
    ] = False

    @property
    def hold_codes(self) -> list[HoldCode]:
        return [reason.code for reason in self.hold_reasons]


def open_dispute(contact_log: Sequence[ContactAttempt]) -> ContactAttempt | None:
    """The `disputed` attempt not followed by an acknowledgement or payment, if any."""
    dispute: ContactAttempt | None = None
    for attempt in sorted(contact_log, key=lambda a: a.at):  # stable: same instant keeps log order
        if attempt.outcome is ContactOutcome.disputed:
            dispute = attempt
        elif attempt.outcome in DISPUTE_CLEARED_BY:
            dispute = None
    return dispute


def check_eligibility(
    intake: CaseIntake,
    summary: CaseSummary,
    limitation_status: str | None,
    min_contact_attempts: int = 2,
    required_evidence_missing: Sequence[str] = (),
) -> Eligibility:
    """Whether the case may be handed off, with every reason it may not."""
    reasons: list[HoldReason] = []
    flags = intake.debtor.flags

    dispute = open_dispute(intake.contact_log)
    if flags.disputed or dispute is not None:
        sources = (["debtor flagged as disputing"] if flags.disputed else []) + (
            [f"dispute logged at {dispute.at.isoformat()} not followed by an acknowledgement or payment"]
            if dispute is not None
            else []
        )
        reasons.append(
            HoldReason(
                code=HoldCode.disputed,
                text="open dispute: " + "; ".join(sources),
                details={"sources": sources},
            )
        )

    if flags.insolvent:
        reasons.append(
            HoldReason(code=HoldCode.insolvent, text="debtor is insolvent or bankrupt: attorney review")
        )

    status = (limitation_status or "").strip().lower()
    time_barred = status in TIME_BARRED_STATUSES
    extinguished = status == "extinguished"
    if time_barred:
        gone = "; the debt no longer exists and is never demanded: the case closes" if extinguished else ""
        reasons.append(
            HoldReason(
                code=HoldCode.time_barred,
                text=f"limitation period {status}: no letter may threaten suit{gone}",
                details={"limitation_status": status},
            )
        )

    attempts = summary.contacts.attempts
    if attempts < min_contact_attempts:
        reasons.append(
            HoldReason(
                code=HoldCode.insufficient_contact,
                text=f"{attempts} outbound contact attempts logged, at least {min_contact_attempts} required",
                details={"attempts": attempts, "required": min_contact_attempts},
            )
        )

    missing = list(dict.fromkeys(required_evidence_missing))  # de-duplicated, order kept
    if missing:
        reasons.append(
            HoldReason(
                code=HoldCode.missing_evidence,
                text="missing evidence: " + ", ".join(missing),
                details={"missing": missing},
            )
        )

    return Eligibility(
        eligible=not reasons,
        hold_reasons=reasons,
        attorney_review=flags.insolvent,
        time_barred=time_barred,
        extinguished=extinguished,
    )
