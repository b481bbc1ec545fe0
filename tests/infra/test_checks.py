"""The synthesized stack passes cdk-nag (AwsSolutions) and cfn-lint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file

from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.xdist_group("infra")

# cfn-lint rules left out, each with its reason.
CFN_LINT_IGNORED = {
    # aws-cdk-lib adds an explicit DependsOn from each function to its role next to the GetAtt
    # that already orders them; harmless and not ours to remove.
    "W3005",
}
ACKNOWLEDGED_IN = Path(__file__).resolve().parents[2] / "infra"


@pytest.mark.parametrize("stage", ["dev", "prod", "prod@eu-west-2"])
def test_cdk_nag_aws_solutions_has_no_unacknowledged_finding(synth, stage: str) -> None:  # type: ignore[no-untyped-def]
    synthesized: Synthesized = synth(stage)
    assert synthesized.nag_report is None, synthesized.nag_report


def test_every_acknowledgement_carries_a_reason() -> None:
    """All acknowledgements go through infra.nag.acknowledge, which refuses a missing reason."""
    for path in ACKNOWLEDGED_IN.rglob("*.py"):
        text = path.read_text()
        if path.name != "nag.py":
            assert ".acknowledge(" not in text.replace("from infra.nag import acknowledge", ""), path


def test_acknowledge_refuses_an_empty_reason() -> None:
    from aws_cdk import App

    from infra.nag import acknowledge

    with pytest.raises(ValueError, match="real reason"):
        acknowledge(App(), "S1", "n/a")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_cfn_lint_is_clean(synth, stage: str) -> None:  # type: ignore[no-untyped-def]
    synthesized: Synthesized = synth(stage)
    matches = lint_file(
        synthesized.template_path,
        ManualArgs(regions=["eu-west-2", "us-east-1"], ignore_checks=sorted(CFN_LINT_IGNORED)),
    )
    assert not matches, "\n".join(str(m) for m in matches)


def test_template_is_plain_json_without_assets_for_the_workflow(dev: Synthesized) -> None:
    """The ASL goes in as a string (DefinitionString), not an S3 asset cfn-lint cannot see."""
    (machine,) = dev.of_type("AWS::StepFunctions::StateMachine").values()
    assert "DefinitionS3Location" not in machine["Properties"]
    json.dumps(dev.template)
