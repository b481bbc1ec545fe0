"""Where a business webhook may go: the URL rules at registration and the address rules at delivery."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from handoff.domain.endpoint_addresses import (
    blocked_addresses,
    check_endpoint_url,
    ip_literal,
    is_public,
    target_of,
)
from handoff.domain.errors import InvalidRequestError

METADATA = ipaddress.ip_address("169.254.169.254")

# Every spelling of 169.254.169.254 that libc's resolver accepts, and the other hosts.
METADATA_SPELLINGS = [
    "2852039166",
    "0251.0376.0251.0376",
    "0xA9FEA9FE",
    "0xa9.0xfe.0xa9.0xfe",
    "169.254.43518",
    "169.16689662",
    "0251.0xfe.43518",
    "169.254.169.254.",
    "2852039166.",
    "[::ffff:169.254.169.254]",
    "[::ffff:a9fe:a9fe]",
    "[64:ff9b::a9fe:a9fe]",  # NAT64
    "[2002:a9fe:a9fe::1]",  # 6to4
]
OTHER_NON_PUBLIC = [
    "127.1",
    "127.0.0.1",
    "0",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.0.1",
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "100.127.255.254",
    "224.0.0.1",
    "224.0.1.1",  # multicast, though is_global says True
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "[::1]",
    "[::]",
    "[fe80::1]",
    "[fe80::1%25eth0]",
    "[fd12:3456::1]",
    "[ff02::1]",
    "[2001:db8::1]",
]
LOCALHOST_SPELLINGS = [
    "localhost",
    "LOCALHOST",
    "localhost.",
    "LocalHost.",
    "api.localhost",
    "a.b.LOCALHOST.",
]


def refusal_of(url: str, allow_loopback: bool = False) -> str:
    with pytest.raises(InvalidRequestError) as refused:
        check_endpoint_url(url, allow_loopback)
    (problem,) = refused.value.problems
    assert problem.loc == ("url",)
    return problem.message


@pytest.mark.parametrize("host", METADATA_SPELLINGS)
def test_every_spelling_of_the_metadata_address_is_refused(host: str) -> None:
    assert "must not point at" in refusal_of(f"https://{host}/latest/meta-data")
    assert "must not point at" in refusal_of(f"https://{host}:8443/", allow_loopback=True)


@pytest.mark.parametrize("host", OTHER_NON_PUBLIC)
def test_literal_non_public_addresses_are_refused_in_any_form(host: str) -> None:
    assert "must not point at" in refusal_of(f"https://{host}/hooks")


@pytest.mark.parametrize("host", LOCALHOST_SPELLINGS)
def test_localhost_in_any_spelling_is_refused_outside_the_local_runtime(host: str) -> None:
    assert "this machine" in refusal_of(f"https://{host}/hooks")
    assert "this machine" in refusal_of(f"http://{host}:8080/hooks")
    assert check_endpoint_url(f"http://{host}:8080/hooks", allow_loopback=True)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/x", "http://127.1:8080/x", "http://[::1]:9000/x", "http://0x7f000001/"]
)
def test_the_local_runtime_may_deliver_to_loopback_over_plain_http(url: str) -> None:
    assert check_endpoint_url(url, allow_loopback=True) == url
    assert "this machine" in refusal_of(url)


@pytest.mark.parametrize(
    "url", ["https://127.1/", "https://localhost./", "https://[::1]/", "https://LOCALHOST/"]
)
def test_https_to_this_machine_is_refused_even_in_the_local_runtime(url: str) -> None:
    assert "this machine" in refusal_of(url, allow_loopback=True)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://hooks.example.com/x", "must use https"),
        ("http://10.0.0.1/x", "must use https"),
        ("ftp://hooks.example.com/x", "must use https"),
        ("file:///etc/passwd", "must use https"),
        ("https://user:pw@hooks.example.com/x", "without credentials"),
        ("https:///x", "without credentials"),
        ("https://hooks.example.com:0/x", "port"),
        ("https://hooks.example.com:70000/x", "not a valid URL"),
        ("https://[::1/x", "not a valid URL"),
        ("https://1.2.3.4.5/", "not a valid URL"),
        ("https://999.1.1.1/", "not a valid URL"),
        ("https://08/", "not a valid URL"),
        ("https://0x/", "not a valid URL"),
        ("https://hooks.123/", "not a valid URL"),  # a numeric last label is an address or nothing
        ("https://%31%32%37.0.0.1/", "not a valid URL"),
        ("https://hooks%2eexample.com/", "DNS name"),
        ("https://hooks..example.com/", "DNS name"),
        ("https://-hooks.example.com/", "DNS name"),
        ("https://metadata/computeMetadata", "fully qualified"),
        ("https://instance-data./latest", "fully qualified"),
        ("https://hooks.example.com/\x00", "printable ASCII"),
        ("https://hooks.exämple.com/", "printable ASCII"),
    ],
)
def test_urls_that_cannot_be_endpoints_say_why(url: str, says: str) -> None:
    assert says in refusal_of(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/x",
        "https://HOOKS.Example.com./x?tenant=1",
        "https://xn--bcher-kva.example/hooks",
        "https://hooks.example.com:8443/",
        "https://93.184.216.34/hooks",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/hooks",
        "https://my_service.example.com/",
    ],
)
def test_public_https_endpoints_are_accepted(url: str) -> None:
    assert check_endpoint_url(url, allow_loopback=False) == url


@pytest.mark.parametrize(
    "host", ["2852039166", "0251.0376.0251.0376", "0xA9FEA9FE", "169.254.43518", "127.1", "0", "0x7f.1"]
)
def test_ipv4_literals_are_read_as_libc_reads_them(host: str) -> None:
    assert ip_literal(host.lower()) == ipaddress.IPv4Address(socket.inet_aton(host))


def test_a_trailing_dot_and_upper_case_are_normalized_in_the_target() -> None:
    target = target_of("https://Hooks.Example.COM.:8443/x")
    assert (target.scheme, target.host, target.port, target.address) == (
        "https",
        "hooks.example.com",
        8443,
        None,
    )
    assert target_of("https://2852039166./").address == METADATA


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("::ffff:93.184.216.34", True),
        ("64:ff9b::5db8:d822", True),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.1.1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::a00:1", False),
        ("2002:a00:1::1", False),
        ("2001:0:a00:1::", False),  # Teredo
        ("::a9fe:a9fe", False),  # IPv4-compatible (deprecated)
    ],
)
def test_public_means_global_unicast_all_the_way_down(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_any_non_public_answer_blocks_a_delivery_and_loopback_only_locally() -> None:
    public, private, loopback = (ipaddress.ip_address(a) for a in ("93.184.216.34", "10.0.0.1", "127.0.0.1"))
    assert blocked_addresses([public], allow_loopback=False) == []
    assert blocked_addresses([public, private], allow_loopback=True) == [private]
    assert blocked_addresses([loopback], allow_loopback=False) == [loopback]
    assert blocked_addresses([loopback, ipaddress.ip_address("::1")], allow_loopback=True) == []
