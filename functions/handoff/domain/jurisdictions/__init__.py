"""Jurisdiction rule pack and the pure law it encodes. Facts for engineering use, not legal advice.

The claim that applies it to a case is `handoff.domain.claim.claim_as_of`.
"""

from handoff.domain.jurisdictions.pack import RoundingMode, RulePack, RulePackError, load_pack, rule_pack

__all__ = ["RoundingMode", "RulePack", "RulePackError", "load_pack", "rule_pack"]
