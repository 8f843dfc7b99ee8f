"""Which push endpoints the server may send to (issue 9, defect 3: no requests to any address).

A browser's push subscription names the URL we POST to; anyone who passed a status lookup
can hand us one. We accept only the push services' own hosts, over https on the default
port, never an IP literal, and (checked by the caller, at subscribe time and again at every
connection) only names that resolve to public addresses. Pure: no DNS here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# The browsers' push services: Chrome/Edge-on-Android (FCM), Firefox (Mozilla autopush),
# Safari (Apple), Edge on Windows (WNS). "*." matches subdomains only, at a dot.
DEFAULT_ALLOWED_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.push.services.mozilla.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class EndpointPolicy:
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    allow_http: bool = False  # tests only: the local push service speaks plain http
    allow_private: bool = False  # tests only: IP literals and private addresses


@dataclass(frozen=True, slots=True)
class Target:
    host: str
    port: int


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """``host`` is one of ``patterns``, or below a ``*.suffix`` one (a dot boundary)."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.strip().lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif pattern and host == pattern:
            return True
    return False


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_public(host: str) -> bool:
    """An address on the public internet: not private, loopback, link-local, multicast,
    reserved, unspecified or shared (CGNAT); IPv4-mapped IPv6 judged as the IPv4 inside."""
    address = _ip(host)
    if address is None:
        return False
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified)


def addresses_allowed(addresses: Iterable[str], policy: EndpointPolicy) -> bool:
    """Every address a name resolved to may be connected to (and there is at least one)."""
    found = list(addresses)
    return bool(found) and (policy.allow_private or all(address_public(a) for a in found))


def check_endpoint(url: str, policy: EndpointPolicy) -> Target | None:
    """Where an endpoint URL would make us connect, or None if we must not."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    schemes = ("https", "http") if policy.allow_http else ("https",)
    if parts.scheme not in schemes or not host or parts.username or parts.password:
        return None
    default_port = 443 if parts.scheme == "https" else 80
    if port is not None and port != default_port and not policy.allow_private:
        return None
    target = Target(host.rstrip("."), port or default_port)
    if _ip(target.host) is not None:  # an IP literal: only the tests' own, listed one
        ok = policy.allow_private and host_allowed(target.host, policy.allowed_hosts)
        return target if ok else None
    if not all(_LABEL.match(label) for label in target.host.split(".")):
        return None
    return target if host_allowed(target.host, policy.allowed_hosts) else None
