"""Eligibility: every hold reason on its own, at its edge, and together."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from handoff.domain.claim import claim_as_of
from handoff.domain.eligibility import Eligibility, HoldCode, check_eligibility, open_dispute
from handoff.domain.models import CaseIntake
from handoff.domain.summary import summarize

AS_OF = date(2026, 9, 1)


def attempt(at: str, outcome: str, direction: str = "outbound") -> dict[str, Any]:
    return {"at": at, "channel": "phone", "direction": direction, "outcome": outcome}


def check(
    payload: dict[str, Any],
    *,
    flags: dict[str, bool] | None = None,
    log: list[dict[str, Any]] | None = None,
    limitation: str | None = "running",
    min_attempts: int = 2,
    missing: list[str] | None = None,
) -> Eligibility:
    body = copy.deepcopy(payload)
    if flags is not None:
        body["debtor"]["flags"] = flags
    if log is not None:
        body["contact_log"] = log
    intake = CaseIntake.model_validate(body)
    return check_eligibility(
        intake, summarize(intake, claim_as_of(intake, None, AS_OF)), limitation, min_attempts, missing or []
    )


def test_the_example_case_is_eligible(case_payload: dict[str, Any]) -> None:
    result = check(case_payload)
    assert result == Eligibility(eligible=True, hold_reasons=[], attorney_review=False, time_barred=False)


# --- open dispute -----------------------------------------------------------------------

DISPUTES = [
    # contact log, open dispute?
    ([attempt("2026-07-01T10:00:00Z", "disputed")], True),
    ([attempt("2026-07-01T10:00:00Z", "disputed", "inbound")], True),
    ([attempt("2026-07-01T10:00:00Z", "disputed"), attempt("2026-07-02T10:00:00Z", "acknowledged")], False),
    (
        [attempt("2026-07-01T10:00:00Z", "disputed"), attempt("2026-07-02T10:00:00Z", "partial_payment")],
        False,
    ),
    ([attempt("2026-07-01T10:00:00Z", "acknowledged"), attempt("2026-07-02T10:00:00Z", "disputed")], True),
    ([attempt("2026-07-01T10:00:00Z", "disputed"), attempt("2026-07-02T10:00:00Z", "promised_to_pay")], True),
    ([attempt("2026-07-01T10:00:00Z", "disputed"), attempt("2026-07-02T10:00:00Z", "no_answer")], True),
    # read in time order, not log order
    ([attempt("2026-07-02T10:00:00Z", "acknowledged"), attempt("2026-07-01T10:00:00Z", "disputed")], False),
    ([attempt("2026-07-02T10:00:00Z", "disputed"), attempt("2026-07-01T10:00:00Z", "acknowledged")], True),
    # offsets are instants: 12:00+02:00 is 10:00Z, before the 11:00Z acknowledgement
    (
        [attempt("2026-07-01T12:00:00+02:00", "disputed"), attempt("2026-07-01T11:00:00Z", "acknowledged")],
        False,
    ),
    # same instant: log order decides
    ([attempt("2026-07-01T10:00:00Z", "acknowledged"), attempt("2026-07-01T10:00:00Z", "disputed")], True),
    ([attempt("2026-07-01T10:00:00Z", "disputed"), attempt("2026-07-01T10:00:00Z", "acknowledged")], False),
    ([], False),
]


@pytest.mark.parametrize(("log", "disputed"), DISPUTES)
def test_a_dispute_in_the_contact_log_is_open_until_acknowledged_or_paid(
    case_payload: dict[str, Any], log: list[dict[str, Any]], disputed: bool
) -> None:
    padding = [attempt("2026-06-01T10:00:00Z", "no_answer"), attempt("2026-06-02T10:00:00Z", "no_answer")]
    result = check(case_payload, log=padding + log)
    assert (HoldCode.disputed in result.hold_codes) is disputed
    assert result.eligible is not disputed


def test_the_disputed_flag_holds_even_after_an_acknowledgement(case_payload: dict[str, Any]) -> None:
    log = [attempt("2026-07-01T10:00:00Z", "acknowledged"), attempt("2026-07-02T10:00:00Z", "no_answer")]
    result = check(case_payload, flags={"disputed": True}, log=log)
    assert result.hold_codes == [HoldCode.disputed]
    assert result.hold_reasons[0].text == "open dispute: debtor flagged as disputing"


def test_flag_and_logged_dispute_are_both_cited(case_payload: dict[str, Any]) -> None:
    log = [attempt("2026-07-01T10:00:00Z", "no_answer"), attempt("2026-07-03T09:15:00Z", "disputed")]
    [reason] = check(case_payload, flags={"disputed": True}, log=log).hold_reasons
    assert reason.details == {
        "sources": [
            "debtor flagged as disputing",
            "dispute logged at 2026-07-03T09:15:00+00:00 not followed by an acknowledgement or payment",
        ]
    }


def test_open_dispute_returns_the_last_unanswered_dispute(case_payload: dict[str, Any]) -> None:
    body = copy.deepcopy(case_payload)
    body["contact_log"] = [
        attempt("2026-07-01T10:00:00Z", "disputed"),
        attempt("2026-07-02T10:00:00Z", "acknowledged"),
        attempt("2026-07-03T10:00:00Z", "disputed"),
    ]
    intake = CaseIntake.model_validate(body)
    found = open_dispute(intake.contact_log)
    assert found is not None
    assert found.at.day == 3


# --- insolvency -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "held", "attorney"),
    [
        ({"insolvent": True}, True, True),
        ({"insolvent": False}, False, False),
        ({"prior_legal_disputes": True}, False, False),  # an escalation signal, not a hold
    ],
)
def test_insolvency_holds_and_asks_for_an_attorney(
    case_payload: dict[str, Any], flags: dict[str, bool], held: bool, attorney: bool
) -> None:
    result = check(case_payload, flags=flags)
    assert result.hold_codes == ([HoldCode.insolvent] if held else [])
    assert result.attorney_review is attorney


# --- limitation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "barred"),
    [
        (None, False),
        ("running", False),
        ("expiring_soon", False),
        ("unknown", False),
        ("expired", True),
        ("extinguished", True),
        ("EXPIRED", True),
        (" expired ", True),
    ],
)
def test_a_time_barred_debt_is_held_and_flagged(
    case_payload: dict[str, Any], status: str | None, barred: bool
) -> None:
    result = check(case_payload, limitation=status)
    assert result.time_barred is barred
    assert result.extinguished is (status == "extinguished")  # only then does the case close
    assert result.hold_codes == ([HoldCode.time_barred] if barred else [])
    if barred:
        assert "no letter may threaten suit" in result.hold_reasons[0].text


# --- contact attempts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outbound", "inbound", "required", "held"),
    [
        (0, 0, 2, True),
        (1, 0, 2, True),
        (1, 5, 2, True),  # inbound contacts do not count as attempts
        (2, 0, 2, False),
        (3, 0, 2, False),
        (2, 0, 3, True),
        (0, 0, 0, False),
    ],
)
def test_too_few_outbound_attempts_hold_with_the_numbers(
    case_payload: dict[str, Any], outbound: int, inbound: int, required: int, held: bool
) -> None:
    log = [attempt(f"2026-07-{day + 1:02d}T10:00:00Z", "no_answer") for day in range(outbound)]
    log += [attempt(f"2026-08-{day + 1:02d}T10:00:00Z", "no_answer", "inbound") for day in range(inbound)]
    result = check(case_payload, log=log, min_attempts=required)
    assert result.hold_codes == ([HoldCode.insufficient_contact] if held else [])
    if held:
        reason = result.hold_reasons[0]
        assert reason.text == f"{outbound} outbound contact attempts logged, at least {required} required"
        assert reason.details == {"attempts": outbound, "required": required}


# --- evidence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "text"),
    [
        ([], None),
        (["signed_agreement"], "missing evidence: signed_agreement"),
        (
            ["invoice:INV-1001", "signed_agreement", "invoice:INV-1001"],
            "missing evidence: invoice:INV-1001, signed_agreement",
        ),
    ],
)
def test_missing_evidence_is_listed(
    case_payload: dict[str, Any], missing: list[str], text: str | None
) -> None:
    result = check(case_payload, missing=missing)
    if text is None:
        assert result.eligible
    else:
        [reason] = result.hold_reasons
        assert (reason.code, reason.text) == (HoldCode.missing_evidence, text)
        assert reason.details == {"missing": list(dict.fromkeys(missing))}


# --- together ---------------------------------------------------------------------------


def test_every_reason_that_applies_is_reported_in_a_fixed_order(case_payload: dict[str, Any]) -> None:
    result = check(
        case_payload,
        flags={"disputed": True, "insolvent": True},
        log=[attempt("2026-07-01T10:00:00Z", "no_answer")],
        limitation="extinguished",
        missing=["signed_agreement"],
    )
    assert result.hold_codes == [
        HoldCode.disputed,
        HoldCode.insolvent,
        HoldCode.time_barred,
        HoldCode.insufficient_contact,
        HoldCode.missing_evidence,
    ]
    assert (result.eligible, result.attorney_review, result.time_barred) == (False, True, True)
    assert Eligibility.model_validate_json(result.model_dump_json()) == result
