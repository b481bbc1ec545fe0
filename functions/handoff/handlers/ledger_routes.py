"""The case ledger: for the creditor and for the assigned partner (served with the reports).

Use cases and adapters are imported in the route that calls them (see business_api).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from handoff.domain.clock import utcnow
from handoff.domain.errors import NotFoundError
from handoff.domain.partners import FeeTerms
from handoff.domain.principals import PrincipalKind
from handoff.handlers.http import require
from handoff.handlers.ledger_models import LedgerResponse

business_router = APIGatewayRouter()
partner_router = APIGatewayRouter()
CaseId = Annotated[str, Path(pattern=r"^case_[0-9a-f]{20}$", description="Case id")]


def fee_terms(partner_id: str) -> FeeTerms | None:
    from handoff.adapters.partner_store import partner_repository

    try:
        return partner_repository().get(partner_id).fee_terms
    except NotFoundError:
        return None


@business_router.get(
    "/v1/cases/<case_id>/ledger", summary="The recovery ledger: payments, fees, net", tags=["cases"]
)
def case_ledger(case_id: CaseId) -> LedgerResponse:
    from handoff.adapters.dynamodb import case_repository
    from handoff.services import ledger as ledger_service
    from handoff.services.cases import get_case

    caller = require(business_router, PrincipalKind.business)
    case = get_case(case_repository(), caller, case_id)
    return LedgerResponse.of(
        case_id, ledger_service.case_ledger(case_repository(), case, fee_terms, utcnow().date())
    )


@partner_router.get(
    "/v1/assignments/<case_id>/ledger", summary="The ledger of a case assigned to you", tags=["partners"]
)
def assignment_ledger(case_id: CaseId) -> LedgerResponse:
    from handoff.adapters.dynamodb import case_repository
    from handoff.services import ledger as ledger_service
    from handoff.services.assignments import assigned_case

    caller = require(partner_router, PrincipalKind.agency, PrincipalKind.attorney)
    assert caller.partner_id
    case = assigned_case(case_repository(), caller.partner_id, case_id)
    return LedgerResponse.of(
        case_id, ledger_service.case_ledger(case_repository(), case, fee_terms, utcnow().date())
    )
