"""Retention end to end over HTTP: `python -m handoff.local serve` and, as EventBridge would once a
day, `python -m handoff.local retention` — each its own process, sharing the runtime's AWS (moto)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from handoff.local.aws import REGION, free_port
from handoff.local.client import ApiError, HandoffClient
from handoff.local.demo_rates import BOE_BANK_RATE_30_JUNE_2026, record_fixing
from tests.e2e.runtime import local_runtime

pytestmark = [
    pytest.mark.xdist_group("e2e"),
    pytest.mark.skipif(bool(os.environ.get("HANDOFF_E2E_URL")), reason="runs the local runtime's own job"),
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Runtime:
    def __init__(self, operator: HandoffClient, aws_port: int):
        self.operator = operator
        self.aws_port = aws_port

    def daily_run(self) -> dict[str, Any]:
        """The scheduled job, as a separate process against the running runtime's AWS."""
        done = subprocess.run(
            [sys.executable, "-m", "handoff.local", "retention", "--aws-port", str(self.aws_port)],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            env={**os.environ, "POWERTOOLS_LOG_LEVEL": "WARNING"},
        )
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    def versions(self, bucket: str, prefix: str) -> int:
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.aws_port}",
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        listed = s3.list_object_versions(Bucket=f"handoff-local-{bucket}", Prefix=prefix)
        return len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))


@pytest.fixture(scope="module")
def runtime() -> Iterator[Runtime]:
    aws_port = free_port()
    with local_runtime(aws_port=aws_port) as operator:
        # The sample case's letters read Bank Rate of 30 June 2026 (past the seed): recorded as the
        # demo and the integration tests do, or the packet's letters would be refused (409 stale-rate).
        record_fixing(operator, BOE_BANK_RATE_30_JUNE_2026)
        yield Runtime(operator, aws_port)


def business_of(runtime: Runtime, tenant_profile: dict[str, Any], days: int | None) -> HandoffClient:
    tenant = runtime.operator.create_tenant(tenant_profile)
    if days is not None:
        runtime.operator.request(
            "PUT", f"/v1/tenants/{tenant['tenant_id']}/retention-policy", json={"days_after_close": days}
        )
    return runtime.operator.as_key(runtime.operator.issue_key("business", tenant_id=tenant["tenant_id"]))


def personal_case(case_payload: dict[str, Any]) -> dict[str, Any]:
    payload = json.loads(json.dumps(case_payload))
    payload["debtor"].update(entity_type="individual", legal_name="Jane Roe", registration_number=None)
    payload["contact_log"][0]["note"] = "Jane asked for more time"
    return payload


def uploaded(business: HandoffClient, case_id: str) -> None:
    declaration = {
        "kind": "terms",
        "filename": "jane-roe-terms.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
    }
    ticket = business.request("POST", f"/v1/cases/{case_id}/evidence", json=declaration, expect=201)["upload"]
    posted = requests.post(ticket["url"], data=ticket["fields"], files={"file": ("t.pdf", PDF)}, timeout=30)
    assert posted.status_code in (200, 204), posted.text


