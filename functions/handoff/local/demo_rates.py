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


def record_operator_fixings(operator: HandoffClient) -> list[str]:
    """Chapter 1: the operator records what the demo's letters need, and says how far each series goes."""
    fixing = BOE_BANK_RATE_30_JUNE_2026
    recorded = record_fixing(operator, fixing)
    lines = [
        f"  The operator records {fixing['series']} on {fixing['effective_from']}: {recorded['value']}% "
        f"({recorded['verification']}; source {fixing['body']['source'].split('/')[2]}), "
        f"so UK interest starting in H2 2026 is not assumed",
    ]
    series = operator.request("GET", "/v1/reference-rates")["items"]
    contiguous = [f"{s['series']} {s['recorded_through']}" for s in series if s["coverage"] == "contiguous"]
    sparse = [s["series"] for s in series if s["coverage"] == "per_period"]
    lines.append(f"  reference rates recorded through: {', '.join(contiguous)}")
    lines.append(f"  sparse quarterly tables (only the quarters a source gave): {', '.join(sparse)}")
    return lines


def held_for_rates(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The hold that names an unrecorded rate, once the workflow has put the case on hold for it."""
    for event in reversed(events):
        reasons = event["data"].get("reasons") or []
        if event["type"] == "case.status_changed" and event["data"].get("to") == "on_hold":
            held: dict[str, Any] | None = next((r for r in reasons if r.get("code") == "stale_rate"), None)
            return held
    return None


def confirm_for_case(business: HandoffClient, case_id: str) -> list[str]:
    """The business sees the hold and the 409 of a letter, then confirms the assumed rate for its case."""
    from handoff.local.client import ApiError

    assessment = business.request("GET", f"/v1/cases/{case_id}/assessment")
    stale = next(w for w in assessment["warnings"] if w["code"] == "stale_rate" and not w["confirmed"])
    lines = [f"  the workflow held the case instead of failing: {stale['detail']}"]
    try:
        business.request("POST", f"/v1/cases/{case_id}/documents", json={"kind": "statement_of_account"})
    except ApiError as error:
        lines.append(f"  a statement asked for now is refused: {error.status} {error.problem['title']}")
    confirmed = business.request(
        "POST",
        f"/v1/cases/{case_id}/rate-confirmations",
        json={
            "series": stale["series"],
            "note": "Finance accepts the assumed rate until the fixing is recorded",
        },
    )
    for item in confirmed["confirmed"]:
        lines.append(
            f"  Globex confirms {item['series']} at {item['assumed_percent']}% for {item['period_from']}.."
            f"{item['period_to']} (on the timeline): the hold lifts and the demand goes out"
        )
    return lines
