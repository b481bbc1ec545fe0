"""The cases assigned to a partner: what an agency or attorney may see and report on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from handoff.domain.errors import NotFoundError

if TYPE_CHECKING:
    from handoff.domain.case import Case


class Cases(Protocol):
    def get(self, tenant_id: str, case_id: str) -> Case: ...

    def save(self, case: Case) -> None: ...

    def on_index(self, partition: str, limit: int = 100) -> list[tuple[str, str]]: ...


def assigned_case(cases: Cases, partner_id: str, case_id: str) -> Case:
    """The case, if it is assigned to this partner; any other is indistinguishable from a missing one."""
    for tenant_id, assigned in cases.on_index(f"PARTNER#{partner_id}", 10_000):
        if assigned == case_id:
            case = cases.get(tenant_id, case_id)
            if case.workflow.partner_id == partner_id:
                return case
    raise NotFoundError(f"case {case_id} not found")
