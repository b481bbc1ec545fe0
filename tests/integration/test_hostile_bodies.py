"""Hostile request bodies through the gateway, in-process: each refused with its status, nothing written.

Every route (whatever its method) is tried with bodies nested 10,000 deep and with a repeated key;
every request model that carries money is tried with a JSON number where a decimal string goes;
text fields with control characters. (The same forms over real HTTP: tests/e2e/test_hostile_requests.py.)
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from handoff.catalog import ROUTES
from handoff.handlers.partner_models import EXAMPLE_PARTNER, EXAMPLE_RULES
from tests.integration.conftest import Api

PROBLEM = "application/problem+json"
JSON = {"Content-Type": "application/json"}
IDS = {
    "case_id": "case_" + "0" * 20,
    "partner_id": "par_000000000000",
    "endpoint_id": "whe_" + "0" * 20,
    "delivery_id": "dlv_" + "0" * 20,
    "tenant_id": "ten_" + "0" * 20,
    "key_id": "key_" + "0" * 20,
    "document_id": "doc_" + "0" * 20,
    "series": "BOE_BANK_RATE",
    "effective_from": "2026-07-01",
}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: IDS[m.group(1)], path)


def kind_of(response: Any) -> str:
    assert response.content_type == PROBLEM, response.data[:200]
    return str(response.json["type"].rsplit("/", 1)[-1])


def test_deep_and_repeated_key_bodies_get_400_on_every_route_and_write_nothing(
    operator: Api, table_items: Callable[[], int]
) -> None:
    """Every route of every API function, whatever its method: a body is checked before routing."""
    before = table_items()
    answers = {}
    for route in ROUTES:
        for name, body, expected in [
            ("objects", '{"a":' * 10_000, "nesting-too-deep"),
            ("arrays", "[" * 10_000, "nesting-too-deep"),
            ("closed", "[" * 65 + "]" * 65, "nesting-too-deep"),
            ("repeated", '{"name": "a", "x": {"k": 1, "k": 2}}', "duplicate-key"),
        ]:
            response = operator.call(route.method, concrete(route.path), data=body, headers=JSON)
            answers[(route.method, route.path, name)] = (response.status_code, kind_of(response))
            assert answers[(route.method, route.path, name)] == (400, expected), (route, name)
    assert len(answers) == 4 * len(ROUTES) and len(ROUTES) >= 40
    assert operator.call("GET", "/v1/health").status_code == 200
    assert table_items() == before


def submit(api: Api, payload: Any) -> Any:
    return api.call("POST", "/v1/cases", json=payload, headers={"Idempotency-Key": str(uuid.uuid4())})


def at(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    target: Any = changed
    parts = [int(p) if p.isdigit() else p for p in path.split(".")]
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    return changed


def assert_refused_as_number(response: Any, field: str) -> None:
    assert response.status_code == 422, response.json
    assert kind_of(response) == "validation-error"
    params = {p["name"]: p["reason"] for p in response.json["invalid-params"]}
    assert list(params) == [field]
    assert "decimal string" in params[field] and "not a JSON number" in params[field]


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("invoices.0.amount", 1250, "body.invoices.0.amount"),
        ("invoices.0.paid", 0.0, "body.invoices.0.paid"),
        ("settlement_authority_percent", 80, "body.settlement_authority_percent"),
        ("terms.interest", {"kind": "contractual", "rate_percent": 8.5}, "body.terms.interest.rate_percent"),
        ("terms.late_fee", {"amount": 40}, "body.terms.late_fee.amount"),
        ("terms.late_fee", {"percent": 2.5}, "body.terms.late_fee.percent"),
    ],
)
def test_money_as_a_json_number_is_refused_at_intake(
    business: Api,
    case_payload: dict[str, Any],
    table_items: Callable[[], int],
    path: str,
    value: Any,
    field: str,
) -> None:
    before = table_items()
    assert_refused_as_number(submit(business, at(case_payload, path, value)), field)
    assert table_items() == before


def test_a_direct_payment_as_a_json_number_is_refused(
    business: Api, case_payload: dict[str, Any], table_items: Callable[[], int]
) -> None:
    case_id = submit(business, case_payload).json["case_id"]
    before = table_items()
    response = business.call(
        "POST",
        f"/v1/cases/{case_id}/payments",
        json={"amount": 100, "paid_on": "2026-09-14"},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert_refused_as_number(response, "body.amount")
    assert table_items() == before


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("amount_bands.0.min", 100, "body.amount_bands.0.min"),
        ("amount_bands.0.max", 25000.0, "body.amount_bands.0.max"),
        ("fee_terms.contingency_percent", 12.5, "body.fee_terms.contingency_percent"),
        ("fee_terms.direct_payment_fee_percent", 5, "body.fee_terms.direct_payment_fee_percent"),
        (
            "fee_terms.recall_fee",
            {"kind": "percent", "percent": 5},
            "body.fee_terms.recall_fee.percent.percent",
        ),
        (
            "fee_terms.recall_fee",
            {"kind": "fixed", "amount": {"currency": "GBP", "amount": 50}},
            "body.fee_terms.recall_fee.fixed.amount.amount",
        ),
    ],
)
def test_partner_bands_and_fees_as_json_numbers_are_refused(
    operator: Api, table_items: Callable[[], int], path: str, value: Any, field: str
) -> None:
    before = table_items()
    response = operator.call("POST", "/v1/partners", json=at(EXAMPLE_PARTNER, path, value))
    assert_refused_as_number(response, field)
    assert table_items() == before


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("rules.1.amounts.0.max", 25000, "body.rules.1.amounts.0.max"),
        ("attorney_threshold.GBP", 10000.0, "body.attorney_threshold.GBP"),
    ],
)
def test_routing_rule_amounts_as_json_numbers_are_refused(
    operator: Api, table_items: Callable[[], int], path: str, value: Any, field: str
) -> None:
    rules = {**EXAMPLE_RULES, "version": operator.call("GET", "/v1/routing-rules").json["version"]}
    before = table_items()
    response = operator.call("PUT", "/v1/routing-rules", json=at(rules, path, value))
    assert_refused_as_number(response, field)
    assert table_items() == before


@pytest.mark.parametrize(
    ("path", "text", "field"),
    [
        ("creditor_reference", "ACME-\x00-42", "body.creditor_reference"),
        ("debtor.legal_name", "Northwind\x1b[31m Ltd", "body.debtor.legal_name"),
        ("debtor.address.lines.0", "1 High Street\n", "body.debtor.address.lines.0"),
        ("debtor.address.city", "Leeds\x7f", "body.debtor.address.city"),
        ("debtor.registration_number", "\t0123", "body.debtor.registration_number"),
        ("debtor.contacts.0.name", "Jane\u0085Roe", "body.debtor.contacts.0.name"),
        ("invoices.0.number", "INV\x001001", "body.invoices.0.number"),
        ("invoices.0.description", "Consulting\x0c May", "body.invoices.0.description"),
        ("terms.agreement_reference", "MSA\x002025", "body.terms.agreement_reference"),
        ("contact_log.0.note", "Reminder\x001", "body.contact_log.0.note"),
    ],
)
def test_control_characters_in_case_text_are_refused_naming_the_field(
    business: Api,
    case_payload: dict[str, Any],
    table_items: Callable[[], int],
    path: str,
    text: str,
    field: str,
) -> None:
    before = table_items()
    response = submit(business, at(case_payload, path, text))
    assert response.status_code == 422 and kind_of(response) == "validation-error"
    assert [p["name"] for p in response.json["invalid-params"]] == [field]
    assert "control character" in response.json["invalid-params"][0]["reason"]
    assert table_items() == before


def test_notes_keep_their_tabs_and_line_breaks(business: Api, case_payload: dict[str, Any]) -> None:
    note = "Called twice.\n\tPromised to pay\r\nby Friday."
    created = submit(business, at(case_payload, "contact_log.0.note", note))
    assert created.status_code == 201, created.json
    assert created.json["case"]["contact_log"][0]["note"] == note


def test_control_characters_in_tenant_partner_and_endpoint_text_are_refused(
    operator: Api, business: Api, tenant_profile: dict[str, Any], table_items: Callable[[], int]
) -> None:
    before = table_items()
    tenant = operator.call("POST", "/v1/tenants", json=at(tenant_profile, "legal_name", "Acme\x00 Ltd"))
    partner = operator.call("POST", "/v1/partners", json=at(EXAMPLE_PARTNER, "name", "Pennine\x1f Credit"))
    endpoint = business.call(
        "POST",
        "/v1/webhook-endpoints",
        json={"url": "https://hooks.acme.example/h", "event_types": ["*"], "description": "ERP\x00"},
    )
    assert [p["name"] for p in tenant.json["invalid-params"]] == ["body.legal_name"]
    assert [p["name"] for p in partner.json["invalid-params"]] == ["body.name"]
    assert [p["name"] for p in endpoint.json["invalid-params"]] == ["body.description"]
    assert table_items() == before
