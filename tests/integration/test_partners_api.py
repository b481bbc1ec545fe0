"""Partners and routing rules: the operator API, optimistic versions, atomic capacity."""

from __future__ import annotations

import copy
import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from handoff.handlers.partner_models import EXAMPLE_PARTNER, EXAMPLE_RULES
from tests.integration.conftest import Api


@pytest.fixture
def partner_payload() -> dict[str, Any]:
    payload = copy.deepcopy(EXAMPLE_PARTNER)
    payload["name"] = f"Agency {secrets.token_hex(3)}"
    return payload


def _create(operator: Api, payload: dict[str, Any]) -> dict[str, Any]:
    response = operator.call("POST", "/v1/partners", json=payload)
    assert response.status_code == 201, response.json
    created: dict[str, Any] = response.json
    return created


def _names(response: Any) -> list[str]:
    return [p["name"] for p in response.json["invalid-params"]]


def test_partner_is_created_listed_read_and_replaced(operator: Api, partner_payload: dict[str, Any]) -> None:
    created = _create(operator, partner_payload)
    partner_id = created["partner_id"]

    listed = operator.call("GET", "/v1/partners").json["items"]
    fetched = operator.call("GET", f"/v1/partners/{partner_id}").json
    replaced = operator.call(
        "PUT",
        f"/v1/partners/{partner_id}",
        json={**partner_payload, "capacity": 5, "status": "suspended", "version": created["version"]},
    )

    assert partner_id.startswith("par_") and created["version"] == 1
    assert created["open_cases"] == 0 and created["free_capacity"] == 250
    assert created["amount_bands"] == [{"currency": "GBP", "min": "100.00", "max": "25000.00"}]
    assert partner_id in [item["partner_id"] for item in listed]
    assert fetched == created
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["version"] == 2
    assert (replaced.json["status"], replaced.json["capacity"]) == ("suspended", 5)
    assert operator.call("GET", f"/v1/partners/{partner_id}").json == replaced.json


def test_unknown_partner_is_a_404(operator: Api, partner_payload: dict[str, Any]) -> None:
    assert operator.call("GET", "/v1/partners/par_missing").status_code == 404
    put = operator.call("PUT", "/v1/partners/par_missing", json={**partner_payload, "version": 1})
    assert put.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p.update(jurisdictions=["XX"]), "body.jurisdictions.0"),
        (lambda p: p.update(jurisdictions=["GB", "gb"]), "body.jurisdictions"),
        (lambda p: p["amount_bands"][0].update(min="500", max="100"), "body.amount_bands.0"),
        (lambda p: p["amount_bands"][0].update(max="10.001"), "body.amount_bands.0.max"),
        (lambda p: p["amount_bands"].append(dict(p["amount_bands"][0])), "body.amount_bands"),
        (lambda p: p.update(capacity=-1), "body.capacity"),
        (lambda p: p.update(type="bailiff"), "body.type"),
        (lambda p: p.update(partner_id="par_mine"), "body.partner_id"),
        (lambda p: p.update(open_cases=3), "body.open_cases"),
        (lambda p: p["fee_terms"].update(contingency_percent="101"), "body.fee_terms.contingency_percent"),
    ],
)
def test_invalid_partner_is_refused_naming_the_field_and_nothing_is_written(
    operator: Api, partner_payload: dict[str, Any], table_items: Any, change: Any, field: str
) -> None:
    change(partner_payload)
    before = table_items()

    response = operator.call("POST", "/v1/partners", json=partner_payload)

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in _names(response)
    assert table_items() == before


def test_replace_without_version_is_refused(operator: Api, partner_payload: dict[str, Any]) -> None:
    created = _create(operator, partner_payload)

    response = operator.call("PUT", f"/v1/partners/{created['partner_id']}", json=partner_payload)

    assert response.status_code == 422
    assert _names(response) == ["body.version"]


def test_business_key_gets_403_on_every_partner_route(business: Api, partner_payload: dict[str, Any]) -> None:
    rules = {**EXAMPLE_RULES, "version": 0}
    calls = [
        ("POST", "/v1/partners", partner_payload),
        ("GET", "/v1/partners", None),
        ("GET", "/v1/partners/par_x", None),
        ("PUT", "/v1/partners/par_x", {**partner_payload, "version": 1}),
        ("GET", "/v1/routing-rules", None),
        ("PUT", "/v1/routing-rules", rules),
    ]
    for method, path, body in calls:
        response = business.call(method, path, json=body)
        assert response.status_code == 403, (method, path)
        assert response.content_type == "application/problem+json"


