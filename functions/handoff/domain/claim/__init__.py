"""The one claim model: `claim_as_of(intake, history, as_of)` → `Claim` (see `model.py`)."""

from handoff.domain.claim.balances import (
    DEFAULT_ORDER,
    AwardApplication,
    Bucket,
    InvoiceBalance,
    PaymentApplication,
    balances_as_of,
)
from handoff.domain.claim.facts import ClaimOptions, ClaimWarning, RateConfirmation, WarningCode
from handoff.domain.claim.history import ClaimHistory, LegalEvent, LegalEventKind, Payment, PaymentSource
from handoff.domain.claim.model import Claim, Standing, claim_as_of

__all__ = [
    "DEFAULT_ORDER",
    "AwardApplication",
    "Bucket",
    "Claim",
    "ClaimHistory",
    "ClaimOptions",
    "ClaimWarning",
    "InvoiceBalance",
    "LegalEvent",
    "LegalEventKind",
    "Payment",
    "PaymentApplication",
    "PaymentSource",
    "RateConfirmation",
    "Standing",
    "WarningCode",
    "balances_as_of",
    "claim_as_of",
]
