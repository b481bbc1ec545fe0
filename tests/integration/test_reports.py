"""Recovery reports: each caller sees its own scope; figures come from the ledgers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.integration.workflow_kit import (
    add_partner,
    partner_key,
    ready_case,
    us_case,
    wait_for_status,
    waiting_for,
)

pytestmark = pytest.mark.xdist_group("workflow")


def test_reports_are_scoped_to_the_caller_and_add_up(
    operator: Api, business: Api, workflow_on: Callable[[float], None], tenant_profile: dict[str, Any]
) -> None:
    agency = add_partner(["US-KY"], "agency", "USD")
    workflow_on(0.1)
    case_id = ready_case(business, us_case("US-KY", "4000.00"))
    waiting_for(business, case_id, "partner_acceptance")
    partner = partner_key(operator, agency)
    accepted = partner.call("POST", f"/v1/assignments/{case_id}/accept")
    assert accepted.status_code == 200, accepted.json
    wait_for_status(business, case_id, "in_recovery")

    mine = business.call("GET", "/v1/reports/recovery").json
    theirs = partner.call("GET", "/v1/reports/recovery").json
    everyone = operator.call("GET", "/v1/reports/recovery").json
    other = operator.as_key(
        operator.call(
            "POST",
            "/v1/api-keys",
            json={
                "kind": "business",
                "tenant_id": operator.call("POST", "/v1/tenants", json=tenant_profile).json["tenant_id"],
            },
        ).json["secret"]
    )
    nothing = other.call("GET", "/v1/reports/recovery").json

    usd = next(row for row in mine["totals"] if row["currency"] == "USD")
    assert usd["cases"] == 1 and usd["principal"] == "4000.00"
    assert [row["group"] for row in mine["by_partner"]] == [agency]
    assert [row["group"] for row in theirs["by_partner"]] == [agency]
    assert sum(r["cases"] for r in everyone["totals"]) >= 1
    assert nothing["totals"] == []
    assert [row["group"] for row in mine["by_jurisdiction"]] == ["US-KY"]
    assert [row["group"] for row in mine["by_amount_band"]] == ["1,000 to 9,999"]


def test_a_period_the_wrong_way_round_is_refused(business: Api) -> None:
    response = business.call("GET", "/v1/reports/recovery?from=2026-12-01&to=2026-01-01")

    assert response.status_code == 422
    assert [p["name"] for p in response.json["invalid-params"]] == ["query.from"]
