"""Fixed late-payment compensation by tier, with per-jurisdiction boundary semantics."""

from __future__ import annotations

from decimal import Decimal

from handoff.domain.jurisdictions.pack import Comparison, FixedCompensationRule, Tier


def _within(amount: Decimal, tier: Tier) -> bool:
    if tier.upper is None:
        return True
    return amount < tier.upper if tier.op is Comparison.lt else amount <= tier.upper


def compensation_for(amount: Decimal, rule: FixedCompensationRule) -> Decimal:
    """The fixed sum due for one late invoice of `amount` (in the rule's currency)."""
    if amount <= 0:
        return Decimal(0)
    return next(tier.amount for tier in rule.tiers if _within(amount, tier))
