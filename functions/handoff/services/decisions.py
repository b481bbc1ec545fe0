"""Feed the pure rules (eligibility, escalation signals, routing) from a stored case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from handoff.domain.case import Case
from handoff.domain.eligibility import Eligibility, check_eligibility
from handoff.domain.evidence import Evidence, readiness
from handoff.domain.money import Money
from handoff.domain.partners import Partner
from handoff.domain.routing import CaseFacts, RoutingDecision, RoutingRules, compute_signals, decide
from handoff.domain.summary import summarize
from handoff.domain.tenants import TenantProfile

CONTACT_ITEM = "contact attempts"  # counted by eligibility itself, with its own threshold


def eligibility_of(case: Case, evidence: Sequence[Evidence], today: date) -> Eligibility:
    claim = case.claim_as_of(today)
    summary = summarize(case.intake, claim)
    limitation = claim.limitation.status
    checklist = readiness(case.intake, list(evidence))
    missing = [item.item for item in checklist.items if not item.done and item.item != CONTACT_ITEM]
    return check_eligibility(case.intake, summary, str(limitation), required_evidence_missing=missing)


def routing_of(
    case: Case,
    creditor: TenantProfile,
    rules: RoutingRules,
    partners: Sequence[Partner],
    excluded: Sequence[str],
    today: date,
) -> RoutingDecision:
    intake = case.intake
    claim = case.claim_as_of(today)
    summary = summarize(intake, claim)
    small_claims = claim.small_claims
    ceiling = (
        Money(currency=small_claims.currency, amount=small_claims.ceiling)
        if small_claims.ceiling is not None and small_claims.currency
        else None
    )
    signals = compute_signals(
        intake,
        summary,
        creditor_address=creditor.address,
        small_claims_ceiling=ceiling,
        attorney_threshold=rules.attorney_threshold.get(intake.currency),
        unanswered_threshold=rules.unanswered_contacts_threshold,
    )
    facts = CaseFacts.of(case.case_id, intake, summary, signals)
    return decide(facts, rules, partners, excluded)
