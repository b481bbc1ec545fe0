"""The one ASL file: valid for asl-validator, every placeholder mapped, every step a catalog function."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from handoff.catalog import FUNCTIONS
from handoff.workflow_definition import DEFAULT_RETRY, STEP_FUNCTIONS, placeholders, render

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = ROOT / "node_modules" / ".bin" / "asl-validator"


def _rendered() -> str:
    values = {
        name: f"arn:aws:lambda:eu-west-2:123456789012:function:{fn}" for name, fn in STEP_FUNCTIONS.items()
    }
    return render({**values, **DEFAULT_RETRY})


def test_every_placeholder_has_a_substitution() -> None:
    assert placeholders() == set(STEP_FUNCTIONS) | set(DEFAULT_RETRY)


def test_every_step_function_is_in_the_catalog() -> None:
    assert set(STEP_FUNCTIONS.values()) <= {f.name for f in FUNCTIONS}


def test_rendered_definition_passes_asl_validator() -> None:
    result = subprocess.run(
        [str(VALIDATOR), "--json-definition", _rendered()], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_asl_validator_rejects_a_broken_definition() -> None:
    broken = json.loads(_rendered())
    broken["States"]["CheckEligibility"]["Next"] = "NoSuchState"

    result = subprocess.run(
        [str(VALIDATOR), "--json-definition", json.dumps(broken)], capture_output=True, text=True, check=False
    )

    assert result.returncode != 0


def test_every_task_catches_failures_and_records_them() -> None:
    states = json.loads(_rendered())["States"]
    tasks = {name: s for name, s in states.items() if s["Type"] == "Task" and name != "RecordFailure"}

    for name, state in tasks.items():
        catches = [c for catch in state.get("Catch", []) for c in catch["ErrorEquals"]]
        assert "States.ALL" in catches, f"{name} lets an error through"
    assert states["RecordFailure"]["Next"] == "Failed"


@pytest.mark.parametrize("wait", ["AwaitDebtorResponse", "AwaitAcceptance"])
def test_waits_use_task_tokens_and_time_out_from_the_input(wait: str) -> None:
    state = json.loads(_rendered())["States"][wait]

    assert state["Resource"].endswith(".waitForTaskToken")
    assert state["TimeoutSecondsPath"].startswith("$.")
    timeouts = [c for catch in state["Catch"] for c in catch["ErrorEquals"]]
    assert {"States.Timeout", "States.HeartbeatTimeout"} <= set(timeouts)
