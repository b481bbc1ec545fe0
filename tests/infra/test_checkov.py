"""checkov, an independent scanner, finds nothing unsuppressed in the synthesized templates.

checkov runs from its own environment (`.venv-checkov`, made by `make setup` from
requirements/checkov.lock: its pins conflict with dev.lock), once for the dev and prod templates
of the session's synth, offline (`--skip-download`, no update check). Suppressions live in the
constructs (`infra.checkov_skips.skip`), each with its reason.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import ROOT, Synthesized

pytestmark = pytest.mark.xdist_group("infra")

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
STAGES = ("dev", "prod")
# Fixed in the constructs, never suppressed on our own resources.
FIXED = {"CKV_AWS_158": "AWS::Logs::LogGroup", "CKV_AWS_115": "AWS::Lambda::Function"}


@pytest.fixture(scope="session")
def checkov(dev: Synthesized, prod: Synthesized, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """checkov's JSON report over both templates (one run: starting checkov is most of its time)."""
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: run `make setup` (it installs requirements/checkov.lock)")
    templates = {"dev": dev.template_path, "prod": prod.template_path}
    command = [str(CHECKOV), "--framework", "cloudformation", "--output", "json", "--compact"]
    for path in templates.values():
        command += ["--file", str(path)]
    environment = {
        **os.environ,
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # no look-up of a newer checkov
        "BC_SKIP_MAPPING": "TRUE",  # no download of the platform's check mappings
        "LOG_LEVEL": "WARNING",
    }
    completed = subprocess.run(
        [*command, "--skip-download"],
        capture_output=True,
        text=True,
        cwd=tmp_path_factory.mktemp("checkov"),
        env=environment,
        timeout=240,
        check=False,
    )
    if completed.returncode not in (0, 1):  # 1: findings, reported by the tests below
        pytest.fail(f"checkov failed ({completed.returncode}): {completed.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(completed.stdout)
    assert report["check_type"] == "cloudformation", report.get("check_type")
    report["templates"] = templates
    return report


def _in(stage: str, report: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    name = report["templates"][stage].name
    return [r for r in report["results"][kind] if Path(r["file_path"]).name == name]


def test_checkov_read_every_resource_of_both_templates(
    checkov: dict[str, Any], dev: Synthesized, prod: Synthesized
) -> None:
    summary = checkov["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] == len(dev.resources) + len(prod.resources)
    assert summary["checkov_version"].startswith("3.3.")
    for stage in STAGES:
        assert len(_in(stage, checkov, "passed_checks")) > 400, stage


@pytest.mark.parametrize("stage", STAGES)
def test_checkov_has_no_unsuppressed_finding(checkov: dict[str, Any], stage: str) -> None:
    failed = [
        f"{f['check_id']} {f['check_name']}: {f['resource']}" for f in _in(stage, checkov, "failed_checks")
    ]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("stage", STAGES)
def test_every_suppression_has_its_reason_and_none_hides_a_fixed_check(
    checkov: dict[str, Any], stage: str
) -> None:
    skipped = _in(stage, checkov, "skipped_checks")
    assert skipped
    for finding in skipped:
        assert len(finding["check_result"]["suppress_comment"]) >= 20, finding["resource"]
        resource_type, _, logical_id = finding["resource"].partition(".")
        if FIXED.get(finding["check_id"]) == resource_type:
            # Only aws-cdk-lib's own deploy-time handler may go without a reservation.
            assert logical_id.startswith("BucketNotificationsHandler"), finding["resource"]


def test_log_groups_are_encrypted_with_the_logs_key_and_functions_reserve_concurrency(
    dev: Synthesized,
) -> None:
    (logs_key,) = [k for k in dev.of_type("AWS::KMS::Key") if k.startswith("DataLogsKey")]
    for logical_id, group in dev.of_type("AWS::Logs::LogGroup").items():
        assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [logs_key, "Arn"]}, logical_id
    statements = dev.resources[logs_key]["Properties"]["KeyPolicy"]["Statement"]
    (for_logs,) = [s for s in statements if "logs." in json.dumps(s.get("Principal", {}))]
    assert "kms:EncryptionContext:aws:logs:arn" in json.dumps(for_logs["Condition"])
    for logical_id, function in dev.of_type("AWS::Lambda::Function").items():
        if not logical_id.startswith("BucketNotificationsHandler"):
            assert function["Properties"]["ReservedConcurrentExecutions"] >= 1, logical_id


def test_skip_refuses_a_missing_reason_or_an_unknown_check() -> None:
    from aws_cdk import App, Stack
    from aws_cdk import aws_sqs as sqs

    from infra.checkov_skips import skip

    queue = sqs.Queue(Stack(App(), "S"), "Q")
    with pytest.raises(ValueError, match="real reason"):
        skip(queue, "CKV_AWS_27", "n/a")
    with pytest.raises(ValueError, match="not a checkov"):
        skip(queue, "AwsSolutions-SQS3", "a reason that is long enough to pass")
    skip(queue, "CKV_AWS_27", "a first reason that is long enough")
    skip(queue, "CKV_AWS_27", "a second reason replaces the first one")
    resource = queue.node.default_child
    assert resource is not None
    assert resource.get_metadata("checkov") == {  # type: ignore[attr-defined]
        "skip": [{"id": "CKV_AWS_27", "comment": "a second reason replaces the first one"}]
    }
