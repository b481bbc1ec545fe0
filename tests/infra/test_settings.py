"""Stage settings come from cdk.json context and refuse what they do not know."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from infra.settings import STAGES_CONTEXT_KEY, StageSettings, stage_settings

pytestmark = pytest.mark.xdist_group("infra")

CONTEXT: dict[str, Any] = json.loads((Path(__file__).resolve().parents[2] / "cdk.json").read_text())[
    "context"
]


def _app(**context: Any) -> Any:
    from aws_cdk import App

    return App(context={STAGES_CONTEXT_KEY: CONTEXT[STAGES_CONTEXT_KEY], **context})


def test_default_stage_is_dev() -> None:
    assert stage_settings(_app()).name == "dev"


def test_stage_comes_from_context() -> None:
    settings = stage_settings(_app(stage="prod"))
    assert settings.deletion_protection is True
    assert settings.removal_policy == "retain"


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stage 'qa'"):
        stage_settings(_app(stage="qa"))


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(ValidationError):
        StageSettings.model_validate(
            {"name": "dev", **CONTEXT[STAGES_CONTEXT_KEY]["dev"], "log_levl": "INFO"}
        )


def test_every_stage_names_a_real_log_retention() -> None:
    for name, values in CONTEXT[STAGES_CONTEXT_KEY].items():
        assert StageSettings.model_validate({"name": name, **values}).retention is not None


def _settings(**changes: Any) -> StageSettings:
    return StageSettings.model_validate({"name": "dev", **CONTEXT[STAGES_CONTEXT_KEY]["dev"], **changes})


def test_every_function_reserves_the_catalogs_concurrency_unless_the_stage_says_otherwise() -> None:
    from handoff import catalog
    from infra.constructs.functions import reserved_concurrency

    reserved = reserved_concurrency(_settings(reserved_concurrency={"business_api": 150}))
    assert reserved["business_api"] == 150
    assert reserved["authorizer"] == catalog.function("authorizer").reserved_concurrency
    assert set(reserved) == {f.name for f in catalog.FUNCTIONS}
    with pytest.raises(ValueError, match="unknown functions"):
        reserved_concurrency(_settings(reserved_concurrency={"no_such_function": 5}))


def test_reservations_must_leave_the_account_its_unreserved_minimum() -> None:
    """Lambda refuses a reservation that leaves fewer than 100 unreserved: the synth says so first."""
    from infra.constructs.functions import reserved_concurrency

    total = sum(reserved_concurrency(_settings()).values())
    assert reserved_concurrency(_settings(account_concurrency=total + 100))
    with pytest.raises(ValueError, match="Lambda needs 100 unreserved"):
        reserved_concurrency(_settings(account_concurrency=total + 99))
    with pytest.raises(ValidationError):
        _settings(reserved_concurrency={"business_api": 0})
