"""Case intake through the gateway: refusals write nothing, idempotency, isolation, concurrency."""

from __future__ import annotations

import copy
import threading
import uuid
from typing import Any

import pytest

from tests.integration.conftest import Api

PROBLEM = "application/problem+json"


def submit(api: Api, payload: Any, key: str | None = None, **kwargs: Any) -> Any:
    headers = {} if key == "" else {"Idempotency-Key": key or str(uuid.uuid4())}
    return api.call("POST", "/v1/cases", json=payload, headers=headers, **kwargs)


def invalid_names(response: Any) -> list[str]:
    return [param["name"] for param in response.json.get("invalid-params", [])]


def test_submitted_case_is_stored_with_summary_and_timeline(
    business: Api, case_payload: dict[str, Any]
) -> None:
    created = submit(business, case_payload)

    assert created.status_code == 201
    case = created.json
    assert case["status"] == "submitted"
    assert case["summary"]["principal_outstanding"] == "17250.00"
    assert case["summary"]["invoices_outstanding"] == 2
    assert case["summary"]["contacts"]["attempts"] == 3
    assert case["case"]["invoices"][0]["amount"] == "1250.00"
    fetched = business.call("GET", f"/v1/cases/{case['case_id']}").json
    assert fetched["case"] == case["case"]
    events = business.call("GET", f"/v1/cases/{case['case_id']}/events").json["items"]
    assert [e["type"] for e in events] == ["case.submitted"]
    assert events[0]["actor"].startswith("business:")


def _mutations() -> list[tuple[str, Any, str]]:
    def at(path: list[Any], value: Any) -> Any:
        def mutate(payload: dict[str, Any]) -> None:
            target = payload
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value

        return mutate

    return [
        ("bad currency", at(["currency"], "XYZ"), "body.currency"),
        ("negative amount", at(["invoices", 0, "amount"], "-5.00"), "body.invoices.0.amount"),
        ("0.001 GBP", at(["invoices", 0, "amount"], "0.001"), "body.invoices.0.amount"),
        ("due before issue", at(["invoices", 0, "due_on"], "2026-04-01"), "body.invoices.0.due_on"),
        (
            "subdivision of another country",
            at(["debtor", "address", "subdivision"], "US-CA"),
            "body.debtor.address.subdivision",
        ),
        (
            "bad e-mail",
            at(["debtor", "contacts", 0, "email"], "not-an-email"),
            "body.debtor.contacts.0.email",
        ),
        (
            "bad phone",
            at(["debtor", "contacts", 0, "phone"], "0113 200 0000"),
            "body.debtor.contacts.0.phone",
        ),
        ("unknown field", at(["debtor", "nickname"], "NW"), "body.debtor.nickname"),
        ("paid above amount", at(["invoices", 0, "paid"], "2000.00"), "body.invoices.0.paid"),
        ("unknown country", at(["debtor", "address", "country"], "XX"), "body.debtor.address.country"),
    ]


@pytest.mark.parametrize(("name", "mutate", "field"), _mutations(), ids=[m[0] for m in _mutations()])
def test_invalid_case_is_refused_naming_the_field_and_nothing_is_written(
    business: Api, case_payload: dict[str, Any], table_items: Any, name: str, mutate: Any, field: str
) -> None:
    payload = copy.deepcopy(case_payload)
    mutate(payload)
    before = table_items()

    response = submit(business, payload)

    assert response.status_code == 422, response.json
    assert response.content_type == PROBLEM
    assert field in invalid_names(response)
    assert table_items() == before
    assert business.call("GET", "/v1/cases").json["items"] == []


def test_jpy_amount_with_decimals_is_refused(
    business: Api, case_payload: dict[str, Any], table_items: Any
) -> None:
    case_payload["currency"] = "JPY"
    for invoice in case_payload["invoices"]:
        invoice["amount"], invoice["paid"] = "1000", "0"
    case_payload["invoices"][0]["amount"] = "1.5"
    before = table_items()

    response = submit(business, case_payload)

    assert response.status_code == 422
    assert invalid_names(response) == ["body.invoices.0.amount"]
    assert "JPY" in response.json["invalid-params"][0]["reason"]
    assert table_items() == before


