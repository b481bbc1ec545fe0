"""`make demo`: the whole story on sample data, over HTTP, in plain words."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from handoff.local.client import ApiError, HandoffClient

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say()
    say(f"== {text} ".ljust(78, "="))


def show_case(case: dict[str, Any]) -> None:
    summary = case["summary"]
    contacts = summary["contacts"]
    say(f"  {case['creditor_reference']:<16} case {case['case_id']}  status: {case['status']}")
    say(
        f"    outstanding {summary['currency']} {summary['principal_outstanding']} on "
        f"{summary['invoices_outstanding']} invoice(s); oldest due {summary['oldest_due_on']}, "
        f"{summary['days_past_due']} days past due (bucket {summary['aging_bucket']})"
    )
    say(
        f"    contact attempts: {contacts['attempts']} ({contacts['unanswered']} unanswered); "
        f"by outcome {contacts['by_outcome']}; last contact {contacts['last_contact_at']}"
    )


def run_demo(out: str = "out") -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # keep the story readable
    from handoff.local.server import start_stack

    Path(out).mkdir(parents=True, exist_ok=True)
    operator_key = f"hk_demo_operator_{secrets.token_urlsafe(16)}"
    os.environ["HANDOFF_OPERATOR_KEY"] = operator_key
    stack = start_stack().start()
    try:
        return _story(HandoffClient(stack.url, operator_key), Path(out))
    finally:
        stack.stop()


def _story(operator: HandoffClient, out: Path) -> int:
    heading("1. The platform operator onboards two businesses and gives each an API key")
    businesses: dict[str, HandoffClient] = {}
    for name in ("acme", "globex"):
        profile = json.loads((EXAMPLES / "tenants" / f"{name}.json").read_text())
        tenant = operator.create_tenant(profile)
        businesses[name] = operator.as_key(operator.issue_key("business", tenant_id=tenant["tenant_id"]))
        say(f"  {profile['legal_name']:<22} tenant {tenant['tenant_id']}  (key issued, stored as a hash)")

    heading("2. Each business escalates its unpaid debts (POST /v1/cases)")
    created: dict[str, list[dict[str, Any]]] = {name: [] for name in businesses}
    for path in sorted((EXAMPLES / "cases").glob("*.json")):
        owner = path.name.split("-")[0]
        case = businesses[owner].submit_case(
            json.loads(path.read_text()), idempotency_key=f"demo-{path.stem}"
        )
        created[owner].append(case)
        show_case(case)

    heading("3. A retry with the same Idempotency-Key returns the original case, not a second one")
    first_path = sorted((EXAMPLES / "cases").glob("acme-*.json"))[0]
    replay = businesses["acme"].submit_case(
        json.loads(first_path.read_text()), idempotency_key=f"demo-{first_path.stem}"
    )
    same = replay["case_id"] == created["acme"][0]["case_id"]
    say(f"  replayed: case {replay['case_id']} (the same case as before: {same})")
    listing = businesses["acme"].request("GET", "/v1/cases")
    say(f"  Acme now has {len(listing['items'])} cases, not {len(listing['items']) + 1}")

    heading("4. Bad input is refused with a problem document naming the field; nothing is written")
    bad = json.loads(first_path.read_text())
    bad["invoices"][0]["amount"] = "12.345"
    try:
        businesses["acme"].submit_case(bad)
    except ApiError as error:
        say(f"  {error.status} {error.problem['title']}: {error.problem['detail']}")

    heading("5. The timeline of a case (GET /v1/cases/{id}/events)")
    case_id = created["acme"][0]["case_id"]
    businesses["acme"].request(
        "POST",
        f"/v1/cases/{case_id}/contacts",
        json={"at": "2026-08-01T10:00:00Z", "channel": "email", "outcome": "no_answer", "note": "Chaser"},
    )
    for event in businesses["acme"].request("GET", f"/v1/cases/{case_id}/events")["items"]:
        say(f"  #{event['seq']} {event['at']}  {event['type']:<16} by {event['actor']}")

    heading("6. One business cannot see another's case")
    try:
        businesses["globex"].request("GET", f"/v1/cases/{case_id}")
    except ApiError as error:
        say(f"  Globex asking for Acme's case {case_id}: {error.status} {error.problem['title']}")
    else:
        say("  ERROR: Globex could read Acme's case")
        return 1

    heading("Done")
    say(f"  {sum(len(v) for v in created.values())} cases escalated by {len(businesses)} businesses.")
    say(f"  Output folder: {out.resolve()}")
    return 0
