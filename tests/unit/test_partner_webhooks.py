"""Inbound webhook verification and recording over in-memory fakes (no network, no moto)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from handoff.domain.case import Case
from handoff.domain.errors import InvalidRequestError, NotFoundError, TransitionError
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import CaseIntake
from handoff.domain.outcomes import outcome_event
from handoff.services import partner_webhooks as pw
from handoff.services import webhook_secrets as ws

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


@dataclass
class Stored:
    secret_id: str
    sealed: str
    created_at: datetime = NOW


class FakeBox:
    def seal(self, secret: str, context: dict[str, str]) -> str:
        return f"{context['partner_id']}|{secret}"

    def open(self, sealed: str, context: dict[str, str]) -> str:
        partner, secret = sealed.split("|", 1)
        assert partner == context["partner_id"], "sealed under another partner"
        return secret


class FakeStore:
    def __init__(self) -> None:
        self.secrets: dict[str, list[Stored]] = {}

    def active(self, partner_id: str) -> list[Stored]:
        return self.secrets.get(partner_id, [])

    def add(self, partner_id: str, sealed: str, now: datetime) -> tuple[Stored, Stored | None]:
        found = self.secrets.setdefault(partner_id, [])
        stored = Stored(f"whs_{len(found) + 1:04d}", sealed, now)
        found.append(stored)
        retired = found.pop(0) if len(found) > 2 else None
        return stored, retired


def headers_for(secret: str, body: str, at: datetime | None = None, msg_id: str = "msg_1") -> dict[str, str]:
    when = at or datetime.now(UTC)
    return {
        "Webhook-Id": msg_id,
        "Webhook-Timestamp": str(int(when.timestamp())),
        "Webhook-Signature": Webhook(secret).sign(msg_id, when, body),
    }


def test_a_secret_is_issued_sealed_and_a_third_retires_the_oldest() -> None:
    store, box = FakeStore(), FakeBox()

    first = ws.issue_secret(store, box, lambda _: True, "par_1", NOW)
    ws.issue_secret(store, box, lambda _: True, "par_1", NOW)
    third = ws.issue_secret(store, box, lambda _: True, "par_1", NOW)

    assert first.secret.startswith("whsec_") and first.retired_secret_id is None
    assert third.retired_secret_id == first.secret_id
    assert [s.secret_id for s in store.active("par_1")] == ["whs_0002", "whs_0003"]
    with pytest.raises(NotFoundError):
        ws.issue_secret(store, box, lambda _: False, "par_x", NOW)


def test_any_active_secret_verifies_and_nothing_else_does() -> None:
    store, box = FakeStore(), FakeBox()
    old = ws.issue_secret(store, box, lambda _: True, "par_1", NOW).secret
    new = ws.issue_secret(store, box, lambda _: True, "par_1", NOW).secret
    body = '{"type": "status.updated"}'

    assert pw.authenticate(store, box, "par_1", body, headers_for(old, body)) == "msg_1"
    assert pw.authenticate(store, box, "par_1", body, headers_for(new, body, msg_id="m2")) == "m2"
    refusals = {
        "wrong secret": ("par_1", headers_for("whsec_" + "B" * 32, body)),
        "stale": ("par_1", headers_for(new, body, at=datetime.now(UTC) - timedelta(minutes=6))),
        "future": ("par_1", headers_for(new, body, at=datetime.now(UTC) + timedelta(minutes=6))),
        "unknown partner": ("par_2", headers_for(new, body)),
        "garbage signature": ("par_1", {**headers_for(new, body), "Webhook-Signature": "nonsense"}),
        "missing headers": ("par_1", {}),
    }
    for name, (partner, headers) in refusals.items():
        with pytest.raises(pw.UnauthenticatedWebhookError):
            pw.authenticate(store, box, partner, body, headers)
            pytest.fail(f"{name} was accepted")


def _case(case_payload: dict[str, Any], status: CaseStatus) -> Case:
    case_payload["currency"] = "GBP"
    case = Case.submit("case_" + "a" * 20, "ten_1", CaseIntake.model_validate(case_payload), "b", NOW)
    case.status = status
    case.workflow.partner_id = "par_1"
    return case


def _event(type_: str, **data: Any) -> Any:
    return outcome_event.validate_python(
        {"type": type_, "timestamp": NOW.isoformat(), "data": {"case_id": "case_" + "a" * 20, **data}}
    )


@pytest.mark.parametrize(
    ("close_code", "path"),
    [
        ("paid_in_full", ["recovered", "closed"]),
        ("insolvent", ["uncollectible", "closed"]),
        ("withdrawn", ["withdrawn", "closed"]),
        ("settled", ["settled", "closed"]),
    ],
)
def test_a_closure_passes_through_its_outcome(
    case_payload: dict[str, Any], close_code: str, path: list[str]
) -> None:
    case = _case(case_payload, CaseStatus.in_recovery)

    pw.apply_event(case, _event("case.closed", close_code=close_code), "par_1", "m1", "agency:par_1", NOW)

    moved = [e.data["to"] for e in case.pending_events if e.type == "case.status_changed"]
    assert moved == path
    assert case.pending_claims == ["webhook#par_1#m1"]
    assert case.pending_events[1].type == "ledger.case.closed"


def test_a_judgment_after_a_settlement_and_a_closure_from_judgment(case_payload: dict[str, Any]) -> None:
    case = _case(case_payload, CaseStatus.settled)
    judgment = _event(
        "judgment.obtained",
        court="County Court",
        docket="K1",
        amount="100.00",
        interest="1.00",
        costs="2.00",
        currency="GBP",
        date="2026-11-01",
    )

    pw.apply_event(case, judgment, "par_1", "m1", "agency:par_1", NOW)
    pw.apply_event(case, _event("case.closed", close_code="untraceable"), "par_1", "m2", "a", NOW)

    assert case.status == CaseStatus.closed
    moved = [e.data["to"] for e in case.pending_events if e.type == "case.status_changed"]
    assert moved == ["judgment", "uncollectible", "closed"]


def test_an_outcome_for_a_case_not_in_recovery_is_refused(case_payload: dict[str, Any]) -> None:
    accepted = _case(case_payload, CaseStatus.accepted)
    elsewhere = _case(case_payload, CaseStatus.in_recovery)
    elsewhere.workflow.partner_id = "par_2"

    with pytest.raises(TransitionError):  # accepted → settled is not in the table
        pw.apply_event(
            accepted, _event("settlement.agreed", amount="10.00", currency="GBP"), "par_1", "m", "a", NOW
        )
    with pytest.raises(NotFoundError):
        pw.apply_event(elsewhere, _event("status.updated", code="S1", note="n"), "par_1", "m", "a", NOW)


def test_parse_names_the_failing_fields() -> None:
    with pytest.raises(InvalidRequestError) as refused:
        pw.parse_event('{"type": "payment.collected", "timestamp": "2026-11-20T00:00:00Z", "data": {}}')
    assert any(p.loc[-1] == "case_id" for p in refused.value.problems)
    with pytest.raises(InvalidRequestError):
        pw.parse_event("not json")


def test_a_collection_is_a_payment_of_the_claim(case_payload: dict[str, Any]) -> None:
    # Given a GB-ENG case owing 1,250.00 + 16,000.00 in recovery
    case = _case(case_payload, CaseStatus.in_recovery)
    before = case.claim_as_of(NOW.date()).principal

    # When its partner reports 500.00 collected on 2026-11-18
    paid = _event("payment.collected", amount="500.00", currency="GBP", collected_on="2026-11-18")
    pw.apply_event(case, paid, "par_1", "m1", "agency:par_1", NOW)

    # Then the claim counts it once, dated, as a part payment that restarts limitation
    claim = case.claim_as_of(NOW.date())
    assert claim.principal == before - Decimal("500.00")
    assert claim.last_payment is not None and claim.last_payment.source == "collected"
    assert claim.last_payment.seq == case.version  # the `ledger.payment.collected` event
    assert any(
        r.on == date(2026, 11, 18) and r.source == "payments:collected" for r in claim.limitation.restarts
    )
    event = case.pending_events[-1]
    assert event.type == "ledger.payment.collected"
    assert event.data["webhook_id"] == "m1" and event.data["outstanding"] == str(claim.principal)


def test_a_judgment_and_a_settlement_are_legal_events_of_the_claim(case_payload: dict[str, Any]) -> None:
    case = _case(case_payload, CaseStatus.in_recovery)
    settled = _event("settlement.agreed", amount="15000.00", currency="GBP")
    judgment = _event(
        "judgment.obtained",
        court="County Court at Leeds",
        docket="K1LS0001",
        amount="17250.00",
        interest="300.00",
        costs="455.00",
        currency="GBP",
        date="2026-11-10",
    )

    pw.apply_event(case, settled, "par_1", "m1", "agency:par_1", NOW)
    pw.apply_event(case, judgment, "par_1", "m2", "agency:par_1", NOW)

    kinds = [(e.kind, e.on, e.amount) for e in case.legal_events]
    assert kinds == [
        ("settlement", NOW.date(), Decimal("15000.00")),
        ("judgment", date(2026, 11, 10), Decimal("17250.00")),
    ]
    assert case.legal_events[1].costs == Decimal("455.00") and case.legal_events[1].source == "partner"
    assert case.claim_as_of(NOW.date()).limitation.status == "judgment"
    assert [e.type for e in case.pending_events][-4:] == [
        "ledger.settlement.agreed",
        "case.status_changed",
        "ledger.judgment.obtained",
        "case.status_changed",
    ]
