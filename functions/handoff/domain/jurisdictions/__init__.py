"""Jurisdiction rule pack and its pure computations. Facts for engineering use, not legal advice.

from handoff.domain.jurisdictions import assess, rule_pack
assessment = assess(intake, as_of=date(2026, 3, 2), letter_date=None, payments=None)
"""

from handoff.domain.jurisdictions.assessment import assess, debtor_jurisdiction, law_jurisdiction
from handoff.domain.jurisdictions.pack import RoundingMode, RulePack, RulePackError, load_pack, rule_pack
from handoff.domain.jurisdictions.sections import LegalAssessment

__all__ = [
    "LegalAssessment",
    "RoundingMode",
    "RulePack",
    "RulePackError",
    "assess",
    "debtor_jurisdiction",
    "law_jurisdiction",
    "load_pack",
    "rule_pack",
]
