"""Where an outbound webhook may go: the URL a business registers and the addresses it resolves to.

Server-side request forgery is refused twice (docs/outbound-webhooks.md):

* at registration (`check_endpoint_url`), from the URL alone: https only; no credentials; a host
  that is `localhost` in any spelling (`LOCALHOST`, `localhost.`, `app.localhost`), a single-label
  name (resolved through search domains: `metadata`, `instance-data`) or an IP literal that is not a
  public unicast address is refused. IP literals are recognised in every form the platform's
  resolver accepts, not only as dotted quads: the host is read as IPv4 whenever its last label is
  a number (as URL parsers do), by libc's `inet_aton`, which takes 1 to 4 parts, each decimal, octal
  (`0` prefix) or hex (`0x`), the last filling the remaining bytes — `2852039166`, `0xA9FEA9FE`,
  `0251.0376.0251.0376`, `169.254.43518`, `127.1` and `0` are all addresses; one trailing dot is
  ignored; bracketed IPv6 literals are read by `ipaddress` (zone ids included). A host that looks
  numeric but does not parse is refused rather than left to a resolver to interpret;
* at every delivery (`blocked_addresses`), on what the name resolves to *then*: one non-public
  address among the answers blocks the attempt, and the sender connects to an address it checked.

"Public" is `ipaddress`' `is_global`, minus the shared address space 100.64.0.0/10 (carrier-grade
NAT) and multicast; IPv6 addresses that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`,
NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo, IPv4-compatible `::a.b.c.d`) must carry a public
one too. The local runtime alone allows loopback (`allow_loopback`, for its demo receivers), and
then only over plain http, as before (`http://127.0.0.1:8080/`, `http://localhost:8080/`); https
to this machine is refused everywhere.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from handoff.domain.errors import FieldProblem, InvalidRequestError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")
_IPV4_CHARACTERS = frozenset("0123456789abcdefx.")
_DNS_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """Where a webhook URL points: its scheme, host (lower case, without a trailing dot) and port."""

    scheme: str
    host: str
    port: int
    address: IPAddress | None  # set when the host is an IP literal

    @property
    def loopback_name(self) -> bool:
        return self.host == "localhost" or self.host.endswith(".localhost")


class UnusableUrlError(ValueError):
    """The URL cannot be a webhook endpoint; the message says why, to the business that sent it."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address leads to (mapped, NAT64, 6to4, Teredo, IPv4-compatible)."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in NAT64_PREFIX:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    if int(address) >> 32 == 0:  # IPv4-compatible (::a.b.c.d, deprecated), also :: and ::1
        return [ipaddress.IPv4Address(int(address))]
    return []


def is_public(address: IPAddress) -> bool:
    """A global unicast address: not private, loopback, link-local, shared, reserved or multicast."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if not all(is_public(inner) for inner in embedded):
            return False
        if address.ipv4_mapped is not None:  # an IPv4 address in IPv6 notation: its IPv4 decides
            return True
    if address.is_multicast or address in SHARED_ADDRESS_SPACE:
        return False
    return address.is_global


def is_loopback(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def allowed(address: IPAddress, allow_loopback: bool) -> bool:
    return is_public(address) or (allow_loopback and is_loopback(address))


def blocked_addresses(addresses: list[IPAddress], allow_loopback: bool) -> list[IPAddress]:
    """The resolved addresses a delivery may not go to; any one of them blocks the delivery."""
    return [address for address in addresses if not allowed(address, allow_loopback)]


def ip_literal(host: str) -> IPAddress | None:
    """The address a host names literally (any form a resolver accepts), or None for a DNS name.

    ValueError when the host looks like an address (a numeric last label, or a colon) but is not one.
    """
    if ":" in host:
        return ipaddress.IPv6Address(host)
    last_label = host.rsplit(".", 1)[-1]
    if not _NUMERIC_LABEL.fullmatch(last_label):
        return None
    if not set(host) <= _IPV4_CHARACTERS:  # libc would stop at a space and ignore the rest: never let it
        raise ValueError(f"{host} is not an IPv4 address")
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        raise ValueError(f"{host} is not an IPv4 address") from None


def _split(url: str) -> tuple[SplitResult, int | None]:
    if not (url.isascii() and url.isprintable()) or " " in url:
        raise UnusableUrlError(
            "must be a URI: printable ASCII, anything else percent-encoded (hosts in IDNA form)"
        )
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port out of range or not a number
    except ValueError as exc:
        raise UnusableUrlError(f"not a valid URL: {exc}") from None
    if port == 0:
        raise UnusableUrlError("not a valid URL: the port must be 1 to 65535")
    return parts, port


def target_of(url: str) -> Target:
    """Parse a webhook URL; UnusableUrlError with a reader's explanation when it cannot be one."""
    parts, port = _split(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise UnusableUrlError("must use https")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise UnusableUrlError("must be an absolute https URL without credentials")
    host = parts.hostname.lower()
    host = host[:-1] if host.endswith(".") else host
    try:
        address = ip_literal(host)
    except ValueError as exc:
        raise UnusableUrlError(f"not a valid URL: {exc}") from None
    if address is None and not all(_DNS_LABEL.fullmatch(label) for label in host.split(".")):
        raise UnusableUrlError(
            "the host must be a DNS name (labels of letters, digits and hyphens) or an IP address"
        )
    return Target(parts.scheme, host, port or DEFAULT_PORTS[parts.scheme], address)


def _refusal(target: Target, allow_loopback: bool) -> str | None:
    loopback = target.loopback_name or (target.address is not None and is_loopback(target.address))
    if loopback:
        if not allow_loopback:
            return "must not point at this machine (localhost or a loopback address)"
        if target.scheme != "http":
            return "must not point at this machine over https (the local runtime takes plain http receivers)"
        return None
    if target.scheme != "https":
        return "must use https"
    if target.address is not None and not is_public(target.address):
        return (
            "must not point at a private, loopback, link-local, shared or reserved address "
            f"({target.address} in any spelling)"
        )
    if target.address is None and "." not in target.host:
        return (
            "the host must be a fully qualified domain name (a single label resolves through search domains)"
        )
    return None


def refusal(url: str, allow_loopback: bool) -> str | None:
    """Why a webhook may not go to `url` judging by the URL alone, or None when it may."""
    try:
        return _refusal(target_of(url), allow_loopback)
    except UnusableUrlError as exc:
        return str(exc)


def check_endpoint_url(url: str, allow_loopback: bool) -> str:
    """The URL, if a business may register it; InvalidRequestError naming `url` otherwise."""
    problem = refusal(url, allow_loopback)
    if problem:
        raise InvalidRequestError([FieldProblem(("url",), problem)])
    return url
