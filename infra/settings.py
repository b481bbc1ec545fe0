"""Stage settings (dev, prod) as a model, read from CDK context.

`cdk.json` holds one block per stage under `handoff:stages`; `-c stage=prod` picks one
(default `dev`). Unknown or missing keys fail the synth instead of deploying a guess.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_logs as logs
from constructs import Construct
from pydantic import BaseModel, ConfigDict, Field

from handoff.domain.retention import MAX_RETENTION_DAYS

STAGES_CONTEXT_KEY = "handoff:stages"
STAGE_CONTEXT_KEY = "stage"
DEFAULT_STAGE = "dev"


class StageSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{1,15}$", description="dev, prod, ...")]
    log_retention: Annotated[str, Field(description="A logs.RetentionDays member name, e.g. ONE_MONTH")]
    removal_policy: Literal["destroy", "retain"]
    deletion_protection: Annotated[bool, Field(description="DynamoDB deletion protection")]
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"]
    api_logging_level: Literal["OFF", "ERROR", "INFO"]
    api_throttle_rate: Annotated[int, Field(gt=0, description="Stage steady-state requests per second")]
    api_throttle_burst: Annotated[int, Field(gt=0)]
    waf_requests_per_5_min: Annotated[int, Field(ge=10, description="Per client IP, WAF rate-based rule")]
    authorizer_cache_seconds: Annotated[int, Field(ge=0, le=3600, description="Authorizer result TTL")]
    max_body_bytes: Annotated[int, Field(gt=0, description="Lambda-side body limit (413)")]
    default_retention_days: Annotated[
        int,
        Field(
            ge=0,
            le=MAX_RETENTION_DAYS,
            description="DEFAULT_RETENTION_DAYS of the functions (docs/deploy.md §9)",
        ),
    ]
    reserved_concurrency: Annotated[
        dict[str, Annotated[int, Field(ge=1)]],
        Field(description="Function name → reserved concurrency, instead of the catalog's"),
    ] = {}
    account_concurrency: Annotated[
        int,
        Field(
            ge=100,
            description="The Lambda concurrent-executions quota of the account the stage deploys to: "
            "what the functions reserve must leave AWS's minimum of 100 unreserved",
        ),
    ] = 1000
    alarm_email: str | None = None

    @property
    def retention(self) -> logs.RetentionDays:
        member: logs.RetentionDays = getattr(logs.RetentionDays, self.log_retention)
        return member

    @property
    def removal(self) -> RemovalPolicy:
        return RemovalPolicy.DESTROY if self.removal_policy == "destroy" else RemovalPolicy.RETAIN

    @property
    def api_method_logging(self) -> apigw.MethodLoggingLevel:
        member: apigw.MethodLoggingLevel = getattr(apigw.MethodLoggingLevel, self.api_logging_level)
        return member


def stage_settings(scope: Construct) -> StageSettings:
    """The settings of the stage chosen with `-c stage=...` (default dev)."""
    stage = scope.node.try_get_context(STAGE_CONTEXT_KEY) or DEFAULT_STAGE
    stages: dict[str, Any] | None = scope.node.try_get_context(STAGES_CONTEXT_KEY)
    if not stages:
        raise ValueError(f"CDK context {STAGES_CONTEXT_KEY!r} is missing (see cdk.json)")
    if stage not in stages:
        raise ValueError(f"unknown stage {stage!r}; cdk.json defines {sorted(stages)}")
    return StageSettings.model_validate({"name": stage, **stages[stage]})
