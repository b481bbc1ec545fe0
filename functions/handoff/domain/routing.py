"""Routing: escalation signals, ordered routing rules and the routing decision (DESIGN.md §4).

Everything here is pure and deterministic. The service layer gathers the inputs (the intake,
its summary, the creditor's address, the small-claims ceiling from the jurisdiction rule
pack, the rules and the partners) and stores the `RoutingDecision` on the case timeline.

How a decision is made (`decide`):

1. **Rules, in order.** The first rule whose conditions all hold selects the partner type.
   Every rule is evaluated so the decision can say why each other rule did not apply. There
   is no fall-through: if the selected type has no partner that qualifies, the case goes to
   manual review rather than to a partner of a type the rules did not ask for.
2. **Partners.** A partner qualifies when it is active, of the selected type, serves the
   debtor's jurisdiction (see `partners.jurisdiction_matches`), has a band for the case
   currency that contains the principal (`[min, max)`), handles the debt type, has capacity
   (`open_cases < capacity`) and is not excluded (declined or tried earlier). Each partner
   gets every reason it fails, not only the first.
3. **Tie-break** among qualified partners: `priority` ascending, then most free capacity
   (`capacity - open_cases`), then `partner_id` ascending. The order is total, so the input
   order of partners never changes the result. Qualified partners are ranked in this order
   (rank 1 is chosen; the next ranks are who would be tried after a decline).

Rule conditions are ANDed; an empty condition list means "any". Amount conditions follow the
partner bands' convention (`min` inclusive, `max` exclusive); a rule that lists amount
conditions does not match a currency it has none for.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from handoff.domain.base import LazyModel
from handoff.domain.claim.rules import same_legal_jurisdiction
from handoff.domain.errors import HandoffError
from handoff.domain.models import (
    Address,
    CaseIntake,
    CurrencyCode,
    EntityType,
    JurisdictionCode,
    ShortText,
    Strict,
)
from handoff.domain.money import Money, at_scale_or_value_error, exact
from handoff.domain.partners import (
    DebtType,
    JurisdictionPattern,
    Partner,
    PartnerId,
    PartnerStatus,
    PartnerType,
    jurisdiction_matches,
    patterns_covering,
)
from handoff.domain.summary import CaseSummary

DEFAULT_UNANSWERED_THRESHOLD = 3
TIE_BREAK = "priority ascending, then most free capacity, then partner_id ascending"


class RoutingInputError(HandoffError):
    """The inputs to a routing decision contradict each other (e.g. a partner id listed twice)."""


# --- escalation signals -----------------------------------------------------------------


class EscalationSignal(StrEnum):
    """What creditors' own guidance says makes it time for an attorney."""

    repeated_unanswered_contacts = "repeated_unanswered_contacts"
    above_small_claims = "above_small_claims"
    above_threshold = "above_threshold"
    insolvency_or_prior_disputes = "insolvency_or_prior_disputes"
    cross_border = "cross_border"


class _Output(LazyModel):
    """Base of what this module returns (not validated input: no `extra=forbid` needed)."""

    model_config = ConfigDict(frozen=True)


class SignalReading(_Output):
    signal: Annotated[EscalationSignal, Field(description="Which signal")]
    on: Annotated[bool, Field(description="Whether the signal is raised")]
    detail: Annotated[str, Field(description="The numbers or facts behind the reading")]


class EscalationSignals(_Output):
    """One reading per signal, in `EscalationSignal` order."""

    readings: list[SignalReading]

    @property
    def active(self) -> frozenset[EscalationSignal]:
        return frozenset(r.signal for r in self.readings if r.on)


def compute_signals(
    intake: CaseIntake,
    summary: CaseSummary,
    *,
    creditor_address: Address,
    small_claims_ceiling: Money | None,
    attorney_threshold: Decimal | None,
    unanswered_threshold: int = DEFAULT_UNANSWERED_THRESHOLD,
) -> EscalationSignals:
    """Read every escalation signal from the case and the inputs given.

    * `repeated_unanswered_contacts`: at least `unanswered_threshold` outbound attempts ended
      with no answer or a refusal (`summary.contacts.unanswered`).
    * `above_small_claims`: principal strictly above the ceiling; off when no ceiling is known
      or it is in another currency than the case.
    * `above_threshold`: principal strictly above the attorney threshold for the case
      currency (`RoutingRules.attorney_threshold`); off when none is configured.
    * `insolvency_or_prior_disputes`: the debtor is flagged insolvent or with prior disputes.
    * `cross_border`: debtor in another country than the creditor, or in the same country
      but another subdivision (compared only when both subdivisions are known).
    """
    currency = intake.currency
    principal = summary.principal_outstanding
    readings = [
        _unanswered(summary.contacts.unanswered, unanswered_threshold),
        _small_claims(principal, currency, small_claims_ceiling),
        _threshold(principal, currency, attorney_threshold),
        _debtor_history(intake),
        _cross_border(intake.debtor.address, creditor_address),
    ]
    return EscalationSignals(readings=readings)


