"""Helpers every section shares: which jurisdiction decides, citations, verification, gaps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from handoff.domain.jurisdictions.pack import Citation, Rule, RulePack, Verification
from handoff.domain.models import CaseIntake

if TYPE_CHECKING:
    from handoff.domain.claim.facts import ClaimFacts

WEAKNESS = {Verification.confirmed: 0, Verification.secondary: 1, Verification.unverified: 2}
ONE_LAW = {"GB-WLS": "GB-ENG", "GB-ENG": "GB-ENG"}  # England and Wales: one legal jurisdiction


def debtor_jurisdiction(pack: RulePack, intake: CaseIntake) -> str | None:
    """The debtor's subdivision if the pack has it, else the debtor's country if the pack has it."""
    address = intake.debtor.address
    for code in (address.subdivision, address.country):
        if code is not None and code in pack.jurisdictions:
            return code
    return None


def law_jurisdiction(pack: RulePack, intake: CaseIntake, debtor_code: str | None) -> tuple[str | None, str]:
    """Where interest, compensation and limitation come from: the governing law, else the debtor's."""
    law = intake.terms.governing_law
    if law is None:
        return debtor_code, "debtor"
    if law in pack.jurisdictions:
        return law, "governing_law"
    if "-" not in law and debtor_code is not None and debtor_code.split("-")[0] == law:
        return debtor_code, "governing_law"
    country = law.split("-")[0]
    return (country if country in pack.jurisdictions else None), "governing_law"


def same_legal_jurisdiction(first: str | None, second: str | None) -> bool:
    """True when two ISO codes are one legal jurisdiction (England and Wales share one law)."""
    if first is None or second is None:
        return False
    return ONE_LAW.get(first, first) == ONE_LAW.get(second, second)


def missing(facts: ClaimFacts, code: str | None, kind: str, subject: str) -> str:
    """Why a section has no rule: the jurisdiction is not in the pack, or the pack says why."""
    jurisdiction = facts.pack.get(code)
    if jurisdiction is None:
        address = facts.intake.debtor.address
        debtor = address.subdivision or address.country
        wanted = debtor if subject == "debtor" else (facts.intake.terms.governing_law or debtor)
        return f"jurisdiction {wanted} is not in rule pack {facts.pack.pack_version}"
    return jurisdiction.gaps.get(kind, f"the pack has no {kind} rule for {code}")


def citations(rules: Iterable[Rule]) -> list[Citation]:
    seen: list[Citation] = []
    for rule in rules:
        seen.extend(c for c in rule.citations if c not in seen)
    return seen


def weakest(rules: Sequence[Rule]) -> Verification | None:
    return max((r.verification for r in rules), key=WEAKNESS.__getitem__, default=None)
