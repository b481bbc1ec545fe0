"""The retention function: scheduled daily, the only one that deletes objects, and only per case prefix."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import Synthesized
from tests.infra.test_stack import actions, function_ids, logical, statements_of

pytestmark = pytest.mark.xdist_group("infra")


def _s3(dev: Synthesized, name: str) -> list[dict[str, Any]]:
    return [s for s in statements_of(dev, name) if any(a.startswith("s3:") for a in actions(s))]


def test_a_daily_schedule_invokes_the_retention_function_with_retries_and_a_dead_letter_queue(
    dev: Synthesized,
) -> None:
    (rule,) = dev.of_type("AWS::Events::Rule").values()
    (target,) = rule["Properties"]["Targets"]

    assert rule["Properties"]["ScheduleExpression"] == "cron(17 3 * * ? *)"
    assert function_ids(dev)["retention"] in json.dumps(target["Arn"])
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 2
    assert "RetentionDeadLetters" in json.dumps(target["DeadLetterConfig"])


def test_the_retention_function_deletes_versions_only_under_each_case_prefix(dev: Synthesized) -> None:
    statements = _s3(dev, "retention")
    granted: dict[str, set[str]] = {}  # each object resource → its actions (statements may be merged)
    for s in statements:
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        for resource in resources:
            granted.setdefault(json.dumps(resource), set()).update(actions(s))
    objects = {r: a for r, a in granted.items() if "/*" in r}
    lists = [s for s in statements if actions(s) == {"s3:ListBucketVersions"}]

    assert len(objects) == 3
    for resource, allowed in objects.items():
        assert any(f'"/{area}/*"' in resource for area in ("documents", "evidence", "packets")), resource
        assert {"s3:DeleteObject", "s3:DeleteObjectVersion"} <= allowed
        locked = logical(dev, "AWS::S3::Bucket", "DataPackets") in resource
        assert ("s3:BypassGovernanceRetention" in allowed) is locked
        assert not {a for a in allowed if a.startswith("s3:Get") or a == "s3:PutObject"}
    assert sorted(str(s["Condition"]["StringLike"]["s3:prefix"]) for s in lists) == sorted(
        str([f"{area}/*"]) for area in ("documents", "evidence", "packets")
    )


def test_no_other_function_may_bypass_governance_retention(dev: Synthesized) -> None:
    for name in function_ids(dev):
        granted = set().union(*(actions(s) for s in statements_of(dev, name)))
        assert ("s3:BypassGovernanceRetention" in granted) is (name == "retention"), name


def test_packet_writers_may_lock_what_they_write(dev: Synthesized) -> None:
    for name in ("documents_api", "workflow_packet"):
        granted = set().union(*(actions(s) for s in _s3(dev, name)))
        assert {"s3:PutObjectRetention", "s3:PutObjectLegalHold"} <= granted, name


def test_only_business_api_may_invoke_the_retention_function(dev: Synthesized) -> None:
    retention = function_ids(dev)["retention"]
    invokers = {
        name
        for name in function_ids(dev)
        for s in statements_of(dev, name)
        if "lambda:InvokeFunction" in actions(s) and retention in json.dumps(s["Resource"])
    }
    env = dev.resources[function_ids(dev)["business_api"]]["Properties"]["Environment"]["Variables"]

    assert invokers == {"business_api"}
    assert retention in json.dumps(env["RETENTION_FUNCTION_NAME"])


def test_functions_that_read_policies_get_the_stage_default(dev: Synthesized, prod: Synthesized) -> None:
    for synth, days in ((dev, "30"), (prod, "2190")):
        for name in ("business_api", "operator_api", "documents_api", "workflow_packet", "retention"):
            env = synth.resources[function_ids(synth)[name]]["Properties"]["Environment"]["Variables"]
            assert env["DEFAULT_RETENTION_DAYS"] == days, name
