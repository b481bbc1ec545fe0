"""End to end over real HTTP: `python -m handoff.local serve` as a separate process.

Follows the local runtime contract of DESIGN.md §9: host/port flags and a seeded
HANDOFF_OPERATOR_KEY. Set HANDOFF_E2E_URL (and HANDOFF_E2E_OPERATOR_KEY) to run the
same tests against a deployed stack instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from handoff.local.client import ApiError, HandoffClient
from tests.e2e.runtime import local_runtime

pytestmark = pytest.mark.xdist_group("e2e")


@pytest.fixture(scope="module")
def operator() -> Iterator[HandoffClient]:
    if os.environ.get("HANDOFF_E2E_URL"):
        yield HandoffClient(os.environ["HANDOFF_E2E_URL"], os.environ["HANDOFF_E2E_OPERATOR_KEY"])
        return
    with local_runtime() as client:
        yield client


def test_operator_onboards_a_business_that_submits_and_reads_a_case(
    operator: HandoffClient, tenant_profile: dict[str, Any], case_payload: dict[str, Any]
) -> None:
    tenant = operator.create_tenant(tenant_profile)
    business = operator.as_key(operator.issue_key("business", tenant_id=tenant["tenant_id"]))

    created = business.submit_case(case_payload, idempotency_key="e2e-case-0001")
    fetched = business.request("GET", f"/v1/cases/{created['case_id']}")
    replayed = business.submit_case(case_payload, idempotency_key="e2e-case-0001")

    assert fetched["summary"]["principal_outstanding"] == "17250.00"
    assert replayed["case_id"] == created["case_id"]


def test_interactive_docs_and_openapi_are_served(operator: HandoffClient) -> None:
    docs = requests.get(f"{operator.base_url}/docs", timeout=10)
    spec = requests.get(f"{operator.base_url}/openapi.json", timeout=10).json()

    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "/v1/cases" in spec["paths"]


def test_another_business_gets_404_for_a_case_that_is_not_its_own(
    operator: HandoffClient, tenant_profile: dict[str, Any], case_payload: dict[str, Any]
) -> None:
    keys = [
        operator.issue_key("business", tenant_id=operator.create_tenant(tenant_profile)["tenant_id"])
        for _ in range(2)
    ]
    mine, theirs = (operator.as_key(k) for k in keys)
    case_id = mine.submit_case(case_payload)["case_id"]

    with pytest.raises(ApiError) as refused:
        theirs.request("GET", f"/v1/cases/{case_id}")

    assert refused.value.status == 404
    assert refused.value.problem["type"].endswith("/not-found")


def test_a_request_without_a_key_is_refused(operator: HandoffClient) -> None:
    response = requests.get(f"{operator.base_url}/v1/cases", timeout=10)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"


def test_the_import_command_records_a_published_table_through_the_api(operator: HandoffClient) -> None:
    """`rates import --api` against the served API: every fixing through PUT, as an operator would."""
    import subprocess
    import sys

    from tests.conftest import EXAMPLES

    sample = EXAMPLES / "reference-rates" / "fred-DPCREDIT.csv"
    env = {**os.environ, "HANDOFF_OPERATOR_KEY": operator.key or ""}
    done = subprocess.run(
        [sys.executable, "-m", "handoff.local", "rates", "import", str(sample), "--api", operator.base_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "FED_DISCOUNT 2025-12-11..2025-12-31      3.75%" in done.stdout
    series = operator.request("GET", "/v1/reference-rates/FED_DISCOUNT")
    recorded = {f["effective_from"]: f for f in series["fixings"] if f["origin"] == "recorded"}
    assert (recorded["2025-12-11"]["value"], recorded["2025-12-11"]["through"]) == ("3.75", "2025-12-31")
    assert recorded["2025-12-11"]["source"].startswith("FRED series DPCREDIT")
