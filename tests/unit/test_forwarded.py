"""The client's address behind a trusted reverse proxy (issue 9, defect 6)."""

from __future__ import annotations

import pytest

from app.domain.forwarded import client_host, forwarded_chain, parse_address, parse_networks

PROXIES = parse_networks("10.0.0.5, 192.168.10.0/24, ::1")


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_host("10.0.0.5", ["203.0.113.7"], ()) == "10.0.0.5"


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_host("198.51.100.9", ["203.0.113.7"], PROXIES) == "198.51.100.9"


def test_the_right_most_untrusted_address_is_the_client() -> None:
    # the client prepended a lie; our proxy appended what it saw
    chain = forwarded_chain("x-forwarded-for", ["1.2.3.4, 203.0.113.7"])
    assert client_host("10.0.0.5", chain, PROXIES) == "203.0.113.7"
    # two proxies of ours in a row
    chain = forwarded_chain("x-forwarded-for", ["1.2.3.4", "203.0.113.7, 192.168.10.3"])
    assert client_host("10.0.0.5", chain, PROXIES) == "203.0.113.7"


def test_all_trusted_gives_the_left_most_and_garbage_stops_the_walk() -> None:
    assert client_host("10.0.0.5", ["192.168.10.4"], PROXIES) == "192.168.10.4"
    assert client_host("10.0.0.5", [], PROXIES) == "10.0.0.5"
    assert client_host("10.0.0.5", ["203.0.113.7", "unknown"], PROXIES) == "10.0.0.5"


def test_forwarded_header_for_parameters() -> None:
    chain = forwarded_chain("forwarded", [
        'for=1.2.3.4;proto=https, for="[2001:db8:cafe::17]:4711";by=10.0.0.5',
        "For=203.0.113.7:5555"])
    assert chain == ["1.2.3.4", '"[2001:db8:cafe::17]:4711"', "203.0.113.7:5555"]
    assert client_host("::1", chain, PROXIES) == "203.0.113.7"
    assert client_host("::1", chain[:2], PROXIES) == "2001:db8:cafe::17"


@pytest.mark.parametrize(("raw", "address"), [
    ("1.2.3.4", "1.2.3.4"), ("1.2.3.4:80", "1.2.3.4"), ("[2001:db8::1]:80", "2001:db8::1"),
    ('"[2001:db8::1]"', "2001:db8::1"), ("2001:db8::1", "2001:db8::1"),
    ("::ffff:10.0.0.5", "10.0.0.5"), ("unknown", None), ("_hidden", None), ("", None),
])
def test_addresses_in_headers(raw: str, address: str | None) -> None:
    parsed = parse_address(raw)
    assert (str(parsed) if parsed else None) == address


def test_an_ipv4_mapped_peer_is_matched_as_ipv4() -> None:
    assert client_host("::ffff:10.0.0.5", ["203.0.113.7"], PROXIES) == "203.0.113.7"