def test_stale_partner_version_is_a_409_and_changes_nothing(
    operator: Api, partner_payload: dict[str, Any]
) -> None:
    created = _create(operator, partner_payload)
    path = f"/v1/partners/{created['partner_id']}"
    first = operator.call("PUT", path, json={**partner_payload, "priority": 1, "version": 1})

    stale = operator.call("PUT", path, json={**partner_payload, "priority": 99, "version": 1})

    assert first.status_code == 200 and first.json["version"] == 2
    assert stale.status_code == 409
    assert stale.json["type"].endswith("conflict")
    assert "version 2" in stale.json["detail"]
    assert operator.call("GET", path).json["priority"] == 1


def test_replace_keeps_open_cases(operator: Api, partner_payload: dict[str, Any]) -> None:
    from handoff.adapters.partner_store import partner_repository

    created = _create(operator, partner_payload)
    assert partner_repository().reserve(created["partner_id"])

    replaced = operator.call(
        "PUT", f"/v1/partners/{created['partner_id']}", json={**partner_payload, "version": 1}
    ).json

    assert replaced["open_cases"] == 1 and replaced["version"] == 2


# --- routing rules -------------------------------------------------------------------------


def test_routing_rules_round_trip_and_a_stale_put_is_a_409(operator: Api) -> None:
    current = operator.call("GET", "/v1/routing-rules").json
    body = {**copy.deepcopy(EXAMPLE_RULES), "version": current["version"]}

    stored = operator.call("PUT", "/v1/routing-rules", json=body)
    fetched = operator.call("GET", "/v1/routing-rules").json
    stale = operator.call("PUT", "/v1/routing-rules", json=body)

    assert stored.status_code == 200, stored.json
    assert stored.json["version"] == current["version"] + 1
    assert fetched == stored.json
    assert fetched["default"] is False and fetched["updated_by"].startswith("key_")
    assert [rule["rule_id"] for rule in fetched["rules"]] == [r["rule_id"] for r in EXAMPLE_RULES["rules"]]
    assert fetched["rules"][1]["amounts"] == [{"currency": "GBP", "min": None, "max": "25000.00"}]
    assert fetched["attorney_threshold"] == {"GBP": "10000.00", "EUR": "10000.00"}
    assert stale.status_code == 409
    assert operator.call("GET", "/v1/routing-rules").json["version"] == stored.json["version"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r["rules"].append(dict(r["rules"][0])), "body.rules"),
        (lambda r: r["rules"][0].update(partner_type="bailiff"), "body.rules.0.partner_type"),
        (lambda r: r["rules"][1]["amounts"][0].update(max="1.001"), "body.rules.1.amounts.0.max"),
        (lambda r: r["rules"][2].update(jurisdictions=["ZZ"]), "body.rules.2.jurisdictions.0"),
        (lambda r: r.update(unanswered_contacts_threshold=0), "body.unanswered_contacts_threshold"),
        (lambda r: r.update(version=-1), "body.version"),
        (lambda r: r.pop("version"), "body.version"),
        (lambda r: r["rules"][0].update(forbidden_signals=["above_threshold"]), "body.rules.0"),
    ],
)
def test_invalid_routing_rules_are_refused_naming_the_field(
    operator: Api, table_items: Any, change: Any, field: str
) -> None:
    body = {
        **copy.deepcopy(EXAMPLE_RULES),
        "version": operator.call("GET", "/v1/routing-rules").json["version"],
    }
    change(body)
    before = table_items()

    response = operator.call("PUT", "/v1/routing-rules", json=body)

    assert response.status_code == 422
    assert field in _names(response)
    assert table_items() == before


@pytest.fixture
def fresh_table(local_aws: Any) -> Iterator[str]:
    """Another table in the same moto server: a store that has never held routing rules."""
    import boto3

    from handoff.adapters.table_schema import create_table_kwargs

    name = f"{local_aws.table}-{secrets.token_hex(3)}"
    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoint)
    client.create_table(**create_table_kwargs(name))  # type: ignore[arg-type]
    yield name
    client.delete_table(TableName=name)


