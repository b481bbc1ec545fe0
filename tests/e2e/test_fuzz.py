"""Fuzzing over real HTTP: schemathesis generates requests from the committed schemas/openapi.json.

`python -m handoff.local serve` runs as a separate process with a seeded operator key;
the fixture onboards a business and an agency and submits one case, so every
authenticated route is called with a key that may call it and, where a request names
an id the generator got right in shape, with an id that exists.

Per operation: the coverage phase (schema-violating boundary values, missing fields,
wrong types, undeclared methods such as TRACE) and a derandomized fuzzing phase of
HANDOFF_FUZZ_EXAMPLES valid and invalid examples — about 2,000 requests, ~45 s.
Every response must be: no 5xx, a documented status code, the documented content type,
a body that matches the documented schema; invalid requests refused with a 4xx,
undeclared methods with 405 and `Allow`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from handoff.local.client import HandoffClient
from tests.conftest import load_example
from tests.e2e.runtime import local_runtime

pytestmark = pytest.mark.xdist_group("fuzz")

OPENAPI = Path(__file__).resolve().parents[2] / "schemas" / "openapi.json"
MAX_EXAMPLES = int(os.environ.get("HANDOFF_FUZZ_EXAMPLES", "8"))

schema = schemathesis.openapi.from_path(
    OPENAPI,
    config=schemathesis.Config.from_dict(
        {
            "phases": {"coverage": {"generation": {"mode": "negative"}}},
            "generation": {"deterministic": True},
        }
    ),
)

# Every other built-in check runs (no 5xx, documented status codes, content types, response
# schemas and headers, invalid data refused, unsupported methods answered 405 with Allow, ...).
# `positive_data_acceptance` (ST202, "a schema-valid request must get 2xx") cannot hold for this
# API: some of its rules are not JSON Schema, and the document declares the 422 they produce —
# opaque pagination cursors ("not a cursor we issued"), cross-field rules (a business key needs
# tenant_id, an invoice document names its invoice_number, `from` before `to`), amounts scaled to
# the currency's minor unit, phone numbers that must exist in their numbering plan, webhook URLs
# that must be https outside the local runtime.
EXCLUDED = [positive_data_acceptance]


OPERATOR_PREFIXES = ("/v1/review-queue", "/v1/tenants", "/v1/api-keys", "/v1/partners", "/v1/routing")


@dataclass
class Runtime:
    url: str
    keys: dict[str, str]  # kind of key → secret
    ids: dict[str, str]  # path parameter → an id that exists
    session: requests.Session

    def key_for(self, path: str) -> str | None:
        if path == "/v1/health" or path.startswith("/v1/webhooks/"):
            return None
        if path.startswith("/v1/assignments"):
            return self.keys["agency"]
        if path.startswith(OPERATOR_PREFIXES):
            return self.keys["operator"]
        return self.keys["business"]


def _partner(operator: HandoffClient, example: str) -> str:
    return str(
        operator.request("POST", "/v1/partners", json=load_example(f"partners/{example}"))["partner_id"]
    )


@pytest.fixture(scope="module")
def runtime() -> Iterator[Runtime]:
    with local_runtime(log_level="ERROR") as operator:
        tenant_id = operator.create_tenant(load_example("tenants/acme.json"))["tenant_id"]
        business = operator.as_key(operator.issue_key("business", tenant_id=tenant_id))
        partner_id = _partner(operator, "pennine-credit.json")
        agency_key = operator.issue_key("agency", partner_id=partner_id)
        case_id = business.submit_case(load_example("cases/acme-northwind-gb.json"))["case_id"]
        keys = {"operator": operator.key or "", "business": business.key or "", "agency": agency_key}
        ids = {"case_id": case_id, "tenant_id": tenant_id, "partner_id": partner_id}
        with requests.Session() as session:
            yield Runtime(operator.base_url, keys, ids, session)


def _use_existing_ids(case: schemathesis.Case, runtime: Runtime) -> None:
    """A well-formed generated id becomes one that exists, so the request reaches past the 404."""
    parameters = case.operation.path_parameters
    for name, value in list((case.path_parameters or {}).items()):
        pattern = next((p.definition["schema"].get("pattern") for p in parameters if p.name == name), None)
        if name in runtime.ids and pattern and isinstance(value, str) and re.fullmatch(pattern, value):
            case.path_parameters[name] = runtime.ids[name]  # type: ignore[index]


@schema.parametrize()
@settings(  # reproducible in CI: derandomized, no example database; no deadline on a shared machine
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_honours_its_contract(case: schemathesis.Case, runtime: Runtime) -> None:
    _use_existing_ids(case, runtime)
    key = runtime.key_for(case.path)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    case.call_and_validate(
        base_url=runtime.url, session=runtime.session, headers=headers, excluded_checks=EXCLUDED
    )
