"""Reference rates in the demo: the fixing the operator records before the story, as an operator would.

The seed stops at the fixings FACTS.md checked (February 2026). Statutory interest on a UK debt
that falls due in the second half of 2026 runs at Bank Rate on 30 June 2026 + 8pp (Late Payment
of Commercial Debts (Interest) Act 1998), so the operator records that fixing, with its source.
The integration tests record the same fixing the same way.
"""

from __future__ import annotations

from typing import Any

from handoff.local.client import HandoffClient

BOE_BANK_RATE_30_JUNE_2026: dict[str, Any] = {
    "series": "BOE_BANK_RATE",
    "effective_from": "2026-06-30",
    "body": {
        "value": "3.75",
        "source": "https://www.livesquawk.com/report/special_boe-holds-bank-rate-at-3-75as-policymakers-retain-tightening-bias",
        "verification": "secondary",
        "note": "The MPC held Bank Rate at 3.75% on 18 June 2026 (7-2), its last decision before 30 June "
        "(reported by LiveSquawk; check against the Bank of England's database, series IUDBEDR).",
    },
}


def fixing_path(fixing: dict[str, Any]) -> str:
    return f"/v1/reference-rates/{fixing['series']}/{fixing['effective_from']}"


def record_fixing(operator: HandoffClient, fixing: dict[str, Any]) -> dict[str, Any]:
    """PUT the fixing (201 the first time, 200 when it is already recorded)."""
    recorded: dict[str, Any] = operator.request("PUT", fixing_path(fixing), json=fixing["body"])
    return recorded