def _unanswered(unanswered: int, threshold: int) -> SignalReading:
    return SignalReading(
        signal=EscalationSignal.repeated_unanswered_contacts,
        on=unanswered >= threshold,
        detail=f"{unanswered} unanswered outbound attempts (threshold {threshold})",
    )


def _small_claims(principal: Decimal, currency: str, ceiling: Money | None) -> SignalReading:
    signal = EscalationSignal.above_small_claims
    if ceiling is None:
        return SignalReading(signal=signal, on=False, detail="no small-claims ceiling known")
    limit = f"{ceiling.amount} {ceiling.currency}"
    if ceiling.currency != currency:
        detail = f"small-claims ceiling {limit} is not in the case currency {currency}; not compared"
        return SignalReading(signal=signal, on=False, detail=detail)
    on = principal > ceiling.amount
    relation = "above" if on else "not above"
    return SignalReading(
        signal=signal,
        on=on,
        detail=f"principal {principal} {currency} {relation} small-claims ceiling {limit}",
    )


def _threshold(principal: Decimal, currency: str, threshold: Decimal | None) -> SignalReading:
    signal = EscalationSignal.above_threshold
    if threshold is None:
        return SignalReading(
            signal=signal, on=False, detail=f"no attorney threshold configured for {currency}"
        )
    on = principal > threshold
    relation = "above" if on else "not above"
    return SignalReading(
        signal=signal,
        on=on,
        detail=f"principal {principal} {currency} {relation} attorney threshold {threshold} {currency}",
    )


def _debtor_history(intake: CaseIntake) -> SignalReading:
    flags = intake.debtor.flags
    facts = (("insolvent", flags.insolvent), ("prior legal disputes", flags.prior_legal_disputes))
    raised = [name for name, on in facts if on]
    return SignalReading(
        signal=EscalationSignal.insolvency_or_prior_disputes,
        on=bool(raised),
        detail="debtor flagged: " + ", ".join(raised)
        if raised
        else "debtor not flagged insolvent or litigious",
    )


def _where(address: Address) -> str:
    return address.subdivision or address.country


def _cross_border(debtor: Address, creditor: Address) -> SignalReading:
    if debtor.country != creditor.country:
        on = True
    elif debtor.subdivision and creditor.subdivision:  # England and Wales are one legal jurisdiction
        on = not same_legal_jurisdiction(debtor.subdivision, creditor.subdivision)
    else:
        on = False
    relation = "differs from" if on else "same as"
    return SignalReading(
        signal=EscalationSignal.cross_border,
        on=on,
        detail=f"debtor in {_where(debtor)}, {relation} creditor in {_where(creditor)}",
    )


# --- routing rules ----------------------------------------------------------------------


_at_scale = at_scale_or_value_error


class AmountCondition(Strict):
    """Principal limits in one currency: `min <= principal < max`; either bound may be omitted."""

    currency: CurrencyCode
    min: Annotated[Decimal | None, Field(ge=0, max_digits=18, description="Inclusive lower bound")] = None
    max: Annotated[Decimal | None, Field(gt=0, max_digits=18, description="Exclusive upper bound")] = None

    @field_validator("min", "max")
    @classmethod
    def _scale(cls, amount: Decimal | None, info: ValidationInfo) -> Decimal | None:
        return _at_scale(amount, info.data.get("currency"))

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min is not None and self.max is not None and self.max <= self.min:
            raise ValueError(f"max {self.max} must be above min {self.min} (the range is [min, max))")
        return self