def test_three_decimal_currency_accepts_fils(business: Api, case_payload: dict[str, Any]) -> None:
    case_payload["currency"] = "BHD"
    case_payload["invoices"][0]["amount"] = "100.125"

    assert submit(business, case_payload).status_code == 201


@pytest.mark.parametrize("number", [1250.5, 1250, 0])
def test_amounts_sent_as_json_numbers_are_refused_and_nothing_is_written(
    business: Api, case_payload: dict[str, Any], table_items: Any, number: float
) -> None:
    case_payload["invoices"][0]["amount"] = number
    before = table_items()

    refused = submit(business, case_payload)

    assert refused.status_code == 422 and refused.content_type == PROBLEM
    (param,) = refused.json["invalid-params"]
    assert param["name"] == "body.invoices.0.amount"
    assert "decimal string" in param["reason"] and "not a JSON number" in param["reason"]
    assert table_items() == before
    case_payload["invoices"][0]["amount"] = "1250.50"
    assert submit(business, case_payload).json["case"]["invoices"][0]["amount"] == "1250.50"


def test_nothing_outstanding_is_refused(business: Api, case_payload: dict[str, Any]) -> None:
    for invoice in case_payload["invoices"]:
        invoice["paid"] = invoice["amount"]

    response = submit(business, case_payload)

    assert response.status_code == 422
    assert invalid_names(response) == ["body.invoices"]


def test_missing_idempotency_key_is_refused(
    business: Api, case_payload: dict[str, Any], table_items: Any
) -> None:
    before = table_items()

    response = submit(business, case_payload, key="")

    assert response.status_code == 422
    assert any("idempotency-key" in name.lower() for name in invalid_names(response))
    assert table_items() == before


def test_body_over_one_mebibyte_gets_413_and_writes_nothing(
    business: Api, case_payload: dict[str, Any], table_items: Any
) -> None:
    case_payload["invoices"][0]["description"] = "x" * (2 * 1024 * 1024)
    before = table_items()

    response = submit(business, case_payload)

    assert response.status_code == 413
    assert response.content_type == PROBLEM
    assert table_items() == before


