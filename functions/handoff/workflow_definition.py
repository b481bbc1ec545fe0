"""The case workflow's one ASL file and the substitutions it takes (CDK and the local runtime)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

ASL_PATH = Path(__file__).resolve().parents[2] / "infra" / "statemachine" / "case_workflow.asl.json"

# ${Placeholder} in the ASL file → catalog function that serves it.
STEP_FUNCTIONS: dict[str, str] = {
    "FnEligibility": "workflow_eligibility",
    "FnPacket": "workflow_packet",
    "FnDemand": "workflow_demand",
    "FnWait": "workflow_wait",
    "FnRouting": "workflow_routing",
    "FnReferral": "workflow_referral",
    "FnDecline": "workflow_decline",
    "FnRecovery": "workflow_recovery",
    "FnFailure": "workflow_failure",
}
DEFAULT_RETRY = {"RetryIntervalSeconds": "2", "RetryMaxAttempts": "3"}


@cache
def raw_definition() -> str:
    return ASL_PATH.read_text()


def placeholders(definition: str | None = None) -> set[str]:
    return set(re.findall(r"\$\{(\w+)\}", definition or raw_definition()))


def render(substitutions: dict[str, str]) -> str:
    """Replace every ${Name}; refuse a definition that would keep an unresolved placeholder."""
    missing = placeholders() - substitutions.keys()
    if missing:
        raise ValueError(f"no substitution for {sorted(missing)}")
    text = re.sub(r"\$\{(\w+)\}", lambda m: substitutions[m.group(1)], raw_definition())
    json.loads(text)  # the result must be valid JSON
    return text


def local_substitutions(
    function_arn: Any, retry_interval_s: int = 1, retry_max_attempts: int = 2
) -> dict[str, str]:
    values = {name: function_arn(function) for name, function in STEP_FUNCTIONS.items()}
    values.update(
        {"RetryIntervalSeconds": str(retry_interval_s), "RetryMaxAttempts": str(retry_max_attempts)}
    )
    return values
