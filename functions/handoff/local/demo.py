"""`make demo`: the whole story on sample data, over HTTP, in plain words.

Two businesses escalate six debts; evidence is uploaded and checked; each case gets
a demand letter and a statement of account (written to out/) — the German one only once its
business confirms the base rate nobody has recorded for 1 July 2026; the debtors' response
windows run out (a workflow day lasts a fraction of a second here); cases are routed
to agencies and attorneys, one is declined and rerouted, one is disputed, one waits
for an operator; finally a packet is downloaded and verified.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from handoff.local import demo_rates
from handoff.local.client import ApiError, HandoffClient
from handoff.local.receiver import Receiver, signed_post
from handoff.local.sample_files import sample_pdf

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SECONDS_PER_DAY = "0.15"


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say()
    say(f"== {text} ".ljust(78, "="))


def example(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / path).read_text())
    return loaded


def wait_for(check: Callable[[], Any], what: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise RuntimeError(f"gave up waiting for {what}")


def is_waiting(events: list[dict[str, Any]], what: str) -> bool:
    """The workflow's latest step is a wait for `what` (other events, e.g. evidence checks, may follow)."""
    for event in reversed(events):
        if event["type"] == "workflow.waiting":
            return bool(event["data"]["for"] == what)
        if event["type"] in (
            "case.status_changed",
            "routing.decided",
            "assignment.declining",
            "assignment.declined",
        ):
            return False
    return False


def run_demo(out: str = "out") -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # keep the story readable
    os.environ["HANDOFF_SECONDS_PER_DAY"] = SECONDS_PER_DAY
    os.environ["ACCEPTANCE_DAYS"] = "2000"  # the demo's partners always answer: never let the window lapse
    from handoff.local.server import start_stack

    target = Path(out)
    (target / "documents").mkdir(parents=True, exist_ok=True)
    operator_key = f"hk_demo_operator_{secrets.token_urlsafe(16)}"
    os.environ["HANDOFF_OPERATOR_KEY"] = operator_key
    stack = start_stack().start()
    try:
        return Story(HandoffClient(stack.url, operator_key), target).run()
    finally:
        stack.stop()


