"""200 concurrent intake requests and 200 outcome webhooks over real HTTP through the local runtime.

The local runtime's HTTP server is threaded, so the requests really arrive at once; its
gateway then runs API handlers one at a time (powertools keeps the current event on a class
attribute shared by every resolver in a process), while the workflow's own Lambda steps run
alongside. Races inside one handler's services are tested with threads elsewhere
(test_partner_webhooks, test_intake_api). Here the question is the whole path: nothing is
lost, and retried requests — the same Idempotency-Key, the same webhook-id — are recorded
once.
"""

from __future__ import annotations

import copy
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
import requests
from werkzeug.serving import make_server

from handoff.local.aws import LocalAws
from tests.conftest import load_example
from tests.integration.conftest import Api
from tests.integration.workflow_kit import case_in_recovery, collected, issue_secret, signed

pytestmark = pytest.mark.xdist_group("webhooks")

INTAKES = 200
INTAKE_RETRIES = 20  # of the 200 intake requests' keys, sent a second time
WEBHOOKS = 200
WEBHOOK_RETRIES = 20  # of the 200 webhooks, redeliveries of one already sent
STATES = ("US-OH", "US-NC", "US-VA", "US-NJ")  # partners serving only these: routing stays ours


@pytest.fixture
def http_url(local_aws: LocalAws) -> Iterator[str]:
    """The local runtime's threaded HTTP server, on the test session's AWS."""
    from handoff.local.server import application

    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def intake_payload(n: int) -> dict[str, Any]:
    payload = copy.deepcopy(load_example("cases/globex-initech-ca.json"))
    payload["creditor_reference"] = f"LOAD-{n:04d}"
    return payload


def test_concurrent_intake_and_outcome_webhooks_lose_nothing_and_duplicate_nothing(
    operator: Api, business: Api, workflow_on: Callable[..., None], http_url: str
) -> None:
    workflow_on(0.2)
    in_recovery = [case_in_recovery(operator, business, state, amount="10000.00") for state in STATES]
    secrets = {partner: issue_secret(operator, partner)["secret"] for _, partner in in_recovery}
    rng = random.Random(8)

    intake_keys = [f"load-{uuid.uuid4()}" for _ in range(INTAKES)]
    intakes = [("intake", n, intake_keys[n]) for n in range(INTAKES)]
    intakes += [("intake", n, intake_keys[n]) for n in rng.sample(range(INTAKES), INTAKE_RETRIES)]
    unique = WEBHOOKS - WEBHOOK_RETRIES
    payments = []  # (case_id, partner_id, webhook_id, amount)
    for n in range(unique):
        case_id, partner = in_recovery[n % len(in_recovery)]
        payments.append((case_id, partner, f"msg_load_{n}", Decimal("10.00") + Decimal(n) / 100))
    webhooks = [("webhook", p) for p in payments] + [
        ("webhook", p) for p in rng.sample(payments, WEBHOOK_RETRIES)
    ]
    work: list[tuple[Any, ...]] = intakes + webhooks
    rng.shuffle(work)
    local = threading.local()

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        s: requests.Session = local.session
        return s

    def send(item: tuple[Any, ...]) -> tuple[str, Any, int, dict[str, Any]]:
        if item[0] == "intake":
            _, n, key = item
            response = session().post(
                f"{http_url}/v1/cases",
                json=intake_payload(n),
                headers={"Authorization": f"Bearer {business.key}", "Idempotency-Key": key},
                timeout=120,
            )
            return "intake", key, response.status_code, response.json()
        case_id, partner, webhook_id, amount = item[1]
        payload, headers = signed(secrets[partner], collected(case_id, str(amount)), webhook_id)
        response = session().post(
            f"{http_url}/v1/webhooks/partners/{partner}", data=payload, headers=headers, timeout=120
        )
        return "webhook", webhook_id, response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(send, work))

    assert [r[2] for r in results if r[0] == "intake"].count(201) == INTAKES + INTAKE_RETRIES, [
        r for r in results if r[2] != 201 and r[0] == "intake"
    ][:3]
    assert [r[2] for r in results if r[0] == "webhook"] == [200] * WEBHOOKS
    case_by_key: dict[str, set[str]] = {}
    for kind, key, _, body in results:
        if kind == "intake":
            case_by_key.setdefault(key, set()).add(body["case_id"])
    assert all(len(ids) == 1 for ids in case_by_key.values())  # a retried key returns its one case
    assert len({next(iter(ids)) for ids in case_by_key.values()}) == INTAKES

    listed = listed_references(business)
    assert sorted(r for r in listed if r.startswith("LOAD-")) == [f"LOAD-{n:04d}" for n in range(INTAKES)]
    for case_id, _ in in_recovery:
        mine = [amount for c, _, _, amount in payments if c == case_id]
        ledger = business.call("GET", f"/v1/cases/{case_id}/ledger").json
        assert Decimal(ledger["totals"]["collected"]) == sum(mine)
        assert Decimal(ledger["totals"]["balance"]) == Decimal("10000.00") - sum(mine)
        assert len([e for e in ledger["entries"] if e["kind"] == "collected"]) == len(mine)
        assert business.call("GET", f"/v1/cases/{case_id}/verify").json["intact"] is True


def listed_references(business: Api) -> list[str]:
    references: list[str] = []
    cursor: str | None = None
    while True:
        query = "?limit=100" + (f"&cursor={quote(cursor)}" if cursor else "")
        page = business.call("GET", f"/v1/cases{query}").json
        references += [item["creditor_reference"] for item in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return references
