"""Every authenticated route and every kind of key: who may call it, and that nobody reaches another's data.

The table below is the authorization design. A route added to the catalog without a
row here fails the first test, so no endpoint can escape the matrix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from handoff.catalog import ROUTES
from tests.integration.conftest import Api
from tests.integration.workflow_kit import submit

pytestmark = pytest.mark.xdist_group("matrix")

B, AG, AT, OP = "business", "agency", "attorney", "operator"
PARTNERS = {AG, AT}
ALL = {B, AG, AT, OP}
PERMITTED: dict[tuple[str, str], set[str]] = {
    **{
        (m, p): {B}
        for m, p in [
            ("POST", "/v1/cases"),
            ("GET", "/v1/cases"),
            ("GET", "/v1/cases/{case_id}"),
            ("GET", "/v1/cases/{case_id}/events"),
            ("GET", "/v1/cases/{case_id}/assessment"),
            ("POST", "/v1/assessments"),
            ("POST", "/v1/cases/{case_id}/legal-events"),
            ("POST", "/v1/cases/{case_id}/contacts"),
            ("GET", "/v1/cases/{case_id}/verify"),
            ("POST", "/v1/cases/{case_id}/evidence"),
            ("GET", "/v1/cases/{case_id}/evidence"),
            ("POST", "/v1/cases/{case_id}/payments"),
            ("POST", "/v1/cases/{case_id}/dispute"),
            ("POST", "/v1/cases/{case_id}/withdraw"),
            ("POST", "/v1/cases/{case_id}/release"),
            ("POST", "/v1/cases/{case_id}/documents"),
            ("GET", "/v1/cases/{case_id}/documents"),
            ("GET", "/v1/cases/{case_id}/documents/{document_id}"),
            ("POST", "/v1/cases/{case_id}/packet"),
            ("GET", "/v1/cases/{case_id}/packet"),
            ("GET", "/v1/cases/{case_id}/ledger"),
            ("POST", "/v1/webhook-endpoints"),
            ("GET", "/v1/webhook-endpoints"),
            ("DELETE", "/v1/webhook-endpoints/{endpoint_id}"),
            ("GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries"),
            ("POST", "/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay"),
            ("GET", "/v1/retention-policy"),
            ("GET", "/v1/cases/{case_id}/retention"),
            ("POST", "/v1/cases/{case_id}/legal-hold"),
            ("POST", "/v1/cases/{case_id}/legal-hold/lift"),
            ("POST", "/v1/cases/{case_id}/erasure"),
            ("POST", "/v1/cases/{case_id}/rate-confirmations"),
        ]
    },
    **{
        (m, p): PARTNERS
        for m, p in [
            ("GET", "/v1/assignments"),
            ("GET", "/v1/assignments/{case_id}"),
            ("GET", "/v1/assignments/{case_id}/packet"),
            ("GET", "/v1/assignments/{case_id}/documents/{document_id}"),
            ("POST", "/v1/assignments/{case_id}/accept"),
            ("POST", "/v1/assignments/{case_id}/decline"),
            ("GET", "/v1/assignments/{case_id}/ledger"),
        ]
    },
    **{
        (m, p): {OP}
        for m, p in [
            ("GET", "/v1/review-queue"),
            ("POST", "/v1/review-queue/{case_id}/assign"),
            ("POST", "/v1/tenants"),
            ("GET", "/v1/tenants/{tenant_id}"),
            ("POST", "/v1/api-keys"),
            ("DELETE", "/v1/api-keys/{key_id}"),
            ("POST", "/v1/partners"),
            ("GET", "/v1/partners"),
            ("GET", "/v1/partners/{partner_id}"),
            ("PUT", "/v1/partners/{partner_id}"),
            ("GET", "/v1/routing-rules"),
            ("PUT", "/v1/routing-rules"),
            ("POST", "/v1/partners/{partner_id}/webhook-secrets"),
            ("GET", "/v1/tenants/{tenant_id}/retention-policy"),
            ("PUT", "/v1/tenants/{tenant_id}/retention-policy"),
            ("GET", "/v1/tenants/{tenant_id}/cases/{case_id}/retention"),
            ("POST", "/v1/tenants/{tenant_id}/cases/{case_id}/legal-hold"),
            ("POST", "/v1/tenants/{tenant_id}/cases/{case_id}/legal-hold/lift"),
            ("PUT", "/v1/reference-rates/{series}/{effective_from}"),
        ]
    },
    ("GET", "/v1/reports/recovery"): ALL,
    ("GET", "/v1/reference-rates"): {B, OP},
    ("GET", "/v1/reference-rates/{series}"): {B, OP},
}
AUTHENTICATED = sorted((r.method, r.path) for r in ROUTES if r.auth)
OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "openapi.json").read_text())
IDS = {
    "case_id": "case_" + "0" * 20,
    "document_id": "doc_" + "0" * 20,
    "endpoint_id": "whe_" + "0" * 20,
    "delivery_id": "dlv_" + "0" * 20,
    "tenant_id": "ten_" + "0" * 20,
    "key_id": "key_" + "0" * 20,
    "partner_id": "par_000000000000",
    "series": "BOE_BANK_RATE",
    "effective_from": "2025-12-18",
}


def test_every_authenticated_route_is_in_the_matrix() -> None:
    assert sorted(PERMITTED) == AUTHENTICATED


def example_body(method: str, path: str) -> Any:
    """The request model's own example, so validation passes and only authorization decides."""
    body = OPENAPI["paths"][path][method.lower()].get("requestBody")
    if not body:
        return None
    schema = body["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    return OPENAPI["components"]["schemas"][name]["examples"][0]


def call(api: Api, method: str, path: str, ids: dict[str, str]) -> Any:
    url = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
    return api.call(
        method, url, json=example_body(method, path), headers={"Idempotency-Key": "matrix-key-0001"}
    )


@pytest.fixture(scope="module")
def keys(operator: Api) -> dict[str, Api]:
    from tests.integration.workflow_kit import add_partner, partner_key

    tenant = operator.call(
        "POST",
        "/v1/tenants",
        json=json.loads(
            (Path(__file__).resolve().parents[2] / "examples" / "tenants" / "acme.json").read_text()
        ),
    ).json
    business = operator.as_key(
        operator.call("POST", "/v1/api-keys", json={"kind": B, "tenant_id": tenant["tenant_id"]}).json[
            "secret"
        ]
    )
    agency = partner_key(operator, add_partner(["US-AK"], AG, "USD"), AG)
    attorney = partner_key(operator, add_partner(["US-AK"], AT, "USD"), AT)
    return {B: business, AG: agency, AT: attorney, OP: operator}


@pytest.mark.parametrize(("method", "path"), AUTHENTICATED)
def test_a_kind_of_key_not_permitted_gets_403(keys: dict[str, Api], method: str, path: str) -> None:
    for kind in sorted(ALL - PERMITTED[(method, path)]):
        response = call(keys[kind], method, path, IDS)
        assert response.status_code == 403, (kind, method, path, response.status_code, response.json)


CASE_ROUTES = [(m, p) for m, p in AUTHENTICATED if "{case_id}" in p and PERMITTED[(m, p)] != {OP}]


@pytest.mark.parametrize(("method", "path"), CASE_ROUTES)
def test_another_owners_case_is_a_404_for_every_permitted_kind(
    keys: dict[str, Api], business: Api, case_payload: dict[str, Any], method: str, path: str
) -> None:
    """`business` is another tenant; its case is not assigned to the matrix's partners."""
    others_case = submit(business, case_payload)
    ids = {**IDS, "case_id": others_case}

    for kind in sorted(PERMITTED[(method, path)]):
        response = call(keys[kind], method, path, ids)
        assert response.status_code == 404, (kind, method, path, response.status_code, response.json)
