"""Outbound webhook I/O: resolving an endpoint's host, and one POST pinned to a checked address.

`SystemResolver` asks the platform's resolver (`getaddrinfo`) once per attempt. `PinnedTransport`
opens its connection to an address it is given (one the service checked) instead of the URL's
host, and names the host where HTTP and TLS need it: the Host header, the TLS SNI and the
certificate's hostname check (urllib3's `server_hostname` and `assert_hostname`). It never asks
a resolver itself, so a DNS answer that changes between the check and the connection (DNS
rebinding) cannot send the request anywhere else. Redirects are not followed; environment proxies
are not used (a proxy would resolve the name again).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError

from handoff.domain.endpoint_addresses import DEFAULT_PORTS, IPAddress
from handoff.services.webhooks import HttpResult

MIN_CONNECT_SECONDS = 0.5


class SystemResolver:
    """AddressResolver over `getaddrinfo`: every address, in the resolver's order, without repeats."""

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return []
        addresses: dict[IPAddress, None] = {}
        for _family, _type, _proto, _name, sockaddr in answers:
            addresses[ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])] = None
        return list(addresses)


class PinnedTransport:
    """WebhookTransport with urllib3: one POST, a short timeout, no redirects, no DNS of its own.

    `ca_certs`: a CA bundle to trust instead of the system's (tests with their own CA).
    """

    def __init__(self, timeout_seconds: float, ca_certs: str | None = None):
        self._timeout = timeout_seconds
        self._ca_certs = ca_certs

    def post(
        self, url: str, addresses: Sequence[IPAddress], body: str, headers: dict[str, str]
    ) -> HttpResult:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
        port = parts.port or DEFAULT_PORTS[parts.scheme]
        named = f"[{host}]" if ":" in host else host
        host_header = named if port == DEFAULT_PORTS[parts.scheme] else f"{named}:{port}"
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        deadline = time.monotonic() + self._timeout
        failure = "no address to connect to"
        for address in addresses:
            remaining = max(deadline - time.monotonic(), MIN_CONNECT_SECONDS)
            pool = self._pool(parts.scheme, address, port, host, remaining)
            try:
                response = pool.urlopen(
                    "POST",
                    path,
                    body=body.encode(),
                    headers={**headers, "Host": host_header},
                    redirect=False,
                    retries=False,
                    assert_same_host=False,
                    preload_content=False,
                )
                status = int(response.status)
                response.close()  # the answer is its status: the body is not read
                return HttpResult(status, None if 200 <= status < 300 else f"HTTP {status}")
            except (NewConnectionError, ConnectTimeoutError) as exc:  # not connected: try the next address
                failure = f"{type(exc).__name__}: could not connect to {host}"
            except (HTTPError, OSError) as exc:  # connected, then TLS, the timeout or the peer failed
                return HttpResult(None, f"{type(exc).__name__}: {exc}"[:300])
            finally:
                pool.close()
        return HttpResult(None, failure)

    def _pool(
        self, scheme: str, address: IPAddress, port: int, host: str, seconds: float
    ) -> urllib3.HTTPConnectionPool:
        timeout = urllib3.Timeout(total=seconds)
        if scheme == "https":
            return urllib3.HTTPSConnectionPool(
                str(address),
                port,
                timeout=timeout,
                maxsize=1,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self._ca_certs,
                server_hostname=host,
                assert_hostname=host,
            )
        return urllib3.HTTPConnectionPool(str(address), port, timeout=timeout, maxsize=1)
