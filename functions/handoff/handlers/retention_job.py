"""The retention function: the only one that may delete stored objects.

Two kinds of event reach it:
* EventBridge's daily `Scheduled Event` (or `python -m handoff.local retention`): erase every
  ended, unheld case whose tenant's retention has run out (`services.retention.erase_due`);
* `{"erase": {"tenant_id", "case_id", "actor"}}` from business_api, invoked synchronously for a
  business's erasure request: erase that case now, or answer why not (`error`, `reason`, `detail`).
"""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from handoff.domain.base import LazyModel
from handoff.domain.clock import utcnow
from handoff.domain.errors import ErasureRefusedError, NotFoundError
from handoff.handlers.wiring import erasure_deps
from handoff.observability import logger, tracer
from handoff.services.retention import erase_case, erase_due


class ErasureIncompleteError(Exception):
    """Some due cases could not be erased in this run (each failure is logged with its case id)."""


class EraseCommand(LazyModel):
    tenant_id: str = Field(pattern=r"^ten_[0-9a-f]{20}$")
    case_id: str = Field(pattern=r"^case_[0-9a-f]{20}$")
    actor: str = Field(min_length=1, max_length=200)


def erase_one(command: EraseCommand) -> dict[str, Any]:
    try:
        case = erase_case(
            erasure_deps(), command.tenant_id, command.case_id, "request", command.actor, utcnow()
        )
    except NotFoundError:
        return {"error": "not_found"}
    except ErasureRefusedError as exc:
        return {"error": "erasure_refused", "reason": exc.reason, "detail": str(exc)}
    logger.info("case erased on request", extra={"case_id": case.case_id, "tenant_id": case.tenant_id})
    return {"erased": case.case_id}


def sweep(context: LambdaContext) -> dict[str, Any]:
    report = erase_due(erasure_deps(), utcnow(), lambda: context.get_remaining_time_in_millis() / 1000)
    summary = {
        "erased": len(report.erased),
        "refused": report.refused,
        "failed": report.failed,
        "unfinished": report.unfinished,
    }
    logger.info("retention sweep", extra=summary)
    if report.failed:  # a function error: its alarm fires, EventBridge retries (only what is left to do)
        raise ErasureIncompleteError(f"{report.failed} erasures failed; they are retried")
    return {**summary, "case_ids": report.erased}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "erase" in event:
        return erase_one(EraseCommand.model_validate(event["erase"]))
    if event.get("detail-type") != "Scheduled Event":
        raise ValueError("expected EventBridge's Scheduled Event or an erase command")
    return sweep(context)
