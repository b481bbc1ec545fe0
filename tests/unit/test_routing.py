"""Routing: escalation signals at their thresholds, rules in order, partners filtered and ranked."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from handoff.domain.claim import claim_as_of
from handoff.domain.models import Address, CaseIntake
from handoff.domain.money import Money
from handoff.domain.partners import DebtType, Partner
from handoff.domain.routing import (
    CaseFacts,
    EscalationSignal,
    EscalationSignals,
    RoutingDecision,
    RoutingInputError,
    RoutingOutcome,
    RoutingRule,
    RoutingRules,
    compute_signals,
    decide,
)
from handoff.domain.summary import summarize

S = EscalationSignal
AS_OF = date(2026, 9, 1)

# --- builders ---------------------------------------------------------------------------


def partner(partner_id: str, **overrides: Any) -> Partner:
    body: dict[str, Any] = {
        "partner_id": partner_id,
        "name": f"Partner {partner_id}",
        "type": "agency",
        "jurisdictions": ["*"],
        "amount_bands": [
            {"currency": "USD", "min": "0", "max": "1000000"},
            {"currency": "GBP", "min": "0", "max": "1000000"},
        ],
        "debt_types": ["commercial"],
        "capacity": 10,
        "open_cases": 0,
        "fee_terms": {"contingency_percent": "25"},
        "priority": 10,
        "contact_email": f"{partner_id}@partners.example",
    }
    body.update(overrides)
    return Partner.model_validate(body)


def facts(**overrides: Any) -> CaseFacts:
    body: dict[str, Any] = {
        "case_id": "case-1",
        "currency": "USD",
        "principal": "12000.00",
        "debtor_jurisdiction": "US-TX",
        "debtor_entity_type": "company",
        "debt_type": "commercial",
        "signals": [],
    }
    body.update(overrides)
    return CaseFacts.model_validate(body)


def rule(rule_id: str, partner_type: str = "agency", **conditions: Any) -> RoutingRule:
    return RoutingRule.model_validate(
        {"rule_id": rule_id, "description": f"rule {rule_id}", "partner_type": partner_type, **conditions}
    )


AGENCY_ONLY = RoutingRules(rules=[rule("any-agency")])


def band(currency: str, low: str, high: str | None) -> list[dict[str, Any]]:
    return [{"currency": currency, "min": low, "max": high}]


# --- amount bands through decide ----------------------------------------------------------

BAND_EDGES = [
    # currency, band min, band max, principal, qualifies, reason when not
    ("USD", "1000.00", "50000.00", "999.99", False, "amount 999.99 below band min 1000.00 USD"),
    ("USD", "1000.00", "50000.00", "1000.00", True, None),
    ("USD", "1000.00", "50000.00", "49999.99", True, None),
    (
        "USD",
        "1000.00",
        "50000.00",
        "50000.00",
        False,
        "amount 50000.00 at band max 50000.00 USD (max is exclusive)",
    ),
    ("USD", "1000.00", "50000.00", "52000.00", False, "amount 52000.00 above band max 50000.00 USD"),
    ("USD", "1000.00", "50000.00", "50000.01", False, "amount 50000.01 above band max 50000.00 USD"),
    ("GBP", "500", "10000", "499.99", False, "amount 499.99 below band min 500.00 GBP"),
    ("GBP", "500", "10000", "500.00", True, None),
    ("GBP", "500", "10000", "9999.99", True, None),
    ("GBP", "500", "10000", "10000.00", False, "amount 10000.00 at band max 10000.00 GBP (max is exclusive)"),
    ("EUR", "0", None, "0.00", True, None),
    ("EUR", "0", None, "123456789.00", True, None),
    ("JPY", "100000", "5000000", "99999", False, "amount 99999 below band min 100000 JPY"),
    ("JPY", "100000", "5000000", "100000", True, None),
    ("JPY", "100000", "5000000", "4999999", True, None),
    (
        "JPY",
        "100000",
        "5000000",
        "5000000",
        False,
        "amount 5000000 at band max 5000000 JPY (max is exclusive)",
    ),
    ("JPY", "100000", "5000000", "5000001", False, "amount 5000001 above band max 5000000 JPY"),
    ("KWD", "1.000", "2.000", "1.999", True, None),
    ("KWD", "1.000", "2.000", "0.999", False, "amount 0.999 below band min 1.000 KWD"),
]


@pytest.mark.parametrize(("currency", "low", "high", "principal", "qualifies", "why"), BAND_EDGES)
def test_amount_band_edges(
    currency: str, low: str, high: str | None, principal: str, qualifies: bool, why: str | None
) -> None:
    candidates = [partner("p1", amount_bands=band(currency, low, high))]
    decision = decide(facts(currency=currency, principal=principal), AGENCY_ONLY, candidates)
    assert (decision.partner_id == "p1") is qualifies
    if why is not None:
        assert decision.outcome is RoutingOutcome.manual_review
        assert decision.rejected == {"p1": [why]}


def test_a_partner_without_a_band_in_the_case_currency_is_skipped() -> None:
    candidates = [partner("p1", amount_bands=band("GBP", "0", None))]
    decision = decide(facts(currency="JPY", principal="5000"), AGENCY_ONLY, candidates)
    assert decision.rejected == {"p1": ["no amount band for JPY"]}


def test_the_band_is_chosen_by_currency_not_by_number() -> None:
    bands = [*band("USD", "0", "1000"), *band("JPY", "100000", None)]
    candidates = [partner("p1", amount_bands=bands)]
    assert decide(facts(currency="JPY", principal="150000"), AGENCY_ONLY, candidates).partner_id == "p1"
    usd = decide(facts(currency="USD", principal="150000.00"), AGENCY_ONLY, candidates)
    assert usd.rejected == {"p1": ["amount 150000.00 above band max 1000.00 USD"]}


# --- jurisdictions through decide ---------------------------------------------------------

JURISDICTIONS = [
    # partner patterns, debtor jurisdiction, qualifies
    (["*"], "US-TX", True),
    (["*"], "JP", True),
    (["US-*"], "US-TX", True),
    (["US-*"], "US", False),
    (["US-*"], "GB-ENG", False),
    (["US-CA"], "US-CA", True),
    (["US-CA"], "US-TX", False),
    (["US-CA", "US-TX"], "US-TX", True),
    (["US"], "US-TX", True),
    (["US"], "US", True),
    (["GB"], "GB-ENG", True),
    (["GB"], "GB-SCT", True),
    (["GB-ENG"], "GB-SCT", False),
    (["GB-ENG"], "GB", False),
    (["DE", "FR"], "GB-ENG", False),
]


@pytest.mark.parametrize(("patterns", "debtor", "qualifies"), JURISDICTIONS)
def test_jurisdiction_wildcards(patterns: list[str], debtor: str, qualifies: bool) -> None:
    candidates = [partner("p1", jurisdictions=patterns)]
    decision = decide(facts(debtor_jurisdiction=debtor), AGENCY_ONLY, candidates)
    assert (decision.partner_id == "p1") is qualifies
    if not qualifies:
        assert decision.rejected == {"p1": [f"does not serve {debtor}"]}


# --- capacity, status, exclusions, debt types --------------------------------------------


@pytest.mark.parametrize(
    ("open_cases", "capacity", "why"),
    [
        (0, 10, None),
        (9, 10, None),
        (10, 10, "at capacity 10/10"),
        (12, 10, "at capacity 12/10"),
        (0, 0, "at capacity 0/0"),
    ],
)
def test_capacity_is_respected(open_cases: int, capacity: int, why: str | None) -> None:
    decision = decide(facts(), AGENCY_ONLY, [partner("p1", open_cases=open_cases, capacity=capacity)])
    assert decision.partner_id == (None if why else "p1")
    assert decision.rejected == ({"p1": [why]} if why else {})


def test_suspended_partners_are_skipped() -> None:
    candidates = [partner("p1", status="suspended", priority=0), partner("p2", priority=5)]
    decision = decide(facts(), AGENCY_ONLY, candidates)
    assert decision.partner_id == "p2"
    assert decision.rejected == {"p1": ["suspended"]}


def test_excluded_partners_are_skipped_and_the_next_one_is_chosen() -> None:
    candidates = [partner("p1", priority=0), partner("p2", priority=1), partner("p3", priority=2)]
    first = decide(facts(), AGENCY_ONLY, candidates)
    assert first.ranking == ["p1", "p2", "p3"]
    second = decide(facts(), AGENCY_ONLY, candidates, exclude_partner_ids=["p1"])
    assert second.partner_id == "p2"
    assert second.rejected == {"p1": ["declined earlier"]}
    third = decide(facts(), AGENCY_ONLY, candidates, exclude_partner_ids={"p1", "p2", "p3"})
    assert third.outcome is RoutingOutcome.manual_review
    assert set(third.rejected) == {"p1", "p2", "p3"}


def test_debt_type_must_be_handled() -> None:
    candidates = [partner("p1", debt_types=["goods"]), partner("p2", debt_types=["goods", "b2b_services"])]
    decision = decide(facts(debt_type="b2b_services"), AGENCY_ONLY, candidates)
    assert decision.partner_id == "p2"
    assert decision.rejected == {"p1": ["does not handle debt type b2b_services"]}


def test_every_failed_check_is_reported_for_a_partner() -> None:
    bad = partner(
        "p1",
        type="attorney",
        status="suspended",
        jurisdictions=["GB"],
        amount_bands=band("USD", "50000", None),
        debt_types=["rent"],
        open_cases=3,
        capacity=3,
    )
    decision = decide(facts(), AGENCY_ONLY, [bad], exclude_partner_ids=["p1"])
    assert decision.rejected["p1"] == [
        "suspended",
        "declined earlier",
        "is an attorney, rule wants an agency",
        "does not serve US-TX",
        "amount 12000.00 below band min 50000.00 USD",
        "does not handle debt type commercial",
        "at capacity 3/3",
    ]


# --- tie-break and determinism -----------------------------------------------------------

TIE_BREAKS = [
    # (partner_id, priority, open_cases, capacity) ..., expected ranking
    ([("b", 1, 0, 10), ("a", 2, 0, 10)], ["b", "a"]),  # lower priority number first
    ([("a", 5, 8, 10), ("b", 5, 2, 10)], ["b", "a"]),  # then most free capacity
    ([("a", 5, 0, 4), ("b", 5, 6, 10)], ["a", "b"]),  # free capacity, not capacity: 4 vs 4 -> id
    ([("b", 5, 1, 10), ("a", 5, 1, 10)], ["a", "b"]),  # then lowest partner_id
    ([("z", 0, 9, 10), ("a", 1, 0, 100), ("m", 0, 5, 10)], ["m", "z", "a"]),  # priority beats capacity
]


@pytest.mark.parametrize(("specs", "ranking"), TIE_BREAKS)
def test_tie_break_order(specs: list[tuple[str, int, int, int]], ranking: list[str]) -> None:
    candidates = [partner(pid, priority=p, open_cases=o, capacity=c) for pid, p, o, c in specs]
    decision = decide(facts(), AGENCY_ONLY, candidates)
    assert decision.ranking == ranking
    assert decision.partner_id == ranking[0]
    assert decision.explain(ranking[0]) == []
    assert decision.explain(ranking[1])[0].startswith(f"qualifies, ranked 2 after {ranking[0]}")


POOL = [
    partner("p01", priority=1, open_cases=3),
    partner("p02", priority=1, open_cases=3),
    partner("p03", priority=1, open_cases=1),
    partner("p04", priority=0, open_cases=10),  # full
    partner("p05", priority=2),
    partner("p06", priority=0, status="suspended"),
    partner("p07", priority=0, jurisdictions=["GB"]),
    partner("p08", priority=0, type="attorney"),
    partner("p09", priority=1, open_cases=1),
    partner("p10", priority=0, amount_bands=band("USD", "20000", None)),
]


@settings(max_examples=50, deadline=None)
@given(st.permutations(POOL), st.sampled_from([(), ("p03",), ("p03", "p09")]))
def test_partner_order_never_changes_the_decision(shuffled: list[Partner], excluded: tuple[str, ...]) -> None:
    expected = decide(facts(), AGENCY_ONLY, POOL, excluded)
    assert decide(facts(), AGENCY_ONLY, shuffled, excluded) == expected
    assert decide(facts(), AGENCY_ONLY, shuffled, excluded).model_dump_json() == expected.model_dump_json()


def test_pool_ranking() -> None:
    decision = decide(facts(), AGENCY_ONLY, POOL)
    assert decision.ranking == ["p03", "p09", "p01", "p02", "p05"]
    assert list(decision.rejected) == ["p04", "p06", "p07", "p08", "p10"]


def test_a_partner_listed_twice_is_an_input_error() -> None:
    with pytest.raises(RoutingInputError, match="p1 is listed twice"):
        decide(facts(), AGENCY_ONLY, [partner("p1"), partner("p1", priority=0)])
    with pytest.raises(RoutingInputError, match="listed twice"):
        decide(facts(), AGENCY_ONLY, [partner("p1", status="suspended"), partner("p1")])


# --- rules ------------------------------------------------------------------------------

ATTORNEY_FIRST = RoutingRules(
    rules=[
        rule("big", "attorney", any_signals=["above_threshold", "above_small_claims"]),
        rule("risky", "attorney", required_signals=["insolvency_or_prior_disputes"]),
        rule("default", "agency", forbidden_signals=["cross_border"]),
    ],
    attorney_threshold={"USD": "50000"},
)
LAWYERS_AND_AGENCIES = [partner("agency", type="agency"), partner("lawyer", type="attorney")]


@pytest.mark.parametrize(
    ("signals", "rule_id", "chosen"),
    [
        ([], "default", "agency"),
        (["above_threshold"], "big", "lawyer"),
        (["above_small_claims"], "big", "lawyer"),
        (["insolvency_or_prior_disputes"], "risky", "lawyer"),
        (["insolvency_or_prior_disputes", "above_threshold"], "big", "lawyer"),
        (["repeated_unanswered_contacts"], "default", "agency"),
        (["cross_border"], None, None),
    ],
)
def test_the_first_matching_rule_selects_the_partner_type(
    signals: list[str], rule_id: str | None, chosen: str | None
) -> None:
    decision = decide(facts(signals=signals), ATTORNEY_FIRST, LAWYERS_AND_AGENCIES)
    assert decision.rule_id == rule_id
    assert decision.partner_id == chosen
    assert [r.selected for r in decision.rules].count(True) == (1 if rule_id else 0)


def test_every_rule_that_did_not_match_says_why() -> None:
    decision = decide(facts(signals=["insolvency_or_prior_disputes"]), ATTORNEY_FIRST, LAWYERS_AND_AGENCIES)
    reasons = {r.rule_id: r.reasons for r in decision.rules}
    assert reasons == {
        "big": ["rule big needs one of signals above_threshold, above_small_claims"],
        "risky": [],
        "default": ["rule default matches, but rule risky comes first"],
    }
    assert [(r.matched, r.selected) for r in decision.rules] == [(False, False), (True, True), (True, False)]
    assert decision.rejected == {"agency": ["is an agency, rule wants an attorney"]}


def test_no_rule_matched_goes_to_manual_review_and_still_lists_the_candidates() -> None:
    decision = decide(
        facts(signals=["cross_border"]),
        ATTORNEY_FIRST,
        [*LAWYERS_AND_AGENCIES, partner("x", status="suspended")],
    )
    assert decision.outcome is RoutingOutcome.manual_review
    assert decision.reason == "no routing rule matched"
    assert decision.partner_type is None
    assert decision.rules[2].reasons == ["rule default forbids signal cross_border, which is raised"]
    assert decision.ranking == ["agency", "lawyer"]  # would qualify but for the missing type
    assert decision.explain("agency")[0].startswith("qualifies (rank 1) but no partner is chosen")
    assert decision.rejected == {"x": ["suspended"]}


def test_no_fall_through_when_the_selected_type_has_no_partner() -> None:
    decision = decide(facts(signals=["above_threshold"]), ATTORNEY_FIRST, [partner("agency")])
    assert decision.outcome is RoutingOutcome.manual_review
    assert decision.rule_id == "big"
    assert decision.reason == "rule big wants an attorney, but none of 1 partners qualifies"
    assert decision.rejected == {"agency": ["is an agency, rule wants an attorney"]}


def test_no_partner_qualifies_gives_manual_review_with_a_reason_per_partner() -> None:
    candidates = [
        partner("full", open_cases=10),
        partner("far", jurisdictions=["GB"]),
        partner("small", amount_bands=band("USD", "0", "5000")),
        partner("off", status="suspended"),
        partner("tried"),
    ]
    decision = decide(facts(), AGENCY_ONLY, candidates, exclude_partner_ids=["tried"])
    assert decision.outcome is RoutingOutcome.manual_review
    assert decision.partner_id is None
    assert decision.ranking == []
    assert decision.rejected == {
        "far": ["does not serve US-TX"],
        "full": ["at capacity 10/10"],
        "off": ["suspended"],
        "small": ["amount 12000.00 above band max 5000.00 USD"],
        "tried": ["declined earlier"],
    }
    assert all(decision.explain(pid) for pid in decision.rejected)


def test_no_partners_at_all() -> None:
    decision = decide(facts(), AGENCY_ONLY, [])
    assert decision.outcome is RoutingOutcome.manual_review
    assert decision.reason == "rule any-agency wants an agency, but none of 0 partners qualifies"


RULE_CONDITIONS = [
    # conditions, case overrides, expected reasons (empty = matches)
    ({"jurisdictions": ["US-*"]}, {"debtor_jurisdiction": "US-TX"}, []),
    (
        {"jurisdictions": ["US-CA", "GB"]},
        {"debtor_jurisdiction": "US-TX"},
        ["debtor in US-TX, rule covers US-CA, GB"],
    ),
    ({"jurisdictions": ["GB"]}, {"debtor_jurisdiction": "GB-SCT", "currency": "GBP"}, []),
    ({"amounts": [{"currency": "USD", "min": "10000"}]}, {"principal": "10000.00"}, []),
    (
        {"amounts": [{"currency": "USD", "min": "10000"}]},
        {"principal": "9999.99"},
        ["amount 9999.99 below rule min 10000.00 USD"],
    ),
    ({"amounts": [{"currency": "USD", "max": "10000"}]}, {"principal": "9999.99"}, []),
    (
        {"amounts": [{"currency": "USD", "max": "10000"}]},
        {"principal": "10000.00"},
        ["amount 10000.00 at rule max 10000.00 USD (max is exclusive)"],
    ),
    (
        {"amounts": [{"currency": "JPY", "min": "1000000"}]},
        {"currency": "JPY", "principal": "999999"},
        ["amount 999999 below rule min 1000000 JPY"],
    ),
    ({"amounts": [{"currency": "JPY", "min": "1000000"}]}, {"currency": "JPY", "principal": "1000000"}, []),
    ({"amounts": [{"currency": "GBP", "min": "1"}]}, {}, ["no amount condition for USD"]),
    (
        {"required_signals": ["cross_border", "above_threshold"]},
        {"signals": ["cross_border"]},
        ["needs signal above_threshold"],
    ),
    ({"required_signals": ["cross_border"]}, {"signals": ["cross_border", "above_threshold"]}, []),
    ({"any_signals": ["cross_border", "above_threshold"]}, {"signals": ["above_threshold"]}, []),
    (
        {"forbidden_signals": ["above_small_claims"]},
        {"signals": ["above_small_claims"]},
        ["forbids signal above_small_claims, which is raised"],
    ),
    (
        {"debtor_entity_types": ["company", "partnership"]},
        {"debtor_entity_type": "sole_trader"},
        ["debtor is sole_trader, rule covers company, partnership"],
    ),
    ({"debtor_entity_types": ["sole_trader"]}, {"debtor_entity_type": "sole_trader"}, []),
]


@pytest.mark.parametrize(("conditions", "case", "reasons"), RULE_CONDITIONS)
def test_rule_conditions(conditions: dict[str, Any], case: dict[str, Any], reasons: list[str]) -> None:
    rules = RoutingRules(rules=[rule("r1", **conditions)])
    decision = decide(facts(**case), rules, [])
    assert decision.rules[0].reasons == [f"rule r1 {why}" for why in reasons]
    assert decision.rule_id == (None if reasons else "r1")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"rules": [{"rule_id": "a", "description": "x", "partner_type": "agency"}] * 2},
            "rule_id 'a' is listed twice",
        ),
        (
            {
                "rules": [
                    {
                        "rule_id": "a",
                        "description": "x",
                        "partner_type": "agency",
                        "required_signals": ["cross_border"],
                        "forbidden_signals": ["cross_border"],
                    }
                ]
            },
            "both required and forbidden: cross_border",
        ),
        ({"rules": [], "attorney_threshold": {"JPY": "10.5"}}, "more decimals than JPY allows"),
        ({"rules": [], "attorney_threshold": {"XYZ": "10"}}, "not an ISO 4217"),
        ({"rules": [], "unanswered_contacts_threshold": 0}, "greater than or equal to 1"),
        ({"rules": [{"rule_id": "a", "description": "x", "partner_type": "bailiff"}]}, "partner_type"),
        (
            {
                "rules": [
                    {
                        "rule_id": "a",
                        "description": "x",
                        "partner_type": "agency",
                        "amounts": [{"currency": "USD", "min": "5", "max": "5"}],
                    }
                ]
            },
            "must be above min",
        ),
        (
            {"rules": [{"rule_id": "a", "description": "x", "partner_type": "agency", "when": "always"}]},
            "Extra inputs",
        ),
    ],
)
def test_invalid_rule_tables_are_refused(body: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RoutingRules.model_validate(body)


def test_rules_and_decisions_round_trip_through_json() -> None:
    assert RoutingRules.model_validate_json(ATTORNEY_FIRST.model_dump_json()) == ATTORNEY_FIRST
    decision = decide(facts(signals=["above_threshold"]), ATTORNEY_FIRST, POOL)
    assert RoutingDecision.model_validate_json(decision.model_dump_json()) == decision
    assert decision.signals == [S.above_threshold]


def test_case_facts_are_exact_at_the_currency_scale() -> None:
    assert str(facts(principal="12000").principal) == "12000.00"
    with pytest.raises(ValidationError, match="more decimals than JPY allows"):
        facts(currency="JPY", principal="1.5")


# --- escalation signals -----------------------------------------------------------------

CREDITOR_LEEDS = Address(lines=["1 Road"], city="Leeds", country="GB", subdivision="GB-ENG")


def intake(payload: dict[str, Any], **changes: Any) -> CaseIntake:
    body = copy.deepcopy(payload)
    for dotted, value in changes.items():
        target = body
        *path, last = dotted.split("__")
        for key in path:
            target = target[key]
        target[last] = value
    return CaseIntake.model_validate(body)


def signals_of(
    case: CaseIntake,
    *,
    creditor: Address = CREDITOR_LEEDS,
    ceiling: Money | None = None,
    threshold: str | None = None,
    unanswered: int = 3,
) -> EscalationSignals:
    return compute_signals(
        case,
        summarize(case, claim_as_of(case, None, AS_OF)),
        creditor_address=creditor,
        small_claims_ceiling=ceiling,
        attorney_threshold=None if threshold is None else Decimal(threshold),
        unanswered_threshold=unanswered,
    )


def reading(signals: EscalationSignals, signal: EscalationSignal) -> tuple[bool, str]:
    [found] = [r for r in signals.readings if r.signal is signal]
    return found.on, found.detail


def attempts(outcomes: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "at": f"2026-07-{day:02d}T10:00:00Z",
            "channel": "email",
            "direction": "outbound",
            "outcome": outcome,
        }
        for day, outcome in enumerate(outcomes, start=1)
    ]


@pytest.mark.parametrize(
    ("outcomes", "threshold", "on"),
    [
        (["no_answer", "no_answer"], 3, False),
        (["no_answer", "no_answer", "no_answer"], 3, True),
        (["no_answer", "refused", "no_answer", "acknowledged"], 3, True),
        (["no_answer", "promised_to_pay", "no_answer"], 3, False),
        (["no_answer", "no_answer"], 2, True),
        (["no_answer"] * 4, 5, False),
        ([], 1, False),
    ],
)
def test_repeated_unanswered_contacts(
    case_payload: dict[str, Any], outcomes: list[str], threshold: int, on: bool
) -> None:
    case = intake(case_payload, contact_log=attempts(outcomes))
    assert reading(signals_of(case, unanswered=threshold), S.repeated_unanswered_contacts)[0] is on


def test_inbound_no_answers_do_not_count(case_payload: dict[str, Any]) -> None:
    log = [{**entry, "direction": "inbound"} for entry in attempts(["no_answer"] * 3)]
    case = intake(case_payload, contact_log=log)
    assert reading(signals_of(case), S.repeated_unanswered_contacts) == (
        False,
        "0 unanswered outbound attempts (threshold 3)",
    )


# The example case owes 1250.00 + (18400.00 - 2400.00) = 17250.00 GBP.
@pytest.mark.parametrize(
    ("ceiling", "on", "detail"),
    [
        (
            Money(amount=Decimal("17250.00"), currency="GBP"),
            False,
            "principal 17250.00 GBP not above small-claims ceiling 17250.00 GBP",
        ),
        (
            Money(amount=Decimal("17249.99"), currency="GBP"),
            True,
            "principal 17250.00 GBP above small-claims ceiling 17249.99 GBP",
        ),
        (
            Money(amount=Decimal("10000"), currency="GBP"),
            True,
            "principal 17250.00 GBP above small-claims ceiling 10000.00 GBP",
        ),
        (
            Money(amount=Decimal("5000"), currency="EUR"),
            False,
            "small-claims ceiling 5000.00 EUR is not in the case currency GBP; not compared",
        ),
        (None, False, "no small-claims ceiling known"),
    ],
)
def test_above_small_claims(
    case_payload: dict[str, Any], ceiling: Money | None, on: bool, detail: str
) -> None:
    assert reading(signals_of(intake(case_payload), ceiling=ceiling), S.above_small_claims) == (on, detail)


@pytest.mark.parametrize(
    ("threshold", "on"),
    [("17250.00", False), ("17249.99", True), ("17250.01", False), ("0", True), (None, False)],
)
def test_above_threshold(case_payload: dict[str, Any], threshold: str | None, on: bool) -> None:
    assert reading(signals_of(intake(case_payload), threshold=threshold), S.above_threshold)[0] is on


def test_above_threshold_in_yen(case_payload: dict[str, Any]) -> None:
    case = intake(
        case_payload,
        currency="JPY",
        invoices=[{"number": "J-1", "issued_on": "2026-05-01", "due_on": "2026-05-31", "amount": "1000000"}],
    )
    assert reading(signals_of(case, threshold="999999"), S.above_threshold) == (
        True,
        "principal 1000000 JPY above attorney threshold 999999 JPY",
    )
    assert reading(signals_of(case, threshold="1000000"), S.above_threshold)[0] is False


@pytest.mark.parametrize(
    ("flags", "on"),
    [
        ({}, False),
        ({"insolvent": True}, True),
        ({"prior_legal_disputes": True}, True),
        ({"insolvent": True, "prior_legal_disputes": True}, True),
        ({"disputed": True}, False),
    ],
)
def test_insolvency_or_prior_disputes(case_payload: dict[str, Any], flags: dict[str, bool], on: bool) -> None:
    case = intake(case_payload, debtor__flags=flags)
    assert reading(signals_of(case), S.insolvency_or_prior_disputes)[0] is on


@pytest.mark.parametrize(
    ("debtor_country", "debtor_sub", "creditor_country", "creditor_sub", "on"),
    [
        ("GB", "GB-ENG", "GB", "GB-ENG", False),
        ("GB", "GB-SCT", "GB", "GB-ENG", True),
        ("US", "US-TX", "US", "US-CA", True),
        ("IE", None, "GB", "GB-ENG", True),
        ("GB", None, "GB", "GB-ENG", False),  # same country, subdivision unknown: not compared
        ("GB", "GB-ENG", "GB", None, False),
        ("DE", None, "DE", None, False),
    ],
)
def test_cross_border(
    case_payload: dict[str, Any],
    debtor_country: str,
    debtor_sub: str | None,
    creditor_country: str,
    creditor_sub: str | None,
    on: bool,
) -> None:
    case = intake(
        case_payload, debtor__address__country=debtor_country, debtor__address__subdivision=debtor_sub
    )
    creditor = Address(lines=["1 Road"], city="Somewhere", country=creditor_country, subdivision=creditor_sub)
    assert reading(signals_of(case, creditor=creditor), S.cross_border)[0] is on


def test_signals_feed_the_case_facts_and_the_decision(case_payload: dict[str, Any]) -> None:
    case = intake(
        case_payload,
        debtor__flags={"prior_legal_disputes": True},
        contact_log=attempts(["no_answer"] * 3),
    )
    signals = signals_of(case, ceiling=Money(amount=Decimal("10000"), currency="GBP"), threshold="50000")
    assert signals.active == {
        S.insolvency_or_prior_disputes,
        S.above_small_claims,
        S.repeated_unanswered_contacts,
    }
    assert [r.signal for r in signals.readings] == list(EscalationSignal)
    case_facts = CaseFacts.of(
        "case-9",
        case,
        summarize(case, claim_as_of(case, None, AS_OF)),
        signals,
        debt_type=DebtType.b2b_services,
    )
    assert (case_facts.debtor_jurisdiction, case_facts.principal, case_facts.currency) == (
        "GB-ENG",
        Decimal("17250.00"),
        "GBP",
    )
    lawyer = partner("lawyer", type="attorney", jurisdictions=["GB"], debt_types=["b2b_services"])
    decision = decide(case_facts, ATTORNEY_FIRST, [partner("agency"), lawyer])
    assert (decision.rule_id, decision.partner_id) == ("big", "lawyer")