def checked(business: HandoffClient, case_id: str, seconds: float = 60) -> None:
    """Wait for the evidence verifier: erasure waits while an upload could still arrive."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        items = business.request("GET", f"/v1/cases/{case_id}/evidence")["items"]
        if all(e["status"] != "pending_upload" for e in items):
            return
        time.sleep(0.2)
    raise AssertionError("the upload was not checked in time")


def test_the_daily_job_erases_expired_cases_and_the_timeline_still_verifies(
    runtime: Runtime, tenant_profile: dict[str, Any], case_payload: dict[str, Any]
) -> None:
    prompt = business_of(runtime, tenant_profile, days=0)
    patient = business_of(runtime, tenant_profile, days=None)  # the default, 30 days
    expired = prompt.submit_case(personal_case(case_payload))["case_id"]
    uploaded(prompt, expired)
    checked(prompt, expired)
    prompt.request("POST", f"/v1/cases/{expired}/packet", expect=201)
    prompt.request("POST", f"/v1/cases/{expired}/withdraw", json={"reason": "Jane paid in cash"})
    held = prompt.submit_case(personal_case(case_payload))["case_id"]
    prompt.request("POST", f"/v1/cases/{held}/withdraw", json={"reason": "Paid"})
    prompt.request("POST", f"/v1/cases/{held}/legal-hold", json={"reason": "Appeal pending"})
    still_open = prompt.submit_case(personal_case(case_payload))["case_id"]
    recent = patient.submit_case(personal_case(case_payload))["case_id"]
    patient.request("POST", f"/v1/cases/{recent}/withdraw", json={"reason": "Paid"})
    tenant_id = prompt.request("GET", "/v1/retention-policy")["tenant_id"]
    assert runtime.versions("packets", f"packets/{tenant_id}/{expired}/") == 1

    report = runtime.daily_run()

    assert expired in report["case_ids"]
    assert not {held, still_open, recent} & set(report["case_ids"])
    verified = prompt.request("GET", f"/v1/cases/{expired}/verify")
    assert verified["intact"] is True and verified["breaks"] == []
    case = prompt.request("GET", f"/v1/cases/{expired}")
    assert "Jane" not in json.dumps(case) and "Jane" not in json.dumps(
        prompt.request("GET", f"/v1/cases/{expired}/events")
    )
    assert case["summary"]["principal_outstanding"] == "17250.00"  # the figures stand
    for bucket in ("evidence", "documents", "packets"):
        assert runtime.versions(bucket, f"{bucket}/{tenant_id}/{expired}/") == 0, bucket
    for kept, api in ((held, prompt), (still_open, prompt), (recent, patient)):
        assert api.request("GET", f"/v1/cases/{kept}/retention")["erasure"] is None
        assert "Jane Roe" in json.dumps(api.request("GET", f"/v1/cases/{kept}"))


def test_a_right_to_erasure_request_is_refused_while_open_or_held_then_carried_out(
    runtime: Runtime, tenant_profile: dict[str, Any], case_payload: dict[str, Any]
) -> None:
    business = business_of(runtime, tenant_profile, days=None)
    case_id = business.submit_case(personal_case(case_payload))["case_id"]
    tenant_id = business.request("GET", "/v1/retention-policy")["tenant_id"]

    with pytest.raises(ApiError) as while_open:
        business.request("POST", f"/v1/cases/{case_id}/erasure")
    business.request("POST", f"/v1/cases/{case_id}/withdraw", json={"reason": "Paid"})
    runtime.operator.request(
        "POST", f"/v1/tenants/{tenant_id}/cases/{case_id}/legal-hold", json={"reason": "Regulator inquiry"}
    )
    with pytest.raises(ApiError) as while_held:
        business.request("POST", f"/v1/cases/{case_id}/erasure")
    with pytest.raises(ApiError) as not_theirs:
        business_of(runtime, tenant_profile, None).request("POST", f"/v1/cases/{case_id}/erasure")
    runtime.operator.request(
        "POST", f"/v1/tenants/{tenant_id}/cases/{case_id}/legal-hold/lift", json={"reason": "Inquiry closed"}
    )
    started = time.monotonic()
    erased = business.request("POST", f"/v1/cases/{case_id}/erasure")

    assert (while_open.value.status, while_open.value.problem["reason"]) == (409, "case_open")
    assert (while_held.value.status, while_held.value.problem["reason"]) == (409, "legal_hold")
    assert not_theirs.value.status == 404
    assert erased["erasure"]["completed_at"] and time.monotonic() - started < 30
    assert business.request("GET", f"/v1/cases/{case_id}/verify")["intact"] is True
    types = [e["type"] for e in business.request("GET", f"/v1/cases/{case_id}/events")["items"]]
    assert types[-2:] == ["erasure.started", "case.erased"]
