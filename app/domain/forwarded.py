"""Who the client is behind a reverse proxy (issue 9, defect 6).

Forwarding headers are written by whoever sends them: only the proxies we run are believed.
The chain is the header's addresses followed by the connecting peer; walking it from the
right, each address written by a trusted proxy is skipped, and the first untrusted one is
the client. A client can prepend anything it likes, but never to the right of what our own
proxy appended. With no trusted proxies (the default) the peer is the client. Pure.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
HEADERS = ("x-forwarded-for", "forwarded")


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"10.0.0.5, 192.168.1.0/24, ::1"`` as networks (a bare address is a /32 or /128)."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False)
                 for part in text.split(",") if part.strip())


@lru_cache(maxsize=8)
def networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    """The settings' proxy list as networks, parsed once."""
    return parse_networks(",".join(proxies))


def parse_address(value: str) -> Address | None:
    """An address from a header entry: ``1.2.3.4``, ``1.2.3.4:567``, ``[2001:db8::1]:567``,
    ``"[2001:db8::1]"``; IPv4-mapped IPv6 as its IPv4. None for ``unknown``, ``_hidden`` …"""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def forwarded_chain(header: str, values: Iterable[str]) -> list[str]:
    """The entries of every ``header`` line, left to right (``for=`` of ``Forwarded``)."""
    entries = [item.strip() for value in values for item in value.split(",") if item.strip()]
    if header == "x-forwarded-for":
        return entries
    found = []
    for element in entries:
        for pair in element.split(";"):
            name, _, val = pair.partition("=")
            if name.strip().lower() == "for":
                found.append(val.strip())
    return found


def _trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies)


def client_host(peer: str, chain: list[str], proxies: tuple[Network, ...]) -> str:
    """The client's address: the right-most untrusted one, with the peer last in the chain."""
    peer_address = parse_address(peer)
    if peer_address is None or not _trusted(peer_address, proxies):
        return peer
    client = peer_address
    for entry in reversed(chain):
        address = parse_address(entry)
        if address is None:  # our proxy wrote something that is not an address
            return str(client)
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)
