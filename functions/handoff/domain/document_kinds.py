"""Which documents Handoff generates (their context models: `domain.documents`)."""

from __future__ import annotations

from enum import StrEnum


class DocumentKind(StrEnum):
    """The documents Handoff generates; each value is also the template's name in templates.yaml."""

    DEMAND_LETTER = "demand_letter"
    STATEMENT_OF_ACCOUNT = "statement_of_account"
    AGENCY_PLACEMENT = "agency_placement"
    ATTORNEY_REFERRAL = "attorney_referral"