def _unique(values: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is listed twice")
        seen.add(value)


SignalList = Annotated[list[EscalationSignal], Field(max_length=len(EscalationSignal))]


class RoutingRule(Strict):
    """One row of the routing table. All conditions must hold; an empty list means any."""

    rule_id: Annotated[
        str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$", description="Stable rule name")
    ]
    description: Annotated[ShortText, Field(description="What the rule is for, for operators")]
    partner_type: Annotated[PartnerType, Field(description="The kind of partner this rule sends cases to")]
    jurisdictions: Annotated[
        list[JurisdictionPattern],
        Field(min_length=1, max_length=500, description="Debtor jurisdictions the rule applies to"),
    ] = ["*"]
    amounts: Annotated[
        list[AmountCondition],
        Field(
            max_length=50, description="Principal limits per currency; if any, the case currency needs one"
        ),
    ] = []
    required_signals: Annotated[SignalList, Field(description="Every one of these must be raised")] = []
    any_signals: Annotated[SignalList, Field(description="If listed, at least one must be raised")] = []
    forbidden_signals: Annotated[SignalList, Field(description="None of these may be raised")] = []
    debtor_entity_types: Annotated[
        list[EntityType], Field(description="Debtor entity types the rule applies to")
    ] = []

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        _unique((a.currency for a in self.amounts), "amount condition currency")
        clash = set(self.forbidden_signals) & (set(self.required_signals) | set(self.any_signals))
        if clash:
            raise ValueError(f"signals both required and forbidden: {', '.join(sorted(clash))}")
        return self

    def misses(self, facts: CaseFacts) -> list[str]:
        """Every condition of this rule that the case does not meet (empty: the rule matches)."""
        why: list[str] = []
        if not any(jurisdiction_matches(p, facts.debtor_jurisdiction) for p in self.jurisdictions):
            why.append(f"debtor in {facts.debtor_jurisdiction}, rule covers {', '.join(self.jurisdictions)}")
        if self.amounts:
            why.extend(self._amount_misses(facts))
        for signal in self.required_signals:
            if signal not in facts.signals:
                why.append(f"needs signal {signal}")
        if self.any_signals and not facts.signals.intersection(self.any_signals):
            why.append(f"needs one of signals {', '.join(self.any_signals)}")
        for signal in self.forbidden_signals:
            if signal in facts.signals:
                why.append(f"forbids signal {signal}, which is raised")
        if self.debtor_entity_types and facts.debtor_entity_type not in self.debtor_entity_types:
            why.append(
                f"debtor is {facts.debtor_entity_type}, rule covers {', '.join(self.debtor_entity_types)}"
            )
        return why

    def _amount_misses(self, facts: CaseFacts) -> list[str]:
        amount = facts.principal
        for condition in self.amounts:
            if condition.currency == facts.currency:
                if condition.min is not None and amount < condition.min:
                    return [f"amount {amount} below rule min {condition.min} {facts.currency}"]
                if condition.max is not None and amount >= condition.max:
                    return [_above_max("rule", amount, condition.max, facts.currency)]
                return []
        return [f"no amount condition for {facts.currency}"]


def _above_max(what: str, amount: Decimal, maximum: Decimal, currency: str) -> str:
    if amount == maximum:
        return f"amount {amount} at {what} max {maximum} {currency} (max is exclusive)"
    return f"amount {amount} above {what} max {maximum} {currency}"


class RoutingRules(Strict):
    """The routing table (ordered) and the thresholds the escalation signals use."""

    rules: Annotated[
        list[RoutingRule],
        Field(max_length=200, description="Evaluated in order; the first that matches wins"),
    ]
    attorney_threshold: Annotated[
        dict[CurrencyCode, Annotated[Decimal, Field(ge=0, max_digits=18)]],
        Field(description="Per currency: a principal above this raises `above_threshold`"),
    ] = {}
    unanswered_contacts_threshold: Annotated[
        int,
        Field(
            ge=1, le=100, description="Unanswered outbound attempts that raise `repeated_unanswered_contacts`"
        ),
    ] = DEFAULT_UNANSWERED_THRESHOLD

    @field_validator("attorney_threshold")
    @classmethod
    def _thresholds_at_scale(cls, thresholds: dict[str, Decimal]) -> dict[str, Decimal]:
        return {currency: exact(amount, currency) for currency, amount in thresholds.items()}

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        _unique((rule.rule_id for rule in self.rules), "rule_id")
        return self


# --- the decision -----------------------------------------------------------------------


class CaseFacts(Strict):
    """The facts routing looks at, taken from the case and its computed signals."""

    case_id: Annotated[str, Field(min_length=1, max_length=64, description="The case being routed")]
    currency: CurrencyCode
    principal: Annotated[Decimal, Field(ge=0, max_digits=18, description="Principal outstanding")]
    debtor_jurisdiction: Annotated[
        JurisdictionCode, Field(description="The debtor's subdivision if known, else its country")
    ]
    debtor_entity_type: Annotated[
        EntityType, Field(description="company, sole_trader, partnership or individual")
    ]
    debt_type: Annotated[DebtType, Field(description="What the debt arises from")] = DebtType.commercial
    signals: Annotated[frozenset[EscalationSignal], Field(description="Escalation signals raised")] = (
        frozenset()
    )

    @field_validator("principal")
    @classmethod
    def _scale(cls, amount: Decimal, info: ValidationInfo) -> Decimal | None:
        return _at_scale(amount, info.data.get("currency"))

    @classmethod
    def of(
        cls,
        case_id: str,
        intake: CaseIntake,
        summary: CaseSummary,
        signals: EscalationSignals,
        debt_type: DebtType = DebtType.commercial,
    ) -> CaseFacts:
        return cls(
            case_id=case_id,
            currency=intake.currency,
            principal=summary.principal_outstanding,
            debtor_jurisdiction=_where(intake.debtor.address),
            debtor_entity_type=intake.debtor.entity_type,
            debt_type=debt_type,
            signals=signals.active,
        )


class RoutingOutcome(StrEnum):
    partner_selected = "partner_selected"
    manual_review = "manual_review"


class RuleOutcome(_Output):
    rule_id: Annotated[str, Field(description="The rule evaluated")]
    matched: Annotated[bool, Field(description="All of the rule's conditions hold")]
    selected: Annotated[bool, Field(description="The first rule that matched: it chose the partner type")]
    reasons: Annotated[list[str], Field(description="Why the rule did not match, or was not the first")]


class RoutingDecision(_Output):
    """What routing decided and why: the rule, the partner, and a reason for every other one."""

    case_id: Annotated[str, Field(description="The case routed")]
    outcome: Annotated[RoutingOutcome, Field(description="partner_selected or manual_review")]
    rule_id: Annotated[str | None, Field(description="The first rule that matched")]
    partner_type: Annotated[PartnerType | None, Field(description="The type the matched rule asks for")]
    partner_id: Annotated[PartnerId | None, Field(description="The chosen partner; null for manual review")]
    reason: Annotated[str, Field(description="One line: the choice, or why the case needs manual review")]
    tie_break: Annotated[str, Field(description="How qualified partners were ordered")] = TIE_BREAK
    signals: Annotated[list[EscalationSignal], Field(description="Signals raised, sorted")]
    rules: Annotated[list[RuleOutcome], Field(description="Every rule, in table order")]
    ranking: Annotated[
        list[str],
        Field(
            description="Partners that qualify, in tie-break order: the first is chosen, the next are who "
            "would be tried after a decline. With no rule matched: those that pass every check but type"
        ),
    ]
    rejected: Annotated[
        dict[str, list[str]],
        Field(description="Every other partner, by partner_id (sorted), with every check it fails"),
    ]

    def explain(self, partner_id: str) -> list[str]:
        """Why a partner was not chosen (empty for the chosen one); KeyError if it was not considered."""
        if partner_id in self.rejected:
            return self.rejected[partner_id]
        rank = self.ranking.index(partner_id) + 1 if partner_id in self.ranking else 0
        if not rank:
            raise KeyError(partner_id)
        if partner_id == self.partner_id:
            return []
        if self.partner_id is None:
            return [f"qualifies (rank {rank}) but no partner is chosen: {self.reason}"]
        return [f"qualifies, ranked {rank} after {self.partner_id} ({self.tie_break})"]


PartnerCheck = Callable[[Partner], "list[str] | None"]


def partner_check(
    facts: CaseFacts, wanted: PartnerType | None, excluded: Collection[str] = ()
) -> PartnerCheck:
    """A function telling, for one partner, every check it fails (None when it qualifies).

    Everything that depends only on the case is worked out once here, so the per-partner
    function does a handful of comparisons and builds text only for a partner that fails.
    """
    covering = patterns_covering(facts.debtor_jurisdiction)
    not_served = f"does not serve {facts.debtor_jurisdiction}"
    currency = facts.currency
    no_band = f"no amount band for {currency}"
    amount = facts.principal
    debt_type = facts.debt_type
    wrong_debt = f"does not handle debt type {debt_type}"
    excluded = frozenset(excluded)
    active = PartnerStatus.active
    status_text = {status: status.value for status in PartnerStatus}
    type_text = (
        {kind: f"is an {kind.value}, rule wants an {wanted.value}" for kind in PartnerType} if wanted else {}
    )

    def misses(partner: Partner) -> list[str] | None:
        serves = not covering.isdisjoint(partner.jurisdictions)
        band = None
        for candidate in partner.amount_bands:
            if candidate.currency == currency:
                band = candidate
                break
        in_band = band is not None and band.min <= amount and (band.max is None or amount < band.max)
        if (
            serves
            and in_band
            and partner.status is active
            and (wanted is None or partner.type is wanted)
            and partner.open_cases < partner.capacity
            and partner.partner_id not in excluded
            and debt_type in partner.debt_types
        ):
            return None
        why: list[str] = []
        if partner.status is not active:
            why.append(status_text[partner.status])
        if partner.partner_id in excluded:
            why.append("declined earlier")
        if wanted is not None and partner.type is not wanted:
            why.append(type_text[partner.type])
        if not serves:
            why.append(not_served)
        if band is None:
            why.append(no_band)
        elif amount < band.min:
            why.append(f"amount {amount} below band min {band.min} {currency}")
        elif band.max is not None and amount >= band.max:
            why.append(_above_max("band", amount, band.max, currency))
        if debt_type not in partner.debt_types:
            why.append(wrong_debt)
        if partner.open_cases >= partner.capacity:
            why.append(f"at capacity {partner.open_cases}/{partner.capacity}")
        return why

    return misses


def _rank_key(partner: Partner) -> tuple[int, int, str]:
    return (partner.priority, -partner.free_capacity, partner.partner_id)


def decide(
    case_facts: CaseFacts,
    rules: RoutingRules,
    partners: Sequence[Partner],
    exclude_partner_ids: Collection[str] = (),
) -> RoutingDecision:
    """Pick the partner for a case, or send it to manual review, explaining every alternative.

    Deterministic: the same facts, rules and set of partners give the same decision whatever
    the order of `partners`. Linear in the number of partners (plus sorting the results).
    Raises `RoutingInputError` if a partner id appears twice.
    """
    rule_outcomes, selected = _evaluate_rules(case_facts, rules)
    wanted = selected.partner_type if selected else None
    misses = partner_check(case_facts, wanted, exclude_partner_ids)

    qualified: list[Partner] = []
    rejected: dict[str, list[str]] = {}
    seen: set[str] = set()
    for partner in partners:
        if partner.partner_id in seen:
            raise RoutingInputError(f"partner {partner.partner_id} is listed twice")
        seen.add(partner.partner_id)
        why = misses(partner)
        if why is None:
            qualified.append(partner)
        else:
            rejected[partner.partner_id] = why
    qualified.sort(key=_rank_key)
    ranking = [partner.partner_id for partner in qualified]
    chosen = qualified[0] if qualified and selected else None

    if selected is None:
        reason = "no routing rule matched"
    elif chosen is None:
        reason = f"rule {selected.rule_id} wants an {wanted}, but none of {len(seen)} partners qualifies"
    else:
        reason = (
            f"rule {selected.rule_id} wants an {wanted}; {chosen.partner_id} chosen among "
            f"{len(qualified)} qualified (priority {chosen.priority}, {chosen.free_capacity} free)"
        )
    return RoutingDecision(
        case_id=case_facts.case_id,
        outcome=RoutingOutcome.partner_selected if chosen else RoutingOutcome.manual_review,
        rule_id=selected.rule_id if selected else None,
        partner_type=wanted,
        partner_id=chosen.partner_id if chosen else None,
        reason=reason,
        signals=sorted(case_facts.signals),
        rules=rule_outcomes,
        ranking=ranking,
        rejected={partner_id: rejected[partner_id] for partner_id in sorted(rejected)},
    )


def _evaluate_rules(facts: CaseFacts, rules: RoutingRules) -> tuple[list[RuleOutcome], RoutingRule | None]:
    outcomes: list[RuleOutcome] = []
    selected: RoutingRule | None = None
    for rule in rules.rules:
        misses = [f"rule {rule.rule_id} {why}" for why in rule.misses(facts)]
        matched = not misses
        first = matched and selected is None
        if first:
            selected = rule
        elif matched and selected is not None:
            misses = [f"rule {rule.rule_id} matches, but rule {selected.rule_id} comes first"]
        outcomes.append(RuleOutcome(rule_id=rule.rule_id, matched=matched, selected=first, reasons=misses))
    return outcomes, selected
