"""Helpers for workflow tests: cases, partners, evidence uploads, waiting for the state machine,
and partners' signed outcome webhooks."""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
from standardwebhooks.webhooks import Webhook

from handoff.domain.partners import PartnerRequest
from handoff.local.demo import is_waiting
from tests.conftest import load_example
from tests.integration.conftest import Api

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def add_partner(
    jurisdictions: list[str],
    kind: str = "agency",
    currency: str = "GBP",
    band: tuple[str, str | None] = ("0", None),
    capacity: int = 10,
    priority: int = 100,
) -> str:
    from handoff.adapters.partner_store import partner_repository

    partner_id = f"par_{secrets.token_hex(6)}"
    request = PartnerRequest.model_validate(
        {
            "name": f"Test {kind} {partner_id}",
            "type": kind,
            "jurisdictions": jurisdictions,
            "amount_bands": [{"currency": currency, "min": band[0], "max": band[1]}],
            "debt_types": ["commercial"],
            "capacity": capacity,
            "fee_terms": {
                "contingency_percent": "20",
                "direct_payment_fee_percent": "10",
                "exclusivity_days": 30,
                "recall_fee": {"kind": "percent", "percent": "5"},
            },
            "priority": priority,
            "contact_email": "placements@partner.example",
        }
    )
    partner_repository().add(request.to_partner(partner_id))
    return partner_id


def partner_key(operator: Api, partner_id: str, kind: str = "agency") -> Api:
    issued = operator.call("POST", "/v1/api-keys", json={"kind": kind, "partner_id": partner_id})
    assert issued.status_code == 201, issued.json
    return operator.as_key(issued.json["secret"])


def submit(business: Api, payload: dict[str, Any]) -> str:
    created = business.call("POST", "/v1/cases", json=payload, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.json
    case_id: str = created.json["case_id"]
    return case_id


def upload(
    business: Api,
    case_id: str,
    kind: str,
    content: bytes,
    filename: str,
    content_type: str,
    invoice_number: str | None = None,
) -> dict[str, Any]:
    declaration = {
        "kind": kind,
        "filename": filename,
        "content_type": content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    if invoice_number:
        declaration["invoice_number"] = invoice_number
    declared = business.call("POST", f"/v1/cases/{case_id}/evidence", json=declaration)
    assert declared.status_code == 201, declared.json
    ticket = declared.json["upload"]
    posted = requests.post(
        ticket["url"], data=ticket["fields"], files={"file": (filename, content)}, timeout=30
    )
    assert posted.status_code in (200, 204), posted.text
    evidence: dict[str, Any] = declared.json["evidence"]
    return evidence


def upload_complete_evidence(business: Api, case_id: str, payload: dict[str, Any]) -> None:
    for invoice in payload["invoices"]:
        upload(
            business,
            case_id,
            "invoice",
            PDF + invoice["number"].encode(),
            f"{invoice['number']}.pdf",
            "application/pdf",
            invoice["number"],
        )
    upload(business, case_id, "terms", PDF + b"terms", "terms.pdf", "application/pdf")
    upload(business, case_id, "proof_of_delivery", PDF + b"pod", "delivery.pdf", "application/pdf")


def wait_until(check: Callable[[], Any], timeout: float = 60, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def status_of(business: Api, case_id: str) -> str:
    status: str = business.call("GET", f"/v1/cases/{case_id}").json["status"]
    return status


def wait_for_status(business: Api, case_id: str, *statuses: str, timeout: float = 60) -> dict[str, Any]:
    def reached() -> dict[str, Any] | None:
        case: dict[str, Any] = business.call("GET", f"/v1/cases/{case_id}").json
        return case if case["status"] in statuses else None

    try:
        return wait_until(reached, timeout, f"{case_id} to reach {statuses}")  # type: ignore[no-any-return]
    except AssertionError:
        events = business.call("GET", f"/v1/cases/{case_id}/events").json["items"]
        trail = [(e["type"], e["data"].get("to"), e["data"].get("reason")) for e in events]
        raise AssertionError(f"{case_id} did not reach {statuses}: {trail}") from None


def waiting_for(business: Api, case_id: str, what: str, timeout: float = 60) -> None:
    def waiting() -> bool:
        return is_waiting(events_of(business, case_id), what)

    try:
        wait_until(waiting, timeout, f"{case_id} waiting for {what}")
    except AssertionError:
        trail = [
            (
                e["type"],
                e["data"].get("to"),
                e["data"].get("reason"),
                e["data"].get("error"),
                str(e["data"].get("cause", ""))[:300],
            )
            for e in events_of(business, case_id)
        ]
        raise AssertionError(f"{case_id} never waited for {what}: {trail}") from None


def events_of(business: Api, case_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = business.call("GET", f"/v1/cases/{case_id}/events?limit=100").json["items"]
    return items


def money(value: str) -> Decimal:
    return Decimal(value)


# --- cases that the workflow takes somewhere -------------------------------------------------


def us_case(state: str, amount: str = "4000.00", **flags: bool) -> dict[str, Any]:
    """A US company owing one invoice, with enough contact attempts for a handoff."""
    payload = copy.deepcopy(load_example("cases/globex-initech-ca.json"))
    payload["debtor"]["address"]["subdivision"] = state
    payload["debtor"]["flags"] = {
        "disputed": False,
        "insolvent": False,
        "prior_legal_disputes": False,
        **flags,
    }
    payload["terms"]["governing_law"] = state
    payload["invoices"] = [{**payload["invoices"][0], "amount": amount, "paid": "0.00"}]
    return payload


def ready_case(business: Api, payload: dict[str, Any]) -> str:
    """Submit, get held for missing evidence, upload it: the workflow resumes by itself."""
    case_id = submit(business, payload)
    wait_for_status(business, case_id, "on_hold")
    upload_complete_evidence(business, case_id, payload)
    return case_id


def case_in_recovery(operator: Api, business: Api, state: str, amount: str = "4000.00") -> tuple[str, str]:
    """(case_id, partner_id): a case accepted by an agency serving only `state`, in recovery."""
    agency = add_partner([state], "agency", "USD")
    case_id = ready_case(business, us_case(state, amount))
    waiting_for(business, case_id, "partner_acceptance")
    accepted = partner_key(operator, agency).call("POST", f"/v1/assignments/{case_id}/accept")
    assert accepted.status_code == 200, accepted.json
    wait_for_status(business, case_id, "in_recovery")
    return case_id, agency


# --- partners' outcome webhooks ----------------------------------------------------------------


def issue_secret(operator: Api, partner_id: str) -> dict[str, Any]:
    issued = operator.call("POST", f"/v1/partners/{partner_id}/webhook-secrets")
    assert issued.status_code == 201, issued.json
    secret: dict[str, Any] = issued.json
    return secret


def event(type_: str, **data: Any) -> dict[str, Any]:
    return {"type": type_, "timestamp": datetime.now(UTC).isoformat(), "data": data}


def collected(case_id: str, amount: str, on: str = "2026-11-20", **extra: Any) -> dict[str, Any]:
    return event(
        "payment.collected", case_id=case_id, amount=amount, currency="USD", collected_on=on, **extra
    )


def signed(
    secret: str, body: dict[str, Any], webhook_id: str | None = None, at: datetime | None = None
) -> tuple[str, dict[str, str]]:
    payload = json.dumps(body)
    msg_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    when = at or datetime.now(UTC)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, when, payload),
        "Content-Type": "application/json",
    }
    return payload, headers