class Story:
    def __init__(self, operator: HandoffClient, out: Path):
        self.operator = operator
        self.out = out
        self.businesses: dict[str, HandoffClient] = {}
        self.partners: dict[str, HandoffClient] = {}
        self.partner_ids: dict[str, str] = {}
        self.cases: dict[str, tuple[str, str]] = {}  # example name → (business, case id)

    def run(self) -> int:
        self.onboard()
        self.submit()
        self.evidence()
        self.unrecorded_rate()
        self.dispute()  # the German debtor disputes at once: its window opened last
        self.legal()
        self.routing()
        self.review_queue()
        self.packet()
        self.outcomes()
        return self.isolation()

    # --- helpers -------------------------------------------------------------------------------
    def case(self, name: str) -> dict[str, Any]:
        owner, case_id = self.cases[name]
        case: dict[str, Any] = self.businesses[owner].request("GET", f"/v1/cases/{case_id}")
        return case

    def events(self, name: str) -> list[dict[str, Any]]:
        owner, case_id = self.cases[name]
        items: list[dict[str, Any]] = self.businesses[owner].request(
            "GET", f"/v1/cases/{case_id}/events?limit=100"
        )["items"]
        return items

    def reach(self, name: str, *statuses: str) -> dict[str, Any]:
        return wait_for(lambda: (c := self.case(name))["status"] in statuses and c, f"{name} → {statuses}")

    def waiting(self, name: str, what: str) -> None:
        def check() -> bool:
            return is_waiting(self.events(name), what)

        try:
            wait_for(check, f"{name} waiting for {what}")
        except RuntimeError:
            trail = [(e["type"], e["data"].get("to") or e["data"].get("for")) for e in self.events(name)]
            raise RuntimeError(f"{name} never waited for {what}: {trail}") from None

    # --- chapters ------------------------------------------------------------------------------
    def onboard(self) -> None:
        heading("1. The operator onboards two businesses and five partners")
        for name in ("acme", "globex"):
            profile = example(f"tenants/{name}.json")
            tenant = self.operator.create_tenant(profile)
            self.businesses[name] = self.operator.as_key(
                self.operator.issue_key("business", tenant_id=tenant["tenant_id"])
            )
            say(f"  business  {profile['legal_name']:<34} key issued (stored only as a SHA-256)")
        self.receiver = Receiver().start()
        endpoint = self.businesses["acme"].request(
            "POST",
            "/v1/webhook-endpoints",
            json={
                "url": self.receiver.url,
                "event_types": ["*"],
                "description": "Acme's finance system (demo)",
            },
        )
        self.receiver.secret = endpoint["secret"]
        say(
            f"  Acme registers a webhook endpoint at {self.receiver.url}: every case event is sent to it, signed"
        )
        for path in sorted((EXAMPLES / "partners").glob("*.json")):
            if path.stem == "cymru-recoveries":
                continue  # registered later, when a case needs it
            self.register_partner(path.stem)
        for line in demo_rates.record_operator_fixings(self.operator):
            say(line)

    def register_partner(self, stem: str) -> None:
        partner = self.operator.request("POST", "/v1/partners", json=example(f"partners/{stem}.json"))
        self.partner_ids[stem] = partner["partner_id"]
        self.partners[stem] = self.operator.as_key(
            self.operator.issue_key(partner["type"], partner_id=partner["partner_id"])
        )
        say(f"  {partner['type']:<9} {partner['name']:<34} serves {', '.join(partner['jurisdictions'])}")

    def submit(self) -> None:
        heading("2. The businesses escalate their unpaid debts (POST /v1/cases)")
        for path in sorted((EXAMPLES / "cases").glob("*.json")):
            owner = path.stem.split("-")[0]
            case = self.businesses[owner].submit_case(
                json.loads(path.read_text()), idempotency_key=f"demo-{path.stem}"
            )
            self.cases[path.stem] = (owner, case["case_id"])
            s = case["summary"]
            say(
                f"  {case['creditor_reference']:<15} {case['case']['debtor']['entity_type']:<11} "
                f"{s['currency']} {s['principal_outstanding']:>9}  {s['days_past_due']:>3} days past due "
                f"({s['aging_bucket']}), {s['contacts']['attempts']} contact attempts"
            )
        replay = self.businesses["acme"].submit_case(
            example("cases/acme-northwind-gb.json"), idempotency_key="demo-acme-northwind-gb"
        )
        say(
            f"  A retry with the same Idempotency-Key returns the same case: {replay['case_id'] == self.cases['acme-northwind-gb'][1]}"
        )
        bad = example("cases/acme-northwind-gb.json")
        bad["invoices"][0]["amount"] = "12.345"
        try:
            self.businesses["acme"].submit_case(bad)
        except ApiError as error:
            say(f"  Bad input is refused, nothing written: {error.status} {error.problem['detail']}")
        for name in self.cases:
            self.reach(name, "on_hold")
        hold = next(e for e in self.events("acme-northwind-gb") if e["data"].get("to") == "on_hold")
        say(f"  Every case is on hold until its evidence arrives: {hold['data']['reasons'][0]['detail']}")

    def evidence(self) -> None:
        heading("3. Evidence is uploaded straight to S3 and checked by its bytes")
        folder = self.out / "evidence"
        folder.mkdir(exist_ok=True)
        for name, (owner, case_id) in self.cases.items():
            payload = example(f"cases/{name}.json")
            files = [
                ("invoice", f"{i['number']}.pdf", sample_pdf(f"Invoice {i['number']}"), i["number"])
                for i in payload["invoices"]
            ]
            files += [
                ("terms", "signed-terms.pdf", sample_pdf("Signed terms of business"), None),
                ("proof_of_delivery", "delivery-note.pdf", sample_pdf("Proof of delivery"), None),
                (
                    "correspondence",
                    "reminder.eml",
                    (EXAMPLES / "evidence" / "correspondence-reminder.eml").read_bytes(),
                    None,
                ),
            ]
            for kind, filename, content, invoice in files:
                (folder / f"{case_id}-{filename}").write_bytes(content)
                self.upload(owner, case_id, kind, filename, content, invoice)
        owner, case_id = self.cases["acme-northwind-gb"]
        self.upload(
            owner, case_id, "other", "totally-an-invoice.pdf", b"\x7fELF\x02\x01\x01" + bytes(64), None
        )

        def checked() -> list[dict[str, Any]] | None:
            items: list[dict[str, Any]] = self.businesses[owner].request(
                "GET", f"/v1/cases/{case_id}/evidence"
            )["items"]
            return items if all(i["status"] != "pending_upload" for i in items) else None

        items = wait_for(checked, "evidence checks")
        for item in items:
            say(
                f"  {item['filename']:<24} {item['status']:<9} {item.get('reason') or item.get('detected_type')}"
            )
        say("  With its evidence complete, each case goes back into the workflow by itself.")

    def upload(
        self, owner: str, case_id: str, kind: str, filename: str, content: bytes, invoice: str | None
    ) -> None:
        import hashlib

        declaration = {
            "kind": kind,
            "filename": filename,
            "size": len(content),
            "content_type": "message/rfc822" if filename.endswith(".eml") else "application/pdf",
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        if invoice:
            declaration["invoice_number"] = invoice
        declared = self.businesses[owner].request("POST", f"/v1/cases/{case_id}/evidence", json=declaration)
        ticket = declared["upload"]
        requests.post(
            ticket["url"], data=ticket["fields"], files={"file": (filename, content)}, timeout=30
        ).raise_for_status()

    def unrecorded_rate(self) -> None:
        heading("4. A reference rate nobody has recorded yet: the German base rate from 1 July 2026")
        name = "globex-muller-de"
        owner, case_id = self.cases[name]

        def held_or_demanded() -> Any:
            events = self.events(name)
            issued = any(e["data"].get("to") == "demand_issued" for e in events)
            return demo_rates.held_for_rates(events) or ("demanded" if issued else None)

        if wait_for(held_or_demanded, f"{name} held for a reference rate") == "demanded":
            say("  every rate its letters need is recorded now: nothing to confirm")
            return
        for line in demo_rates.confirm_for_case(self.businesses[owner], case_id):
            say(line)
        self.reach(name, "demand_issued", "on_hold")

    def legal(self) -> None:
        heading("6. Demand letters go out; what the rule pack says, rule by rule")
        for name, (owner, case_id) in self.cases.items():
            self.reach(
                name,
                "demand_issued",
                "routing",
                "assigned",
                "manual_review",
                "accepted",
                "in_recovery",
                "on_hold",  # disputed after its demand went out
            )
            legal = self.case(name)["legal"]
            currency = self.case(name)["summary"]["currency"]
            say(f"  {name}  ({legal['jurisdiction']}, law of {legal['law_jurisdiction']})")
            say(
                f"    interest      {currency} {legal['interest']['amount']:>8}  rule {legal['interest']['rule_id'] or '-'} ({legal['interest']['basis']})"
            )
            say(
                f"    compensation  {currency} {legal['compensation']['amount']:>8}  rule {legal['compensation']['rule_id'] or '-'}"
            )
            say(
                f"    limitation    {legal['limitation']['status']} until {legal['limitation']['ends_on']}  rule {legal['limitation']['rule_id']}"
            )
            demand = next(e for e in self.events(name) if e["data"].get("to") == "demand_issued")
            rule = legal["response_rule_id"] or "none: the product's default period, not law"
            say(f"    reply due     {demand['data']['deadline']}  rule {rule}")
            self.download_documents(owner, case_id, name)
        say(
            f"  Letters and statements are in {self.out.resolve() / 'documents'}. None of this is legal advice."
        )

    def download_documents(self, owner: str, case_id: str, name: str) -> None:
        client = self.businesses[owner]
        for document in client.request("GET", f"/v1/cases/{case_id}/documents")["items"]:
            if document["kind"] not in ("demand_letter", "statement_of_account"):
                continue
            link = client.request("GET", f"/v1/cases/{case_id}/documents/{document['document_id']}")
            content = requests.get(link["url"], timeout=30).content
            (self.out / "documents" / f"{name}-{document['kind']}.docx").write_bytes(content)

    def dispute(self) -> None:
        heading("5. A debtor disputes during its response window: the case is held")
        name = "globex-muller-de"
        owner, case_id = self.cases[name]
        self.waiting(name, "debtor_response")
        self.businesses[owner].request(
            "POST", f"/v1/cases/{case_id}/dispute", json={"reason": "Debtor says the licence was cancelled"}
        )
        case = self.reach(name, "on_hold")
        say(f"  {name}: {case['status']} (disputed); it is not routed until the hold is released")

    def routing(self) -> None:
        heading("7. Response windows run out: cases are routed by amount and jurisdiction")
        answers = {
            "globex-hooli-ca": ["golden-gate-collections"],
            "acme-northwind-gb": ["northern-chambers"],
            "globex-initech-ca": ["lone-star-legal", "frontier-law-group"],
        }
        for name, partners in answers.items():
            _, case_id = self.cases[name]
            for i, partner in enumerate(partners):
                self.waiting(name, "partner_acceptance")
                if i < len(partners) - 1:
                    self.partners[partner].request(
                        "POST", f"/v1/assignments/{case_id}/decline", json={"reason": "conflict of interest"}
                    )
                else:
                    self.partners[partner].request("POST", f"/v1/assignments/{case_id}/accept")
            self.reach(name, "in_recovery")
            for event in self.events(name):
                if event["type"] == "routing.decided":
                    self.explain(event["data"])
                if event["type"] == "assignment.declined":
                    say(
                        f"    {self.partner_name(event['data']['partner_id'])} declined ({event['data']['reason']}): rerouted"
                    )
            say(f"    → {name} is in recovery")

    def partner_name(self, partner_id: str) -> str:
        return next((stem for stem, pid in self.partner_ids.items() if pid == partner_id), partner_id)

    def explain(self, decision: dict[str, Any]) -> None:
        name = next((n for n, (_, c) in self.cases.items() if c == decision["case_id"]), decision["case_id"])
        say(
            f"  {name}: rule {decision['rule_id']} → {decision['partner_type']} "
            f"{self.partner_name(decision['partner_id']) if decision['partner_id'] else 'none'}"
        )
        say(f"    why: {decision['reason']}; signals: {', '.join(decision['signals']) or 'none'}")
        for partner_id, reasons in list(decision["rejected"].items())[:4]:
            say(f"    not {self.partner_name(partner_id)}: {'; '.join(reasons)}")

    def review_queue(self) -> None:
        heading("8. No partner matches the Welsh case: it waits in the operator's review queue")
        name = "acme-sole-trader-wales"
        _, case_id = self.cases[name]
        self.reach(name, "manual_review")
        decision = next(e for e in self.events(name) if e["type"] == "routing.decided")
        self.explain(decision["data"])
        queue = self.operator.request("GET", "/v1/review-queue")["items"]
        say(f"  review queue: {[item['creditor_reference'] for item in queue]}")
        self.register_partner("cymru-recoveries")
        self.operator.request(
            "POST",
            f"/v1/review-queue/{case_id}/assign",
            json={"partner_id": self.partner_ids["cymru-recoveries"]},
        )
        self.waiting(name, "partner_acceptance")
        self.partners["cymru-recoveries"].request("POST", f"/v1/assignments/{case_id}/accept")
        say(
            f"  the operator assigned it to Cymru Recoveries, who accepted: {self.reach(name, 'in_recovery')['status']}"
        )

    def packet(self) -> None:
        heading("9. The evidence packet: downloaded, unzipped, verified")
        owner, case_id = self.cases["acme-northwind-gb"]
        client = self.businesses[owner]
        link = client.request("GET", f"/v1/cases/{case_id}/packet")
        path = self.out / f"packet-{case_id}.zip"
        path.write_bytes(requests.get(link["url"], timeout=60).content)
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            import hashlib

            intact = all(
                hashlib.sha256(archive.read(f["path"])).hexdigest() == f["sha256"] for f in manifest["files"]
            )
        for entry in manifest["files"]:
            say(f"  {entry['path']:<70} {entry['size']:>7} bytes")
        report = client.request("GET", f"/v1/cases/{case_id}/verify")
        say(
            f"  manifest hashes match the files: {intact}; timeline chain and packet hashes intact: {report['intact']}"
        )
        say(f"  saved to {path}")

    def outcomes(self) -> None:
        heading("10. The attorney reports outcomes through signed webhooks; the ledger balances")
        owner, case_id = self.cases["acme-northwind-gb"]
        attorney = self.partners["northern-chambers"]
        partner_id = self.partner_ids["northern-chambers"]
        case_file = attorney.request("GET", f"/v1/assignments/{case_id}")
        attorney.request("GET", f"/v1/assignments/{case_id}/packet")
        say(
            f"  Northern Chambers pulls its file ({len(case_file['evidence'])} evidence files, "
            f"{len(case_file['documents'])} documents) and the packet (the download is on the timeline)"
        )
        secret = self.operator.request("POST", f"/v1/partners/{partner_id}/webhook-secrets")["secret"]
        currency = case_file["case"]["summary"]["currency"]
        url = self.operator.base_url + f"/v1/webhooks/partners/{partner_id}"
        paid = {
            "amount": "6000.00",
            "currency": currency,
            "collected_on": "2026-11-20",
            "reference": "CHQ 1001",
        }
        rest = {
            "amount": "11250.00",
            "currency": currency,
            "collected_on": "2026-11-22",
            "reference": "BACS 7781",
        }
        outcomes = [
            ("msg_demo_1", "payment.collected", paid),
            ("msg_demo_1", "payment.collected", paid),
            (
                "msg_demo_2",
                "status.updated",
                {"code": "instalments", "note": "Debtor paying the rest monthly"},
            ),
            ("msg_demo_3", "payment.collected", rest),
            ("msg_demo_4", "case.closed", {"close_code": "paid_in_full", "note": "Paid in full"}),
        ]
        for message_id, kind, data in outcomes:
            body = {"type": kind, "timestamp": "2026-11-23T10:00:00Z", "data": {"case_id": case_id, **data}}
            answer = signed_post(url, secret, message_id, body)
            duplicate = "(a repeat: recorded once)" if answer.json().get("duplicate") else ""
            say(f"  {message_id} {kind:<18} → {answer.status_code} {duplicate}")
        forged_body = {
            "type": "payment.collected",
            "timestamp": "2026-11-23T10:00:00Z",
            "data": {"case_id": case_id, **paid},
        }
        forged = signed_post(url, "whsec_" + "QUJD" * 8, "msg_forged", forged_body)
        say(f"  the same payment signed with a wrong secret → {forged.status_code}, nothing recorded")
        ledger = self.businesses[owner].request("GET", f"/v1/cases/{case_id}/ledger")["totals"]
        for field in (
            "principal",
            "collected",
            "allocated_principal",
            "overpayment",
            "balance",
            "contingency_fees",
            "net_to_creditor",
        ):
            if field in ledger:
                say(f"    {field:<22} {currency} {ledger[field]:>10}")
        say(f"  status now: {self.case('acme-northwind-gb')['status']}")
        wait_for(lambda: len(self.receiver.received) >= 10, "webhook deliveries", timeout=60)
        kinds = sorted({e["type"] for e in self.receiver.received})
        say(
            f"  Acme's endpoint received {len(self.receiver.received)} signed events, each signature verified "
            f"({self.receiver.rejected} refused): {', '.join(kinds)}"
        )

    def isolation(self) -> int:
        heading("11. One business cannot see another's case")
        _, case_id = self.cases["acme-northwind-gb"]
        try:
            self.businesses["globex"].request("GET", f"/v1/cases/{case_id}")
        except ApiError as error:
            say(f"  Globex asking for Acme's case: {error.status} {error.problem['title']}")
        else:
            say("  ERROR: Globex could read Acme's case")
            return 1
        heading("Done")
        say(
            f"  {len(self.cases)} cases, {len(self.partner_ids)} partners. Documents and the packet are in {self.out.resolve()}"
        )
        return 0
