"""Step Functions: start a case's execution, answer its waits, stop it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


class StepFunctionsEngine:
    def __init__(self, client: SFNClient, state_machine_arn: str):
        self._sfn = client
        self._arn = state_machine_arn

    def start(self, name: str, payload: dict[str, Any]) -> str:
        """Start an execution; the name is unique per case run, so a retried start is not a second run."""
        try:
            started = self._sfn.start_execution(
                stateMachineArn=self._arn, name=name, input=json.dumps(payload)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
            return f"{self._arn.replace(':stateMachine:', ':execution:')}:{name}"
        return started["executionArn"]

    def succeed(self, token: str, output: dict[str, Any]) -> bool:
        """Answer a wait; False if the wait is already over (timed out, answered, stopped)."""
        try:
            self._sfn.send_task_success(taskToken=token, output=json.dumps(output))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist"):
                return False
            raise
        return True

    def fail(self, token: str, error: str, cause: str) -> bool:
        try:
            self._sfn.send_task_failure(taskToken=token, error=error, cause=cause)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist"):
                return False
            raise
        return True

    def stop(self, execution_arn: str, cause: str) -> None:
        try:
            self._sfn.stop_execution(executionArn=execution_arn, error="Stopped", cause=cause)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("ExecutionDoesNotExist", "ValidationException"):
                raise
