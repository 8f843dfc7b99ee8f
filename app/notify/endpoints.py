"""Connecting only where a push subscription may make us connect (issue 9, defect 3).

``resolve_checked`` resolves a push service's name and refuses it unless every address is
public (app/domain/push_endpoint.py). It runs when a phone subscribes, and again inside
every connection the sender opens: ``PushSession``'s connections connect to the addresses
that were just checked, never to a second lookup's answer, so a name that changes its
addresses between check and use (DNS rebinding) gains nothing. The session never follows a
redirect and uses no proxy (plain urllib3 reads no proxy settings from the environment).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from urllib3 import BaseHTTPResponse, PoolManager, Timeout
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from app.domain.push_endpoint import EndpointPolicy, addresses_allowed

Resolver = Callable[[str, int], list[str]]


class EndpointRefused(Exception):
    """The push endpoint's name resolves to an address we must not connect to.

    Deliberately not an OSError: urllib3 and requests let it through unwrapped, so the
    sender can tell it from a network failure."""


def resolve_checked(host: str, port: int, policy: EndpointPolicy) -> list[str]:
    """The addresses of ``host``, all of them allowed by ``policy``; else EndpointRefused.

    A failed lookup raises ``socket.gaierror`` (a network problem: try again later)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses_allowed(addresses, policy):
        raise EndpointRefused(host)
    return addresses


def _connect_checked(conn: Any) -> socket.socket:
    """``HTTPConnection._new_conn`` connecting only to addresses the resolver allowed."""
    try:
        addresses = conn.resolve(conn._dns_host, conn.port)
    except socket.gaierror as exc:
        raise NameResolutionError(conn.host, conn, exc) from exc
    error: OSError | None = None
    for address in addresses:
        try:
            return urllib3_connection.create_connection(
                (address, conn.port), conn.timeout, source_address=conn.source_address,
                socket_options=conn.socket_options)
        except OSError as exc:  # refused, unreachable, timed out: the next address
            error = exc
    raise NewConnectionError(conn, f"Failed to establish a new connection: {error}")


def _checked_pools(resolve: Resolver) -> dict[str, type[HTTPConnectionPool]]:
    members = {"resolve": staticmethod(resolve), "_new_conn": _connect_checked}
    http_conn = type("CheckedHTTPConnection", (HTTPConnection,), members)
    https_conn = type("CheckedHTTPSConnection", (HTTPSConnection,), members)
    return {
        "http": type("CheckedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("CheckedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }


class PushSession:
    """Connection pools for push sends: checked addresses, no redirects, no proxies.

    Plain urllib3, not requests: a send through a requests session cost ~0.6 ms more CPU
    (preparing, merging settings, hooks), three times what the encryption costs."""

    def __init__(self, policy: EndpointPolicy, connections: int = 10) -> None:
        # ``connections`` kept per push service (requests' default pool size was 10)
        self._pools = PoolManager(num_pools=10, maxsize=connections)
        self._pools.pool_classes_by_scheme = _checked_pools(
            lambda host, port: resolve_checked(host, port, policy))

    def post(self, url: str, body: bytes, headers: dict[str, str],
             timeout: tuple[float, float]) -> BaseHTTPResponse:
        """One POST. A 3xx is the push service's answer, not a hop; a network failure raises
        urllib3's HTTPError at once (no retries here: the notifier retries with backoff)."""
        return self._pools.request("POST", url, body=body, headers=headers,
                                   timeout=Timeout(connect=timeout[0], read=timeout[1]),
                                   retries=False, redirect=False)

    def close(self) -> None:
        self._pools.clear()
