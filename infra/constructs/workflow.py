"""The case workflow: the one ASL file (`infra/statemachine/`) deployed as a state machine.

The definition goes into the template as a string (so cfn-lint and assertions see it), with
each `${FnX}` placeholder replaced by its step function's ARN. The state machine has a fixed
name, so functions that steer executions get its ARN as a plain string: referencing the state
machine itself from those functions would make it and them depend on each other.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from handoff import workflow_definition
from infra.checkov_skips import skip
from infra.nag import acknowledge
from infra.settings import StageSettings


def state_machine_name(settings: StageSettings) -> str:
    return f"handoff-{settings.name}-case-workflow"


def state_machine_arns(scope: Construct, settings: StageSettings) -> tuple[str, str]:
    """(state machine ARN, ARN pattern of its executions), built from the fixed name."""
    stack = Stack.of(scope)
    name = state_machine_name(settings)
    machine = stack.format_arn(
        service="states",
        resource="stateMachine",
        resource_name=name,
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    executions = stack.format_arn(
        service="states",
        resource="execution",
        resource_name=f"{name}:*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )
    return machine, executions


class Workflow(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StageSettings,
        functions: Mapping[str, lambda_.Function],
        logs_key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        steps = {
            placeholder: functions[name] for placeholder, name in workflow_definition.STEP_FUNCTIONS.items()
        }
        substitutions = {placeholder: fn.function_arn for placeholder, fn in steps.items()}
        substitutions.update(workflow_definition.DEFAULT_RETRY)
        log_group = logs.LogGroup(
            self,
            "Logs",
            retention=settings.retention,
            removal_policy=settings.removal,
            encryption_key=logs_key,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name(settings),
            definition_body=sfn.DefinitionBody.from_string(workflow_definition.render(substitutions)),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=log_group,
                level=sfn.LogLevel.ALL,
                include_execution_data=False,  # execution data carries debtors' personal data
            ),
        )
        for fn in steps.values():
            fn.grant_invoke(self.state_machine)
            skip(
                fn,
                "CKV_AWS_116",
                "The state machine invokes each step synchronously: its Retry retries a failed step "
                "and its Catch records the failure on the case (RecordFailure); nothing is lost.",
            )
        role = self.state_machine.role
        acknowledge(
            role,
            "IAM5[Resource::*]",
            "CloudWatch Logs delivery (logs:*LogDelivery*, DescribeResourcePolicies) and X-Ray "
            "support no resource-level permissions.",
        )
        for fn in steps.values():
            acknowledge(
                role,
                f"IAM5[Resource::<{Stack.of(self).get_logical_id(fn.node.default_child)}.Arn>:*]",  # type: ignore[arg-type]
                "lambda:InvokeFunction on the step function's versions and aliases (grant_invoke).",
            )
