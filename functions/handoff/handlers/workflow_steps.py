"""Step Functions task handlers: one Lambda per step of infra/statemachine/case_workflow.asl.json.

Each receives `{tenant_id, case_id, ...}` from the state machine, runs one step and
returns what the next state reads. Exceptions propagate: Step Functions retries them
and, after the retries, the failure is recorded on the case. Every step reads the reference
rates in force (the seed with the recorded fixings).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from handoff.domain.clock import utcnow
from handoff.handlers.wiring import with_maintained_rates, workflow_deps
from handoff.observability import logger
from handoff.services import workflow


def _ids(event: dict[str, Any]) -> tuple[str, str]:
    return event["tenant_id"], event["case_id"]


@logger.inject_lambda_context
@with_maintained_rates
def check_eligibility(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.check_eligibility(workflow_deps(), *_ids(event), utcnow())


@logger.inject_lambda_context
@with_maintained_rates
def assemble_packet(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.assemble_packet(workflow_deps(), *_ids(event), utcnow())


@logger.inject_lambda_context
@with_maintained_rates
def issue_demand(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.issue_demand(workflow_deps(), *_ids(event), utcnow())


@logger.inject_lambda_context
@with_maintained_rates
def wait_for(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.wait_for(workflow_deps(), *_ids(event), event["waiting_for"], event["token"], utcnow())


@logger.inject_lambda_context
@with_maintained_rates
def route(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.route(workflow_deps(), *_ids(event), utcnow())


@logger.inject_lambda_context
@with_maintained_rates
def send_referral(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.send_referral(workflow_deps(), *_ids(event), utcnow())


@logger.inject_lambda_context
@with_maintained_rates
def record_decline(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.record_decline(workflow_deps(), *_ids(event), event.get("decline") or {}, utcnow())


@logger.inject_lambda_context
@with_maintained_rates
def start_recovery(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return workflow.start_recovery(workflow_deps(), *_ids(event), utcnow())


@logger.inject_lambda_context
@with_maintained_rates
def record_failure(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.warning(
        "workflow step failed", extra={"case_id": event["case_id"], "error": event["error"].get("Error")}
    )
    return workflow.record_failure(workflow_deps(), *_ids(event), event.get("error") or {}, utcnow())
