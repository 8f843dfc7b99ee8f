"""Plain ASGI plumbing for the simulator: JSON bodies in and out, and a connection reset.

uvicorn runs the simulator with ``TrackingProtocol``, which remembers each connection's
transport by client address, so a ``reset`` fault can abort the TCP connection (RST).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_BODY = 1024 * 1024

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# uvicorn's transports by client address, so a fault can reset a connection (RST).
_TRANSPORTS: dict[tuple[str, int], asyncio.Transport] = {}


class TrackingProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.client:
            _TRANSPORTS[(self.client[0], self.client[1])] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.client:
            _TRANSPORTS.pop((self.client[0], self.client[1]), None)
        super().connection_lost(exc)


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


async def read_json(receive: Receive) -> Any:
    """The request's JSON body, or None when it is missing, too large or not JSON."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    try:
        return json.loads(b"".join(chunks) or b"null")
    except (UnicodeDecodeError, ValueError):
        return None


async def until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def respond(send: Send, status: int, body: Any,
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await respond_raw(send, status, json.dumps(body, ensure_ascii=False).encode(), headers)


async def respond_raw(send: Send, status: int, raw: bytes,
                      headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(raw)).encode()), *(headers or [])],
    })
    await send({"type": "http.response.body", "body": raw})


def reset_connection(scope: Scope) -> None:
    """Reset the request's TCP connection: SO_LINGER 0, then abort (the peer gets RST)."""
    client = scope.get("client")
    transport = _TRANSPORTS.get((client[0], client[1])) if client else None
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()

