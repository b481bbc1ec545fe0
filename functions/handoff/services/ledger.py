"""The ledger of a case, for its creditor and for the partner it is assigned to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from handoff.domain.case import Case
from handoff.domain.ledger import Ledger, ledger_of
from handoff.domain.partners import FeeTerms
from handoff.services.ports import CaseRepository


def case_ledger(
    cases: CaseRepository, case: Case, fee_terms: Callable[[str], FeeTerms | None], as_of: date
) -> Ledger:
    """Recompute the ledger from the timeline, with the fee terms of the partner the case went to."""
    partner_id = case.workflow.partner_id
    terms = fee_terms(partner_id) if partner_id else None
    return ledger_of(case, cases.all_events(case.tenant_id, case.case_id), terms, as_of)
