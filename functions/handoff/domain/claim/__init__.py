"""The one claim model: `claim_as_of(intake, history, as_of)` → `Claim` (see `model.py`)."""

from handoff.domain.claim.balances import InvoiceBalance, balances_as_of
from handoff.domain.claim.facts import ClaimOptions, ClaimWarning, RateConfirmation, WarningCode
from handoff.domain.claim.history import ClaimHistory, LegalEvent, LegalEventKind, Payment, PaymentSource
from handoff.domain.claim.model import Claim, Standing, claim_as_of

__all__ = [
    "Claim",
    "ClaimHistory",
    "ClaimOptions",
    "ClaimWarning",
    "InvoiceBalance",
    "LegalEvent",
    "LegalEventKind",
    "Payment",
    "PaymentSource",
    "RateConfirmation",
    "Standing",
    "WarningCode",
    "balances_as_of",
    "claim_as_of",
]
