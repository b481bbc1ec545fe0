"""Redaction markers keep the hash chain; retention decides what is due; holds suspend it (domain only)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from handoff.domain.case import Case, verify_chain
from handoff.domain.errors import ConflictError, ErasureRefusedError
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import CaseIntake
from handoff.domain.redaction import is_marker, marker, redact_intake, sealed
from handoff.domain.retention import (
    HolderKind,
    begin_erasure,
    complete_erasure,
    erase_after,
    is_due,
    lift_hold,
    packet_lock,
    place_hold,
    policy_of,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def intake(case_payload: dict[str, Any], entity_type: str = "sole_trader") -> CaseIntake:
    payload = json.loads(json.dumps(case_payload))
    payload["debtor"]["entity_type"] = entity_type
    payload["debtor"]["legal_name"] = "Jane Roe Plumbing"
    payload["contact_log"][0]["note"] = "Spoke to Jane"
    return CaseIntake.model_validate(payload)


def withdrawn_case(case_payload: dict[str, Any]) -> Case:
    case = Case.submit("case_" + "1" * 20, "ten_" + "2" * 20, intake(case_payload), "business:t:k", NOW)
    case.record("payment.direct", "business:t:k", NOW, {"amount": "10.00", "reference": "JROE 4471"})
    case.transition(CaseStatus.withdrawn, "business:t:k", NOW, "withdrawn by the creditor", note="Jane paid")
    return case


def erase(case: Case) -> Case:
    """What the service does to the timeline and the case, without storage."""
    salt = case.redaction_salt
    events = [replace(e, data=sealed(e.type, e.data, salt)) for e in case.pending_events]
    begin_erasure(case, "request", "business:t:k", NOW)
    redacted = redact_intake(case.intake, salt)
    case.intake = redacted.intake
    complete_erasure(case, redacted.replaced, 0, redacted.removed, "business:t:k", NOW)
    case.pending_events = [*events, *case.pending_events[len(events) :]]
    return case


def test_sealing_is_what_erasure_leaves_so_every_hash_stands(case_payload: dict[str, Any]) -> None:
    case = withdrawn_case(case_payload)
    recorded = [e.hash for e in case.pending_events]

    erased = erase(case)

    assert [e.hash for e in erased.pending_events[: len(recorded)]] == recorded
    assert verify_chain(erased.pending_events, erased.redaction_salt) == []
    assert erased.redaction_salt is None  # the salt is gone: no guess can be tested against a marker
    withdrawal = next(e for e in erased.pending_events if e.type == "case.status_changed")
    assert is_marker(withdrawal.data["note"]) and withdrawal.data["reason"] == "withdrawn by the creditor"


def test_a_rate_confirmations_note_is_erased_its_series_and_periods_stay(
    case_payload: dict[str, Any],
) -> None:
    case = Case.submit("case_" + "4" * 20, "ten_" + "2" * 20, intake(case_payload), "business:t:k", NOW)
    periods = [{"period_from": "2026-07-01", "period_to": "2026-11-30", "assumed_percent": "3.75"}]
    data = {"series": "BOE_BANK_RATE", "periods": periods, "note": "Jane Roe's accountant agreed"}
    case.record("rate.confirmed", "business:t:k", NOW, data)
    case.transition(CaseStatus.withdrawn, "business:t:k", NOW, "withdrawn by the creditor")

    erased = erase(case)

    confirmed = next(e for e in erased.pending_events if e.type == "rate.confirmed")
    assert is_marker(confirmed.data["note"])
    assert (confirmed.data["series"], confirmed.data["periods"]) == ("BOE_BANK_RATE", periods)
    assert verify_chain(erased.pending_events, erased.redaction_salt) == []


def test_after_erasure_any_change_still_breaks_the_chain(case_payload: dict[str, Any]) -> None:
    erased = erase(withdrawn_case(case_payload))
    events = list(erased.pending_events)
    payment = next(i for i, e in enumerate(events) if e.type == "payment.direct")

    forged_marker = [
        *events[:payment],
        replace(events[payment], data={**events[payment].data, "reference": marker("x", "y")}),
        *events[payment + 1 :],
    ]
    forged_amount = [
        *events[:payment],
        replace(events[payment], data={**events[payment].data, "amount": "1.00"}),
        *events[payment + 1 :],
    ]
    restored_text = [
        *events[:payment],
        replace(events[payment], data={**events[payment].data, "reference": "JROE 4471"}),
        *events[payment + 1 :],
    ]

    for forged in (forged_marker, forged_amount, restored_text):
        assert [b.seq for b in verify_chain(forged, None)] == [events[payment].seq]


def test_before_erasure_the_personal_text_is_what_is_verified(case_payload: dict[str, Any]) -> None:
    case = withdrawn_case(case_payload)
    events = list(case.pending_events)
    payment = next(i for i, e in enumerate(events) if e.type == "payment.direct")
    edited = replace(events[payment], data={**events[payment].data, "reference": "JROE 9999"})

    assert verify_chain(events, case.redaction_salt) == []
    assert verify_chain([*events[:payment], edited, *events[payment + 1 :]], case.redaction_salt) != []


def test_a_companys_name_and_address_stay_its_people_go(case_payload: dict[str, Any]) -> None:
    company = redact_intake(intake(case_payload, "company"), "salt")
    trader = redact_intake(intake(case_payload, "sole_trader"), "salt")

    assert company.intake.debtor.legal_name == "Jane Roe Plumbing"
    assert company.intake.debtor.address.postal_code == "LS1 1AA"
    assert company.intake.debtor.contacts == [] and "debtor.contacts.0" in company.removed
    assert is_marker(trader.intake.debtor.legal_name)
    assert trader.intake.debtor.address.postal_code is None
    assert (
        trader.intake.debtor.address.country == "GB" and trader.intake.debtor.address.subdivision == "GB-ENG"
    )
    assert all(is_marker(a.note) for a in trader.intake.contact_log if a.note)
    assert [i.amount for i in trader.intake.invoices] == [i.amount for i in intake(case_payload).invoices]
    CaseIntake.model_validate_json(trader.intake.model_dump_json())  # still a valid intake


def test_a_marker_depends_on_the_salt() -> None:
    assert marker("a", "Jane") != marker("b", "Jane")
    assert marker("a", marker("b", "Jane")) == marker("b", "Jane")  # a marker is kept as it is


def test_due_only_once_ended_past_the_policy_and_unheld(case_payload: dict[str, Any]) -> None:
    open_case = Case.submit("case_" + "3" * 20, "ten_" + "2" * 20, intake(case_payload), "b", NOW)
    ended = withdrawn_case(case_payload)

    assert erase_after(open_case, 30) is None and not is_due(open_case, 0, NOW + timedelta(days=999))
    assert erase_after(ended, 30) == NOW + timedelta(days=30)
    assert not is_due(ended, 30, NOW + timedelta(days=29))
    assert is_due(ended, 30, NOW + timedelta(days=30))
    place_hold(ended, HolderKind.operator, "litigation", "operator:platform:k", NOW)
    assert not is_due(ended, 30, NOW + timedelta(days=365))


def test_holds_refuse_erasure_and_each_holder_lifts_its_own(case_payload: dict[str, Any]) -> None:
    case = withdrawn_case(case_payload)
    place_hold(case, HolderKind.business, "our claim", "b", NOW)
    place_hold(case, HolderKind.operator, "inquiry", "o", NOW)

    with pytest.raises(ConflictError):
        place_hold(case, HolderKind.business, "again", "b", NOW)
    lift_hold(case, HolderKind.business, "settled", "b", NOW)
    with pytest.raises(ErasureRefusedError) as held:
        begin_erasure(case, "request", "b", NOW)
    lift_hold(case, HolderKind.operator, "closed", "o", NOW)
    begin_erasure(case, "request", "b", NOW)

    assert held.value.reason == "legal_hold" and "operator" in str(held.value)
    with pytest.raises(ConflictError):  # nothing left to hold once erasure has begun
        place_hold(case, HolderKind.business, "late", "b", NOW)


def test_an_open_case_is_refused_with_its_reason(case_payload: dict[str, Any]) -> None:
    case = Case.submit("case_" + "4" * 20, "ten_" + "2" * 20, intake(case_payload), "b", NOW)

    with pytest.raises(ErasureRefusedError) as refused:
        begin_erasure(case, "request", "b", NOW)

    assert refused.value.reason == "case_open"


def test_a_packet_is_never_locked_beyond_the_policy(case_payload: dict[str, Any]) -> None:
    open_case = Case.submit("case_" + "5" * 20, "ten_" + "2" * 20, intake(case_payload), "b", NOW)
    ended = withdrawn_case(case_payload)
    later = NOW + timedelta(days=10)

    assert packet_lock(open_case, 30, NOW).retain_until == NOW + timedelta(days=30)
    assert packet_lock(ended, 30, later).retain_until == NOW + timedelta(days=30)  # the erasure date
    assert packet_lock(ended, 0, later).retain_until is None
    place_hold(ended, HolderKind.business, "claim", "b", later)
    assert packet_lock(ended, 30, later).legal_hold is True


def test_a_tenant_without_a_policy_gets_the_default() -> None:
    assert policy_of(None, 30).model_dump() == {"days_after_close": 30, "source": "default"}
    assert policy_of(0, 30).model_dump() == {"days_after_close": 0, "source": "tenant"}


class _Tenants:
    def __init__(self, days: dict[str, int | None]):
        self.days = days

    def all_ids(self) -> list[str]:
        return list(self.days)

    def get(self, tenant_id: str) -> Any:
        return type("T", (), {"retention_days": self.days[tenant_id]})()


class _Store:
    def __init__(self, ended: dict[str, list[tuple[str, datetime]]]):
        self.ended = ended
        self.asked: list[tuple[str, datetime]] = []

    def due(self, tenant_id: str, ended_before: datetime) -> list[str]:
        self.asked.append((tenant_id, ended_before))
        return [c for c, at in self.ended[tenant_id] if at <= ended_before]


def test_the_sweep_uses_each_tenants_policy_and_one_failure_stops_nothing(monkeypatch: Any) -> None:
    from handoff.services import retention as service

    store = _Store(
        {
            "ten_a": [("case_old", NOW - timedelta(days=40)), ("case_broken", NOW - timedelta(days=35))],
            "ten_b": [("case_b", NOW - timedelta(days=40))],
        }
    )
    deps = service.ErasureDeps(
        cases=None,  # type: ignore[arg-type]
        tenants=_Tenants({"ten_a": None, "ten_b": 365}),  # the default (30 days), then a year
        evidence=None,  # type: ignore[arg-type]
        documents=None,  # type: ignore[arg-type]
        store=store,  # type: ignore[arg-type]
        objects=None,  # type: ignore[arg-type]
        buckets=service.Buckets("e", "d", "p"),
        default_days=30,
    )
    erased: list[str] = []

    def erase(_deps: Any, tenant_id: str, case_id: str, trigger: str, actor: str, now: datetime) -> None:
        if case_id == "case_broken":
            raise RuntimeError("S3 said no")
        erased.append(case_id)

    monkeypatch.setattr(service, "erase_case", erase)

    report = service.erase_due(deps, NOW)
    out_of_time = service.erase_due(deps, NOW, seconds_left=lambda: 10)

    assert store.asked[:2] == [("ten_a", NOW - timedelta(days=30)), ("ten_b", NOW - timedelta(days=365))]
    assert report.erased == ["case_old"] and report.failed == 1 and not report.unfinished
    assert out_of_time.unfinished and out_of_time.erased == []