def test_default_rules_are_version_0_and_every_version_is_kept(fresh_table: str) -> None:
    from handoff.adapters.aws import dynamodb
    from handoff.adapters.routing_store import DynamoRoutingRules, default_routing_rules
    from handoff.domain.errors import ConflictError, NotFoundError
    from handoff.domain.routing import RoutingRules

    default = default_routing_rules()

    store = DynamoRoutingRules(dynamodb(), fresh_table)
    custom = RoutingRules.model_validate({k: v for k, v in EXAMPLE_RULES.items() if k != "version"})

    assert store.get() == (default, 0)
    assert [r.partner_type for r in default.rules] == ["attorney", "agency"]
    first = store.put(custom, 0)
    with pytest.raises(ConflictError):
        store.put(custom, 0)  # someone stored version 1 meanwhile
    second = store.put(default, 1, changed_by="key_x")

    assert (first.version, second.version) == (1, 2)
    assert store.get() == (default, 2)
    assert store.get_version(1) == custom and store.get_version(2) == default
    assert store.get_version(0) == default
    with pytest.raises(NotFoundError):
        store.get_version(3)


# --- capacity --------------------------------------------------------------------------------


def test_reserve_respects_capacity_under_20_concurrent_threads(
    operator: Api, partner_payload: dict[str, Any]
) -> None:
    from handoff.adapters.partner_store import partner_repository

    partner_id = _create(operator, {**partner_payload, "capacity": 7})["partner_id"]
    store = partner_repository()
    start = threading.Barrier(20)
    results: list[bool] = []
    lock = threading.Lock()

    def reserve() -> None:
        start.wait()
        taken = store.reserve(partner_id)
        with lock:
            results.append(taken)

    threads = [threading.Thread(target=reserve) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 20
    assert results.count(True) == 7
    partner = store.get(partner_id)
    assert (partner.open_cases, partner.free_capacity) == (7, 0)
    assert operator.call("GET", f"/v1/partners/{partner_id}").json["open_cases"] == 7


def test_reserve_refuses_a_suspended_partner(operator: Api, partner_payload: dict[str, Any]) -> None:
    from handoff.adapters.partner_store import partner_repository
    from handoff.domain.errors import NotFoundError

    created = _create(operator, {**partner_payload, "status": "suspended"})
    store = partner_repository()

    assert store.reserve(created["partner_id"]) is False
    assert store.get(created["partner_id"]).open_cases == 0
    reactivated = operator.call(
        "PUT", f"/v1/partners/{created['partner_id']}", json={**partner_payload, "version": 1}
    )
    assert reactivated.json["status"] == "active"
    assert store.reserve(created["partner_id"]) is True
    with pytest.raises(NotFoundError):
        store.reserve("par_missing")


def test_release_never_goes_below_zero(operator: Api, partner_payload: dict[str, Any]) -> None:
    from handoff.adapters.partner_store import partner_repository
    from handoff.domain.errors import NotFoundError

    partner_id = _create(operator, {**partner_payload, "capacity": 2})["partner_id"]
    store = partner_repository()

    assert store.reserve(partner_id) is True
    assert store.release(partner_id) is True
    assert store.release(partner_id) is False
    assert store.release(partner_id) is False
    assert store.get(partner_id).open_cases == 0
    with pytest.raises(NotFoundError):
        store.release("par_missing")


def test_capacity_lowered_below_open_cases_stops_new_reservations(
    operator: Api, partner_payload: dict[str, Any]
) -> None:
    from handoff.adapters.partner_store import partner_repository

    partner_id = _create(operator, {**partner_payload, "capacity": 3})["partner_id"]
    store = partner_repository()
    assert all(store.reserve(partner_id) for _ in range(3))

    lowered = operator.call(
        "PUT", f"/v1/partners/{partner_id}", json={**partner_payload, "capacity": 1, "version": 1}
    )

    assert lowered.json["open_cases"] == 3 and lowered.json["free_capacity"] == 0
    assert store.reserve(partner_id) is False
    assert store.release(partner_id) is True and store.reserve(partner_id) is False
