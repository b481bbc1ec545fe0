"""Integration fixtures: the handlers in-process, AWS from a moto server on loopback.

The API is called through the local gateway (authorizer, proxy event, handler), as a
WSGI application, so each test exercises what Lambda runs without a network hop.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.test import Client

from handoff.local.aws import LocalAws, start_local_aws


@dataclass
class Api:
    client: Client
    key: str | None = None

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        data: bytes | str | None = None,
    ) -> Any:
        all_headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        all_headers.update(headers or {})
        return self.client.open(path, method=method, json=json, data=data, headers=all_headers)

    def as_key(self, key: str | None) -> Api:
        return Api(self.client, key)


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAws]:
    import os

    os.environ["AUTO_START_WORKFLOW"] = "false"  # workflow tests switch it on for themselves
    aws = start_local_aws(prefix=f"handoff-test-{secrets.token_hex(3)}")
    yield aws
    aws.stop()


@pytest.fixture
def workflow_on(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Cases start their workflow at submission; `set_day(seconds)` sets how long a workflow day lasts."""
    from handoff.config import business_api_settings, workflow_settings
    from handoff.handlers.wiring import reset_wiring

    def refresh() -> None:
        business_api_settings.cache_clear()
        workflow_settings.cache_clear()
        reset_wiring()

    def set_day(seconds: float, acceptance_days: int = 600) -> None:
        """A workflow day lasts `seconds`; partners get `acceptance_days` (long: tests answer when ready)."""
        monkeypatch.setenv("HANDOFF_SECONDS_PER_DAY", str(seconds))
        monkeypatch.setenv("ACCEPTANCE_DAYS", str(acceptance_days))
        refresh()

    monkeypatch.setenv("AUTO_START_WORKFLOW", "true")
    set_day(1.0)
    yield set_day
    local_aws.stop_executions()
    monkeypatch.undo()
    refresh()


@pytest.fixture(scope="session")
def operator(local_aws: LocalAws) -> Api:
    from handoff.local.seed import seed_operator_key
    from handoff.local.server import application

    key = f"hk_test_operator_{secrets.token_hex(16)}"
    seed_operator_key(key)
    return Api(Client(application), key)


@pytest.fixture(scope="session", autouse=True)
def boe_fixing_of_30_june_2026(operator: Api) -> None:
    """The operator records Bank Rate on 30 June 2026, as the demo does: the sample case's second
    invoice falls due in July 2026, and its statutory interest reads that fixing (the seed stops at
    February 2026). Without it, its letters would be refused (409 stale-rate), as they should be."""
    from handoff.local.demo_rates import BOE_BANK_RATE_30_JUNE_2026, fixing_path

    fixing = BOE_BANK_RATE_30_JUNE_2026
    recorded = operator.call("PUT", fixing_path(fixing), json=fixing["body"])
    assert recorded.status_code in (200, 201), recorded.json


@pytest.fixture
def business(operator: Api, tenant_profile: dict[str, Any]) -> Api:
    """A freshly onboarded business with its own key: every test gets its own tenant."""
    tenant = operator.call("POST", "/v1/tenants", json=tenant_profile).json
    issued = operator.call(
        "POST", "/v1/api-keys", json={"kind": "business", "tenant_id": tenant["tenant_id"]}
    )
    return operator.as_key(issued.json["secret"])


def scan_all(local_aws: LocalAws) -> list[dict[str, Any]]:
    """Every item in the table, every page (tests only: the product never scans)."""
    import boto3

    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoint)
    pages = client.get_paginator("scan").paginate(TableName=local_aws.table)
    return [item for page in pages for item in page["Items"]]


@pytest.fixture
def table_items(local_aws: LocalAws) -> Any:
    """Count every item in the table (tests only: the product never scans)."""
    import boto3

    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoint)

    def count() -> int:
        return sum(page["Count"] for page in client.get_paginator("scan").paginate(TableName=local_aws.table))

    return count
