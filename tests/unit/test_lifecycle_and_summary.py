"""The transition table and the computed summary."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from handoff.domain.claim import claim_as_of
from handoff.domain.errors import TransitionError
from handoff.domain.lifecycle import TRANSITIONS, CaseStatus, check_transition
from handoff.domain.models import CaseIntake
from handoff.domain.summary import aging_bucket, summarize


def test_every_status_has_a_row_and_closed_is_final() -> None:
    assert set(TRANSITIONS) == set(CaseStatus)
    assert TRANSITIONS[CaseStatus.closed] == frozenset()


def test_the_main_path_is_allowed() -> None:
    path = [
        "submitted",
        "packet_ready",
        "demand_issued",
        "routing",
        "assigned",
        "accepted",
        "in_recovery",
        "recovered",
        "closed",
    ]
    for current, target in itertools.pairwise(path):
        assert check_transition(CaseStatus(current), CaseStatus(target)) == target


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("submitted", "in_recovery"),
        ("closed", "submitted"),
        ("recovered", "routing"),
        ("withdrawn", "assigned"),
    ],
)
def test_other_transitions_are_refused_with_a_clear_error(current: str, target: str) -> None:
    with pytest.raises(TransitionError, match=f"cannot move to {target}"):
        check_transition(CaseStatus(current), CaseStatus(target))


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "0-30"),
        (30, "0-30"),
        (31, "31-60"),
        (60, "31-60"),
        (61, "61-90"),
        (91, "91-180"),
        (181, "181-365"),
        (365, "181-365"),
        (366, "365+"),
    ],
)
def test_aging_bucket_edges(days: int, bucket: str) -> None:
    assert aging_bucket(days) == bucket


def test_summary_of_the_example(case_payload: dict[str, Any]) -> None:
    summary = summarize(
        CaseIntake.model_validate(case_payload),
        claim_as_of(CaseIntake.model_validate(case_payload), None, date(2026, 8, 30)),
    )

    assert str(summary.principal_outstanding) == "17250.00"
    assert summary.oldest_due_on == date(2026, 5, 31)
    assert summary.days_past_due == 91
    assert summary.aging_bucket == "91-180"
    assert summary.contacts.attempts == 3
    assert summary.contacts.unanswered == 2
    assert summary.contacts.by_channel == {"email": 1, "phone": 1, "letter": 1}


def test_fully_paid_invoices_do_not_count(case_payload: dict[str, Any]) -> None:
    case_payload["invoices"][0]["paid"] = case_payload["invoices"][0]["amount"]

    summary = summarize(
        CaseIntake.model_validate(case_payload),
        claim_as_of(CaseIntake.model_validate(case_payload), None, date(2026, 7, 2)),
    )

    assert summary.invoices_outstanding == 1
    assert summary.oldest_due_on == date(2026, 7, 1)
    assert summary.days_past_due == 1
