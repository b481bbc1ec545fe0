"""The outbound transport on real sockets: it connects to the address it is given, never to DNS.

A TLS receiver on 127.0.0.1 holds a certificate for `hooks.example.test` from a test CA
(trustme). The name resolves nowhere, so a delivery that arrives proves the transport connected
to the checked address while still naming the host in the Host header, the TLS SNI and the
certificate check.
"""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from handoff.adapters.webhook_http import PinnedTransport, SystemResolver

LOOPBACK = ipaddress.ip_address("127.0.0.1")
NAME = "hooks.example.test"


@dataclass
class TlsReceiver:
    port: int
    ca_file: str
    status: int = 200
    location: str | None = None
    received: list[dict[str, str]] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[TlsReceiver]:
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME).configure_cert(context)
    state = TlsReceiver(port=0, ca_file=str(ca_file))
    context.sni_callback = lambda _socket, name, _context: state.server_names.append(name)  # type: ignore[assignment,func-returns-value]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            state.received.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def post(receiver: TlsReceiver, url: str, addresses: list[Any] | None = None) -> Any:
    transport = PinnedTransport(timeout_seconds=5, ca_certs=receiver.ca_file)
    return transport.post(url, addresses or [LOOPBACK], '{"type":"case.submitted"}', {"webhook-id": "msg_1"})


def test_it_connects_to_the_checked_address_and_names_the_host_for_http_and_tls(
    receiver: TlsReceiver,
) -> None:
    assert SystemResolver().resolve(NAME, receiver.port) == []  # nothing to rebind: the name does not resolve

    result = post(receiver, f"https://{NAME}:{receiver.port}/hooks?x=1")

    assert (result.status_code, result.error) == (200, None)
    assert receiver.received[0]["host"] == f"{NAME}:{receiver.port}"
    assert receiver.received[0]["webhook-id"] == "msg_1"
    assert receiver.server_names == [NAME]


def test_the_certificate_must_be_for_the_endpoints_host(receiver: TlsReceiver) -> None:
    result = post(receiver, f"https://other.example.test:{receiver.port}/hooks")

    assert result.status_code is None and "SSL" in (result.error or "")
    assert receiver.received == []


def test_a_redirect_is_an_answer_never_followed(receiver: TlsReceiver) -> None:
    receiver.status, receiver.location = 307, "http://169.254.169.254/latest/meta-data"

    result = post(receiver, f"https://{NAME}:{receiver.port}/hooks")

    assert (result.status_code, result.error) == (307, "HTTP 307")
    assert len(receiver.received) == 1


def test_an_address_that_refuses_the_connection_falls_through_to_the_next(receiver: TlsReceiver) -> None:
    unused = ipaddress.ip_address("127.0.0.2")  # loopback too, but nothing listens on it

    result = post(receiver, f"https://{NAME}:{receiver.port}/hooks", [unused, LOOPBACK])

    assert result.status_code == 200 and len(receiver.received) == 1


def test_the_system_resolver_answers_addresses_without_repeats() -> None:
    answers = SystemResolver().resolve("127.0.0.1", 443)
    assert answers == [LOOPBACK]
    assert SystemResolver().resolve("no-such-host.invalid", 443) == []