def test_malformed_json_gets_400(business: Api) -> None:
    response = business.call(
        "POST",
        "/v1/cases",
        data="{not json",
        headers={"Idempotency-Key": "k-malformed-1", "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.content_type == PROBLEM


def test_same_idempotency_key_and_body_returns_the_original_case(
    business: Api, case_payload: dict[str, Any]
) -> None:
    first = submit(business, case_payload, key="order-42-escalation")
    again = submit(business, case_payload, key="order-42-escalation")

    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert len(business.call("GET", "/v1/cases").json["items"]) == 1


def test_same_idempotency_key_with_another_body_is_a_conflict(
    business: Api, case_payload: dict[str, Any]
) -> None:
    submit(business, case_payload, key="order-43-escalation")
    case_payload["creditor_reference"] = "ACME-OTHER"

    response = submit(business, case_payload, key="order-43-escalation")

    assert response.status_code == 409
    assert response.json["type"].endswith("idempotency-conflict")
    assert len(business.call("GET", "/v1/cases").json["items"]) == 1


def test_idempotency_keys_are_per_tenant(
    operator: Api, business: Api, case_payload: dict[str, Any], tenant_profile: dict[str, Any]
) -> None:
    other = _another_business(operator, tenant_profile)
    mine = submit(business, case_payload, key="shared-key-123")
    theirs = submit(other, case_payload, key="shared-key-123")

    assert mine.status_code == theirs.status_code == 201
    assert mine.json["case_id"] != theirs.json["case_id"]


def _another_business(operator: Api, profile: dict[str, Any]) -> Api:
    tenant = operator.call("POST", "/v1/tenants", json={**profile, "legal_name": "Other Ltd"}).json
    issued = operator.call(
        "POST", "/v1/api-keys", json={"kind": "business", "tenant_id": tenant["tenant_id"]}
    )
    return operator.as_key(issued.json["secret"])


def test_another_tenants_case_is_indistinguishable_from_a_missing_one(
    operator: Api, business: Api, case_payload: dict[str, Any], tenant_profile: dict[str, Any]
) -> None:
    case_id = submit(business, case_payload).json["case_id"]
    other = _another_business(operator, tenant_profile)

    theirs = other.call("GET", f"/v1/cases/{case_id}")
    missing = other.call("GET", "/v1/cases/case_00000000000000000000")

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json["type"] == missing.json["type"]
    assert other.call("GET", f"/v1/cases/{case_id}/events").status_code == 404
    assert other.call("GET", "/v1/cases").json["items"] == []
    contact = {"at": "2026-08-01T10:00:00Z", "channel": "email", "outcome": "no_answer"}
    assert other.call("POST", f"/v1/cases/{case_id}/contacts", json=contact).status_code == 404


def test_listing_filters_by_status_and_paginates(business: Api, case_payload: dict[str, Any]) -> None:
    ids = {submit(business, case_payload).json["case_id"] for _ in range(3)}

    first = business.call("GET", "/v1/cases?limit=2").json
    second = business.call("GET", f"/v1/cases?limit=2&cursor={first['next_cursor']}").json
    submitted = business.call("GET", "/v1/cases?status=submitted&limit=10").json
    on_hold = business.call("GET", "/v1/cases?status=on_hold").json

    assert len(first["items"]) == 2 and first["next_cursor"]
    assert {c["case_id"] for c in first["items"] + second["items"]} == ids
    assert {c["case_id"] for c in submitted["items"]} == ids
    assert on_hold["items"] == []


def test_a_cursor_from_another_tenant_is_refused(
    operator: Api, business: Api, case_payload: dict[str, Any], tenant_profile: dict[str, Any]
) -> None:
    for _ in range(2):
        submit(business, case_payload)
    cursor = business.call("GET", "/v1/cases?limit=1").json["next_cursor"]
    other = _another_business(operator, tenant_profile)

    response = other.call("GET", f"/v1/cases?cursor={cursor}")

    assert response.status_code == 422
    assert invalid_names(response) == ["query.cursor"]


def test_two_concurrent_updates_to_one_case_both_land(business: Api, case_payload: dict[str, Any]) -> None:
    case_id = submit(business, case_payload).json["case_id"]
    contacts = [
        {"at": f"2026-08-0{day}T10:00:00Z", "channel": "phone", "outcome": "no_answer", "note": f"call {day}"}
        for day in range(1, 9)
    ]
    statuses: list[int] = []

    def log(contact: dict[str, Any]) -> None:
        statuses.append(business.call("POST", f"/v1/cases/{case_id}/contacts", json=contact).status_code)

    threads = [threading.Thread(target=log, args=(contact,)) for contact in contacts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    case = business.call("GET", f"/v1/cases/{case_id}").json
    events = business.call("GET", f"/v1/cases/{case_id}/events").json["items"]
    assert statuses == [200] * len(contacts)
    assert len(case["case"]["contact_log"]) == 3 + len(contacts)
    assert case["version"] == 1 + len(contacts)
    assert [e["seq"] for e in events] == list(range(1, len(contacts) + 2))


def test_concurrent_writers_on_one_case_never_lose_an_update(
    local_aws: Any, business: Api, case_payload: dict[str, Any]
) -> None:
    """Threads call the use case directly (no per-function turn-taking): real optimistic-locking races."""
    from datetime import UTC, datetime

    from handoff.adapters.dynamodb import case_repository
    from handoff.domain.case import Principal, PrincipalKind
    from handoff.domain.models import ContactAttempt
    from handoff.services.cases import log_contact

    created = submit(business, case_payload).json
    tenant_id = _tenant_of(business)
    caller = Principal(PrincipalKind.business, "key_test", tenant_id=tenant_id)
    writers = 12
    barrier = threading.Barrier(writers)
    errors: list[Exception] = []

    def write(n: int) -> None:
        attempt = ContactAttempt.model_validate(
            {"at": datetime(2026, 9, 1, n, tzinfo=UTC).isoformat(), "channel": "sms", "outcome": "no_answer"}
        )
        barrier.wait()
        try:
            log_contact(case_repository(), caller, created["case_id"], attempt, datetime.now(UTC))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    case = case_repository().get(tenant_id, created["case_id"])
    assert errors == []
    assert len(case.intake.contact_log) == 3 + writers
    assert case.version == 1 + writers


def _tenant_of(api: Api) -> str:
    import hashlib

    from handoff.adapters.key_store import key_repository

    assert api.key
    key = key_repository().find_by_secret_hash(hashlib.sha256(api.key.encode()).hexdigest())
    assert key is not None and key.tenant_id
    return key.tenant_id
