"""The public address of the app, for links people open on their own phones (the receipt's
QR code, the WhatsApp message).

``JBM_BASE_URL`` wins when it is set. Without it the server only knows its bind address
(``http://127.0.0.1:8000``), which no citizen's phone can open, so the address the request
came to is used instead: its scheme and ``Host`` header, when that header looks like a
host name or address with an optional port. ``create_app`` warns once at start-up.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from app.settings import Settings

# A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
_HOST = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
    r"|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?",
    re.IGNORECASE,
)

UNSET_WARNING = (
    "JBM_BASE_URL is not set: receipts and WhatsApp messages link to the address each "
    "request came to (its Host header). Set JBM_BASE_URL to the public https address."
)


def origin_from(scheme: str, host: str | None) -> str | None:
    """``scheme://host`` when both look sane, else None."""
    if scheme not in ("http", "https") or not host or len(host) > 260:
        return None
    if not _HOST.fullmatch(host):
        return None
    return f"{scheme}://{host.lower()}"


def public_base_url(request: Request[Any, Any, Any], settings: Settings) -> str:
    """The base of links for people: JBM_BASE_URL, else the request's own origin."""
    if settings.base_url_configured:
        return settings.base_url
    found = origin_from(request.url.scheme, request.headers.get("host"))
    return found or settings.base_url
