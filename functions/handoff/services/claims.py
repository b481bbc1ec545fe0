"""Use cases on the claim: its assessment on any date, legal events, and a quote for an unsaved case."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from handoff.domain.case import Case, Principal
from handoff.domain.claim import Claim, LegalEvent, LegalEventKind, claim_as_of
from handoff.domain.errors import FieldProblem, InvalidRequestError
from handoff.domain.intake_rules import check_intake
from handoff.domain.models import CaseIntake
from handoff.domain.money import AmountScaleError, exact, rounded
from handoff.domain.partners import Partner
from handoff.domain.routing import RoutingDecision
from handoff.services.cases import claim_options_for, update_case
from handoff.services.ports import CaseRepository, TenantRepository


def case_assessment(cases: CaseRepository, caller: Principal, case_id: str, as_of: date) -> Claim:
    """The claim of a stored case on `as_of`, for a letter dated `as_of`."""
    assert caller.tenant_id
    return cases.get(caller.tenant_id, case_id).claim_as_of(as_of, letter_date=as_of)


CARRIES: dict[LegalEventKind, tuple[str, ...]] = {
    LegalEventKind.judgment: ("reference", "amount", "interest", "costs"),
    LegalEventKind.settlement: ("amount",),
}
"""What each kind of event may carry beyond its date (a judgment its award, a settlement its sum)."""


def _check_event(event: LegalEvent, currency: str, today: date) -> None:
    problems = []
    if event.on > today:
        problems.append(FieldProblem(("on",), "an event cannot be dated in the future"))
    allowed = CARRIES.get(event.kind, ())
    for name in CARRIES[LegalEventKind.judgment]:
        value = getattr(event, name)
        if value is None:
            continue
        if name not in allowed:
            problems.append(FieldProblem((name,), f"a {event.kind} carries no {name}"))
        elif isinstance(value, Decimal):
            try:
                exact(value, currency)
            except AmountScaleError as exc:
                problems.append(FieldProblem((name,), str(exc)))
    if problems:
        raise InvalidRequestError(problems)


def record_legal_event(
    cases: CaseRepository, caller: Principal, case_id: str, event: LegalEvent, now: datetime
) -> Case:
    """An acknowledgment, demand, settlement, proceedings or judgment, with the effect its law gives."""
    assert caller.tenant_id
    _check_event(event, cases.get(caller.tenant_id, case_id).intake.currency, now.date())
    return update_case(
        cases, caller.tenant_id, case_id, lambda c: c.record_legal_event(event, caller.actor, now)
    )


@dataclass(frozen=True)
class Quote:
    claim: Claim
    routing: RoutingDecision
    partner: Partner | None
    fee_estimate: Decimal | None


def quote(
    tenants: TenantRepository,
    caller: Principal,
    intake: CaseIntake,
    as_of: date,
    route: Callable[[Case, Sequence[str]], RoutingDecision],
    partners: Callable[[str], Partner],
    now: datetime,
) -> Quote:
    """What a case would be owed and where it would go, without storing anything."""
    check_intake(intake)
    assert caller.tenant_id
    options = claim_options_for(tenants, caller)
    claim = claim_as_of(intake, None, as_of, letter_date=as_of, options=options)
    case = Case.submit("case_quote", caller.tenant_id, intake, caller.actor, now, options)  # never saved
    decision = route(case, [])
    partner = partners(decision.partner_id) if decision.partner_id else None
    fee = None
    if partner is not None:
        terms = partner.fee_terms
        fee = rounded(claim.total * terms.contingency_percent / 100, intake.currency)
    return Quote(claim=claim, routing=decision, partner=partner, fee_estimate=fee)
