"""Synthesize the stack once per test session (per stage), without bundling or CFN validation.

Bundling is skipped with the context `aws:cdk:bundling-stacks = []`; the bundler has its own
tests. cdk-nag runs as part of the synth: its findings are kept, not raised, so one test can
report them all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Read by the jsii kernel when it starts, i.e. at the first `import aws_cdk`.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ["CDK_VALIDATION"] = "false"  # aws-cdk-lib's own CFN validation: ≈3 s, cfn-lint covers it

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Synthesized:
    stage: str
    template: dict[str, Any]
    template_path: Path
    nag_report: str | None  # None when cdk-nag had no unacknowledged finding

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.template["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}


def _synthesize(stage: str, outdir: Path) -> Synthesized:
    """`stage` is `dev`, `prod`, or `<stage>@<region>` for an environment-bound stack (as the CLI
    makes with credentials): cdk-nag spells resolved regions literally in its finding ids."""
    from aws_cdk import Environment

    from infra.app import create_app

    stage, _, region = stage.partition("@")
    env = Environment(account="123456789012", region=region) if region else Environment()

    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    context.update(
        {"stage": stage, "aws:cdk:bundling-stacks": [], "@aws-cdk/core:validationReportPrettyPrint": False}
    )
    app, stack = create_app(context, outdir=str(outdir), env=env)
    nag_report = None
    try:
        app.synth()
    except RuntimeError as error:  # cdk-nag findings fail the synth; the template is written anyway
        if "Validation failed" not in str(error):
            raise
        reports = list(outdir.glob("*validation-report.json"))
        nag_report = reports[0].read_text() if reports else str(error)
    template_path = outdir / stack.template_file
    return Synthesized(stage, json.loads(template_path.read_text()), template_path, nag_report)


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Synthesized]:
    cache: dict[str, Synthesized] = {}

    def get(stage: str) -> Synthesized:
        if stage not in cache:
            cache[stage] = _synthesize(stage, tmp_path_factory.mktemp(f"cdk-{stage.replace('@', '-')}"))
        return cache[stage]

    return get


@pytest.fixture(scope="session")
def dev(synth: Callable[[str], Synthesized]) -> Synthesized:
    return synth("dev")


@pytest.fixture(scope="session")
def prod(synth: Callable[[str], Synthesized]) -> Synthesized:
    return synth("prod")
