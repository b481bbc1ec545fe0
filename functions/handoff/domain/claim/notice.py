"""When the debtor must answer a letter dated `as_of`, and the small-claims ceiling of its courts."""

from __future__ import annotations

from datetime import date

from handoff.domain.claim.facts import ClaimFacts
from handoff.domain.claim.rules import missing
from handoff.domain.jurisdictions.deadlines import (
    HolidayCalendar,
    add_business_days,
    add_calendar_days,
    calendar_for,
    describe,
)
from handoff.domain.jurisdictions.pack import (
    BusinessCalendar,
    Claimant,
    Jurisdiction,
    ResponsePeriodRule,
    SmallClaimsRule,
)
from handoff.domain.jurisdictions.sections import ResponseSection, SmallClaimsSection
from handoff.domain.models import CaseIntake, EntityType
from handoff.domain.money import rounded


class _WeekendsOnly:
    """Fallback calendar when `holidays` has no calendar for the debtor's country."""

    weekend: set[int] = {5, 6}

    def __contains__(self, day: object) -> bool:
        return False


def _debtor_calendar(jurisdiction: Jurisdiction | None, intake: CaseIntake) -> tuple[HolidayCalendar, str]:
    address = intake.debtor.address
    spec = jurisdiction.calendar if jurisdiction else BusinessCalendar(country=address.country)
    if spec.subdiv is None and address.subdivision and address.subdivision.startswith(spec.country + "-"):
        local = spec.model_copy(update={"subdiv": address.subdivision.split("-", 1)[1]})
        try:
            return calendar_for(local), describe(local)
        except (NotImplementedError, KeyError, ValueError):
            pass
    try:
        return calendar_for(spec), describe(spec)
    except (NotImplementedError, KeyError, ValueError):
        return _WeekendsOnly(), f"weekends only ({spec.lib} has no calendar for {spec.country})"


def _pick_response(versions: list[ResponsePeriodRule], entity: EntityType) -> ResponsePeriodRule | None:
    specific = [r for r in versions if r.when is not None and entity in r.when.debtor_types]
    general = [r for r in versions if r.when is None]
    return next(iter(specific or general), None)


def response_section(facts: ClaimFacts, code: str | None, start: date) -> ResponseSection:
    pack, intake = facts.pack, facts.intake
    jurisdiction = pack.get(code)
    versions = jurisdiction.of_type(ResponsePeriodRule, start) if jurisdiction else []
    rule = _pick_response(versions, intake.debtor.entity_type)
    if rule is None:
        defaults = pack.defaults
        days, business = defaults.response_days, defaults.response_business_days
        reason = missing(facts, code, "response_period", "debtor")
        if jurisdiction is not None and versions:
            reason = f"no response rule for a {intake.debtor.entity_type} debtor in {code}"
        enclosures: list[str] = []
    else:
        days, business, enclosures, reason = rule.days, rule.business_days, rule.enclosures, None
    if business:
        calendar, calendar_text = _debtor_calendar(jurisdiction, intake)
        deadline = add_business_days(start, days, calendar)
    else:
        deadline, calendar_text = add_calendar_days(start, days), "calendar days"
    return ResponseSection(
        starts_on=start,
        deadline=deadline,
        days=days,
        business_days=business,
        calendar=calendar_text,
        enclosures=list(enclosures),
        product_default=rule is None,
        rule_id=rule.id if rule else None,
        rule_jurisdiction=code if rule else None,
        verification=rule.verification if rule else None,
        citations=rule.citations if rule else [],
        note=rule.note if rule else pack.defaults.response_note,
        reason=reason,
    )


# --- small claims --------------------------------------------------------------------------------


def small_claims_section(facts: ClaimFacts, code: str | None) -> SmallClaimsSection:
    intake = facts.intake
    natural = facts.options.creditor_is_natural_person
    claimant = Claimant.natural_person if natural else Claimant.entity
    jurisdiction = facts.pack.get(code)
    rules = jurisdiction.of_type(SmallClaimsRule, facts.as_of) if jurisdiction else []
    if not rules:
        return SmallClaimsSection(claimant=claimant, reason=missing(facts, code, "small_claims", "debtor"))
    rule = rules[0]
    match = next((c for c in rule.ceilings if c.claimant is claimant), None) or next(
        (c for c in rule.ceilings if c.claimant is Claimant.any), None
    )
    ceiling = rounded(match.amount, rule.currency) if match and match.amount is not None else None
    principal = facts.principal()
    within = principal <= ceiling if ceiling is not None and rule.currency == intake.currency else None
    reason: str | None = None
    if match is None:
        reason = f"the rule gives no ceiling for a {claimant} claimant"
    elif ceiling is None:
        reason = "this small-claims track does not take the debt"
    elif rule.currency != intake.currency:
        reason = f"ceiling in {rule.currency}, debt in {intake.currency}: not compared"
    return SmallClaimsSection(
        ceiling=ceiling,
        currency=rule.currency,
        claimant=claimant,
        ceilings=rule.ceilings,
        within=within,
        rule_id=rule.id,
        rule_jurisdiction=code,
        verification=rule.verification,
        citations=rule.citations,
        note=rule.note,
        reason=reason,
    )
