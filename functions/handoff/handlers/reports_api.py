"""Recovery reports and case ledgers: a business sees its own cases, a partner its placements,
an operator all (reports only: a ledger is read by the case's business or its partner).

Use cases and adapters are imported where they are called (see business_api)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from aws_lambda_powertools.logging import correlation_paths

from handoff.domain.clock import utcnow
from handoff.domain.errors import FieldProblem, InvalidRequestError
from handoff.domain.models import IsoDate
from handoff.domain.principals import Principal, PrincipalKind
from handoff.handlers import ledger_routes
from handoff.handlers.http import build_resolver, lambda_entry, max_body_bytes, require
from handoff.handlers.report_models import RecoveryReportResponse
from handoff.observability import logger, tracer

if TYPE_CHECKING:
    from handoff.domain.case import Case
    from handoff.domain.ledger import Ledger

router = APIGatewayRouter()
MAX_DAYS = 366 * 3


def _ledger(case: Case) -> Ledger:
    from handoff.adapters.dynamodb import case_repository
    from handoff.services import ledger as ledger_service

    return ledger_service.case_ledger(case_repository(), case, ledger_routes.fee_terms, utcnow().date())


def _cases(caller: Principal) -> Iterable[Case]:
    from handoff.adapters.dynamodb import case_repository, tenant_repository

    cases = case_repository()
    if caller.kind == PrincipalKind.business:
        assert caller.tenant_id
        return cases.all_for_tenant(caller.tenant_id)
    if caller.partner_id:
        return [cases.get(t, c) for t, c in cases.claimed(f"placement#{caller.partner_id}")]
    return [case for tenant in tenant_repository().all_ids() for case in cases.all_for_tenant(tenant)]


@router.get(
    "/v1/reports/recovery", summary="Recovery rate, amounts, fees and speed, grouped", tags=["reports"]
)
def recovery(
    period_from: Annotated[
        IsoDate | None, Query(alias="from", description="First day (cases submitted on or after)")
    ] = None,
    period_to: Annotated[
        IsoDate | None, Query(alias="to", description="Last day, inclusive; default today")
    ] = None,
) -> RecoveryReportResponse:
    from handoff.services.reports import report_for

    caller = require(router, *PrincipalKind)
    end = period_to or utcnow().date()
    start = period_from or end - timedelta(days=365)
    if start > end or (end - start).days > MAX_DAYS:
        raise InvalidRequestError(
            [FieldProblem(("query", "from"), f"from must be before to, at most {MAX_DAYS} days")]
        )
    return RecoveryReportResponse.of(report_for(lambda: _cases(caller), _ledger, start, end))


ROUTERS = [router, ledger_routes.business_router, ledger_routes.partner_router]  # the money views
app = build_resolver(ROUTERS)
handler = logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)(
    tracer.capture_lambda_handler(lambda_entry(app, max_body_bytes))
)
