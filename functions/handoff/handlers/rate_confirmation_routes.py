"""Business API: confirm, for one case, the reference rate a stale_rate warning assumes.

The use case and its adapters are imported in the route (see business_api).
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from handoff.domain.clock import utcnow
from handoff.domain.principals import PrincipalKind
from handoff.handlers.http import require
from handoff.handlers.reference_rate_models import RateConfirmationRequest, RateConfirmationResponse

router = APIGatewayRouter()
CaseId = Annotated[str, Path(pattern=r"^case_[0-9a-f]{20}$", description="Case id")]


@router.post(
    "/v1/cases/<case_id>/rate-confirmations",
    summary="Confirm the assumed value of a reference rate that is not recorded, for this case",
    description="Letters refuse (409 stale-rate) to state interest at a reference value nobody recorded. "
    "The business may accept the value assumed (the last recorded one) for the unrecorded days up to "
    "today; it is recorded on the timeline and, if the case was held for it, the case is released.",
    tags=["actions"],
    responses={201: {"description": "Confirmed"}},
)
def confirm_rate(case_id: CaseId, body: RateConfirmationRequest) -> Response[RateConfirmationResponse]:
    from handoff.handlers.wiring import workflow_deps
    from handoff.services import rate_confirmations

    caller = require(router, PrincipalKind.business)
    confirmed = rate_confirmations.confirm_rates(
        workflow_deps(), caller, case_id, body.series, body.period_from, body.period_to, body.note, utcnow()
    )
    return Response(201, "application/json", RateConfirmationResponse.of(confirmed))
