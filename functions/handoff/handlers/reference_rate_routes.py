"""Reference rates as maintained data: operators record fixings; operators and businesses read them.

`PUT /v1/reference-rates/{series}/{effective_from}` records a fixing with its source, over the
seed shipped in the rule pack; the claim uses it at once (this function) or within the cache
time (every other function). Cases held because that rate was not recorded are released.
Use cases and adapters are imported in the routes that call them (see business_api).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from handoff.domain.clock import utcnow
from handoff.domain.principals import PrincipalKind
from handoff.handlers.http import require
from handoff.handlers.reference_rate_models import (
    FixingRequest,
    FixingResponse,
    SeriesListResponse,
    SeriesResponse,
    SeriesSummary,
)
from handoff.observability import logger

router = APIGatewayRouter()
SeriesName = Annotated[
    str, Path(pattern=r"^[A-Z][A-Z0-9_]{1,39}$", description="Reference series, e.g. BOE_BANK_RATE")
]
EffectiveFrom = Annotated[date, Path(description="First day of the value, YYYY-MM-DD")]
TAGS = ["reference rates"]


@router.put(
    "/v1/reference-rates/<series>/<effective_from>",
    summary="Record a fixing of a reference rate, with its source",
    description="Operator only. Records the value from `effective_from` (a series set per half-year or "
    "quarter takes the first day of its period). Recording the same fixing again changes nothing; "
    "another value for the same day is kept, and the earlier one stays among its revisions.",
    tags=TAGS,
    responses={201: {"description": "Recorded (nothing was recorded for that day)"}},
)
def put_fixing(
    series: SeriesName, effective_from: EffectiveFrom, body: FixingRequest
) -> Response[FixingResponse]:
    from handoff.handlers.wiring import maintained_rates, workflow_deps
    from handoff.services import rate_confirmations, reference_rates

    caller = require(router, PrincipalKind.operator)
    now = utcnow()
    rates = maintained_rates()
    recorded = reference_rates.record_fixing(
        rates,
        series,
        effective_from,
        body.input(),
        caller.actor,
        now,
        on_change=lambda: rate_confirmations.release_settled(workflow_deps(), now),
    )
    logger.info(
        "reference fixing recorded",
        extra={"series": series, "effective_from": str(effective_from), "changed": recorded.changed},
    )
    through = rates.pack().reference_rates[series].known_through
    return Response(
        201 if recorded.created else 200, "application/json", FixingResponse.of(recorded, through)
    )


@router.get("/v1/reference-rates", summary="Every reference series and how far it is recorded", tags=TAGS)
def list_series() -> SeriesListResponse:
    from handoff.handlers.wiring import maintained_rates
    from handoff.services import reference_rates

    require(router, PrincipalKind.operator, PrincipalKind.business)
    return SeriesListResponse(
        items=[SeriesSummary.of(s) for s in reference_rates.all_series(maintained_rates())]
    )


@router.get(
    "/v1/reference-rates/<series>", summary="A reference series: every fixing, seed and recorded", tags=TAGS
)
def get_series(series: SeriesName) -> SeriesResponse:
    from handoff.handlers.wiring import maintained_rates
    from handoff.services import reference_rates

    require(router, PrincipalKind.operator, PrincipalKind.business)
    view = reference_rates.series_view(maintained_rates(), series)
    return SeriesResponse.view(view.series, view.recorded)
