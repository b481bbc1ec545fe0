"""Hostile requests over real HTTP against `python -m handoff.local serve` (issue 12 §1 and §2).

Each request gets the status named, an RFC 9457 problem document, nothing written (the lists
read afterwards are unchanged), and the server keeps answering.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from handoff.local.client import HandoffClient
from tests.e2e.runtime import local_runtime

pytestmark = pytest.mark.xdist_group("e2e")

PROBLEM = "application/problem+json"


@dataclass
class Runtime:
    url: str
    operator: HandoffClient
    business: HandoffClient
    case_id: str

    def post(self, path: str, body: str | bytes, key: str | None = None, **headers: str) -> requests.Response:
        sent = {"Content-Type": "application/json", **headers}
        if key:
            sent["Authorization"] = f"Bearer {key}"
        return requests.post(f"{self.url}{path}", data=body, headers=sent, timeout=30)

    def cases(self) -> list[str]:
        return [c["case_id"] for c in self.business.request("GET", "/v1/cases")["items"]]

    def endpoints(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.business.request("GET", "/v1/webhook-endpoints")["items"]
        return items

    def partners(self) -> int:
        return len(self.operator.request("GET", "/v1/partners")["items"])

    def still_answers(self) -> bool:
        return requests.get(f"{self.url}/v1/health", timeout=10).status_code == 200


@pytest.fixture(scope="module")
def runtime(tenant_profile_module: dict[str, Any], case_payload_module: dict[str, Any]) -> Iterator[Runtime]:
    with local_runtime() as operator:
        tenant = operator.create_tenant(tenant_profile_module)
        business = operator.as_key(operator.issue_key("business", tenant_id=tenant["tenant_id"]))
        case_id = business.submit_case(case_payload_module)["case_id"]
        yield Runtime(operator.base_url, operator, business, case_id)


@pytest.fixture(scope="module")
def tenant_profile_module() -> dict[str, Any]:
    from tests.conftest import load_example

    return load_example("tenants/acme.json")


@pytest.fixture(scope="module")
def case_payload_module() -> dict[str, Any]:
    from tests.conftest import load_example

    return load_example("cases/acme-northwind-gb.json")


def problem_of(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"].startswith("https://")
    return body


# --- §1 outbound webhook addresses ------------------------------------------------------

SSRF_URLS = [
    "https://2852039166/",
    "https://0251.0376.0251.0376/",
    "https://0xA9FEA9FE/",
    "https://169.254.43518/",
    "https://169.254.169.254./latest/meta-data",
    "https://[::ffff:169.254.169.254]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://127.1/",
    "https://0/",
    "https://localhost./",
    "https://LOCALHOST/",
    "https://api.localhost/",
    "https://100.64.0.1/",
    "https://10.0.0.7/",
    "https://[fd00::1]/",
    "https://[::1]/",
    "https://metadata/computeMetadata/v1/",
    "http://hooks.acme.example/plain-http",
]


@pytest.mark.parametrize("url", SSRF_URLS)
def test_webhook_endpoints_to_internal_addresses_are_refused_in_every_spelling(
    runtime: Runtime, url: str
) -> None:
    response = runtime.post(
        "/v1/webhook-endpoints", f'{{"url": "{url}", "event_types": ["*"]}}', runtime.business.key
    )

    body = problem_of(response, 422)
    assert [p["name"] for p in body["invalid-params"]] == ["body.url"]
    assert "secret" not in body
    assert runtime.endpoints() == []


def test_the_local_runtime_still_takes_plain_http_receivers_on_loopback(runtime: Runtime) -> None:
    created = runtime.business.request(
        "POST", "/v1/webhook-endpoints", json={"url": "http://127.0.0.1:9/hooks", "event_types": ["*"]}
    )
    try:
        assert created["secret"].startswith("whsec_")
    finally:
        runtime.business.request("DELETE", f"/v1/webhook-endpoints/{created['endpoint_id']}", expect=204)


# --- §2 bad JSON --------------------------------------------------------------------------


DEEP = {"objects": '{"a":' * 10_000, "arrays": "[" * 10_000}


@pytest.mark.parametrize("form", sorted(DEEP))
@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/v1/cases", "business"),
        ("/v1/webhook-endpoints", "business"),
        ("/v1/cases/{case_id}/contacts", "business"),
        ("/v1/cases/{case_id}/payments", "business"),
        ("/v1/tenants", "operator"),
        ("/v1/partners", "operator"),
        ("/v1/api-keys", "operator"),
        ("/v1/webhooks/partners/par_000000000000", None),
    ],
)
def test_bodies_nested_ten_thousand_deep_get_400_everywhere(
    runtime: Runtime, path: str, who: str | None, form: str
) -> None:
    cases, partners = runtime.cases(), runtime.partners()
    key = {"business": runtime.business.key, "operator": runtime.operator.key}.get(who or "")

    response = runtime.post(
        path.format(case_id=runtime.case_id), DEEP[form], key, **{"Idempotency-Key": str(uuid.uuid4())}
    )

    assert problem_of(response, 400)["type"].endswith("/nesting-too-deep")
    assert runtime.still_answers()
    assert (runtime.cases(), runtime.partners()) == (cases, partners)


@pytest.mark.parametrize(
    "content_type",
    ["Application/JSON", "APPLICATION/JSON; CHARSET=UTF-8", 'application/json; charset="utf-8"'],
)
def test_json_is_json_in_any_case_and_with_parameters(
    runtime: Runtime, case_payload_module: dict[str, Any], content_type: str
) -> None:
    payload = {**case_payload_module, "creditor_reference": f"CT-{uuid.uuid4().hex[:8]}"}
    response = runtime.post(
        "/v1/cases",
        json.dumps(payload),
        runtime.business.key,
        **{"Content-Type": content_type, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text[:300]


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=ISO-8859-1", "application/json; charset=utf-16", "text/plain"]
)
def test_another_charset_or_media_type_gets_415(runtime: Runtime, content_type: str) -> None:
    cases = runtime.cases()
    response = runtime.post("/v1/tenants", "{}", runtime.operator.key, **{"Content-Type": content_type})
    problem_of(response, 415)
    assert runtime.cases() == cases


def test_a_repeated_key_gets_400_naming_it(runtime: Runtime, case_payload_module: dict[str, Any]) -> None:
    cases = runtime.cases()
    text = json.dumps(case_payload_module)
    repeated = text.replace('"currency": "GBP"', '"currency": "GBP", "currency": "USD"', 1)
    assert repeated != text

    response = runtime.post(
        "/v1/cases", repeated, runtime.business.key, **{"Idempotency-Key": str(uuid.uuid4())}
    )

    body = problem_of(response, 400)
    assert body["type"].endswith("/duplicate-key") and '"currency"' in body["detail"]
    assert runtime.cases() == cases


def test_an_amount_sent_as_a_json_number_gets_422_saying_amounts_are_strings(
    runtime: Runtime, case_payload_module: dict[str, Any]
) -> None:
    cases = runtime.cases()
    payload = json.loads(json.dumps(case_payload_module))
    payload["invoices"][0]["amount"] = 1250.00

    response = runtime.post(
        "/v1/cases", json.dumps(payload), runtime.business.key, **{"Idempotency-Key": str(uuid.uuid4())}
    )

    (param,) = problem_of(response, 422)["invalid-params"]
    assert param["name"] == "body.invoices.0.amount" and "decimal string" in param["reason"]
    assert runtime.cases() == cases


@pytest.mark.parametrize("char", ["\u0000", "\u001b", "\u007f", "\u0085"])
def test_control_characters_in_a_name_get_422_naming_the_field(
    runtime: Runtime, case_payload_module: dict[str, Any], char: str
) -> None:
    cases = runtime.cases()
    payload = json.loads(json.dumps(case_payload_module))
    payload["debtor"]["legal_name"] = f"Northwind{char}Trading Ltd"

    response = runtime.post(
        "/v1/cases", json.dumps(payload), runtime.business.key, **{"Idempotency-Key": str(uuid.uuid4())}
    )

    assert [p["name"] for p in problem_of(response, 422)["invalid-params"]] == ["body.debtor.legal_name"]
    assert runtime.cases() == cases


# --- errors the local runtime produces itself ---------------------------------------------------


def raw(runtime: Runtime, request: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = runtime.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (b"GET /v1/health HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n", 431),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"NOT A REQUEST\r\n\r\n", 400),
        (b"GET /v1/health HTTP/9.9\r\nHost: x\r\n\r\n", 505),
    ],
    ids=["header-line-too-long", "too-many-headers", "uri-too-long", "bad-request-line", "http-version"],
)
def test_the_servers_own_errors_are_problem_documents(
    runtime: Runtime, request_bytes: bytes, status: int
) -> None:
    code, headers, body = raw(runtime, request_bytes)

    assert code == status and headers["content-type"] == PROBLEM
    assert json.loads(body)["status"] == status
    assert runtime.still_answers()


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/nope", 404), ("DELETE", "/v1/cases", 405)])
def test_unknown_routes_and_methods_are_problem_documents(
    runtime: Runtime, method: str, path: str, status: int
) -> None:
    problem_of(requests.request(method, f"{runtime.url}{path}", timeout=10), status)


def test_a_chunked_body_over_the_gateway_limit_gets_413(runtime: Runtime) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(11):
            yield b" " * (1024 * 1024)

    response = requests.post(
        f"{runtime.url}/v1/tenants",
        data=chunks(),
        headers={"Authorization": f"Bearer {runtime.operator.key}", "Content-Type": "application/json"},
        timeout=60,
    )

    problem_of(response, 413)
    assert runtime.still_answers()
