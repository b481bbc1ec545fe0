"""Business API: the claim's assessment on any date, a quote for an unsaved case, legal events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import ConfigDict, Field

from handoff.adapters.dynamodb import case_repository, tenant_repository
from handoff.domain.base import LazyModel
from handoff.domain.case import PrincipalKind
from handoff.domain.claim import Claim, LegalEvent, LegalEventKind
from handoff.domain.clock import utcnow
from handoff.domain.models import Strict
from handoff.domain.routing import RoutingDecision
from handoff.handlers.http import require
from handoff.handlers.models import CaseRequest, CaseResponse
from handoff.services import claims

router = APIGatewayRouter()
CaseId = Annotated[str, Path(pattern=r"^case_[0-9a-f]{20}$", description="Case id")]
AsOf = Annotated[
    date | None, Query(description="Day to assess, YYYY-MM-DD (default today); a letter dated that day")
]


class LegalEventRequest(Strict):
    """A dated event with a legal effect: the rule pack of the claim's law says which effect."""

    kind: Annotated[
        LegalEventKind,
        Field(
            description="acknowledgement, written_promise, written_demand, proceedings_started, "
            "proceedings_ended, judgment, settlement, dispute, part_payment"
        ),
    ]
    on: Annotated[date, Field(description="Day it happened")]
    written: Annotated[bool, Field(description="Made in writing and signed where the law asks")] = True
    note: Annotated[str | None, Field(max_length=2000, description="A judgment: the court")] = None
    reference: Annotated[
        str | None, Field(min_length=1, max_length=64, description="A judgment: the court's case number")
    ] = None
    amount: Annotated[
        Decimal | None,
        Field(ge=0, max_digits=18, description="A judgment: principal awarded; a settlement: the sum agreed"),
    ] = None
    interest: Annotated[
        Decimal | None, Field(ge=0, max_digits=18, description="A judgment: interest awarded, owed on top")
    ] = None
    costs: Annotated[
        Decimal | None, Field(ge=0, max_digits=18, description="A judgment: costs awarded, owed on top")
    ] = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"kind": "acknowledgement", "on": "2026-09-14", "written": True},
                {
                    "kind": "judgment",
                    "on": "2026-11-02",
                    "note": "County Court at Leeds",
                    "reference": "K1LS1234",
                    "amount": "17250.00",
                    "interest": "612.40",
                    "costs": "455.00",
                },
            ]
        }
    )

    def event(self) -> LegalEvent:
        return LegalEvent(source="api", **self.model_dump())


class QuoteResponse(LazyModel):
    """What the case would be owed today and where it would go; nothing is stored."""

    assessment: Claim
    routing: RoutingDecision
    partner_id: str | None
    fee_estimate: Annotated[
        Decimal | None, Field(description="Contingency fee of the chosen partner on the claim's total")
    ]
    fee_basis: str | None


@router.get(
    "/v1/cases/<case_id>/assessment",
    summary="The claim on a date, with every working",
    description="What is owed per invoice, interest periods, compensation, limitation with its restarts, "
    "the response deadline of a letter dated `as_of`, the small-claims ceiling, and warnings. "
    "Engineering data from a rule pack, not legal advice.",
    tags=["cases"],
)
def get_assessment(case_id: CaseId, as_of: AsOf = None) -> Claim:
    caller = require(router, PrincipalKind.business)
    return claims.case_assessment(case_repository(), caller, case_id, as_of or utcnow().date())


@router.post(
    "/v1/assessments",
    summary="Assess a case payload without storing it: the claim, its routing and the fee estimate",
    tags=["cases"],
)
def post_assessment(body: CaseRequest, as_of: AsOf = None) -> QuoteResponse:
    caller = require(router, PrincipalKind.business)
    from handoff.handlers.wiring import partner_of, route_for_quote

    day = as_of or utcnow().date()
    quote = claims.quote(tenant_repository(), caller, body, day, route_for_quote(day), partner_of, utcnow())
    basis = None
    if quote.partner is not None:
        basis = f"{quote.partner.fee_terms.contingency_percent}% contingency on the claim's total"
    return QuoteResponse(
        assessment=quote.claim,
        routing=quote.routing,
        partner_id=quote.partner.partner_id if quote.partner else None,
        fee_estimate=quote.fee_estimate,
        fee_basis=basis,
    )


@router.post(
    "/v1/cases/<case_id>/legal-events",
    summary="Record an acknowledgment, a written demand, proceedings or a judgment",
    tags=["actions"],
)
def post_legal_event(case_id: CaseId, body: LegalEventRequest) -> Response[CaseResponse]:
    caller = require(router, PrincipalKind.business)
    case = claims.record_legal_event(case_repository(), caller, case_id, body.event(), utcnow())
    return Response(201, "application/json", CaseResponse.of(case))
