"""Short-lived signed tokens: "this browser passed the status lookup for application N".

The status page carries one after a successful /cek lookup; the citizen's subscribe and
unsubscribe calls must present it. No phone digits or NIK in it, and never in a URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

TOKEN_TTL_S = 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class LookupTokens:
    def __init__(self, secret: str, ttl_s: int = TOKEN_TTL_S) -> None:
        self._key = hashlib.sha256(b"jbm-push-lookup:" + secret.encode()).digest()
        self.ttl_s = ttl_s

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())

    def issue(self, application_id: int, now: float | None = None) -> str:
        expires = int((now or time.time()) + self.ttl_s)
        body = f"{application_id}.{expires}"
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str, now: float | None = None) -> int | None:
        """The application id, or None for a forged, malformed or expired token."""
        if not isinstance(token, str) or len(token) > 200:
            return None
        parts = token.split(".")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return None
        body = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._sign(body), parts[2]):
            return None
        if int(parts[1]) < (now or time.time()):
            return None
        return int(parts[0])


class SurveyTokens:
    """The satisfaction survey's link: "application N may answer once". No expiry (one
    response per application is kept by the table), no personal data: only the id and a
    truncated HMAC, so the link fits a push message and a WhatsApp text."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"jbm-survey:" + secret.encode()).digest()

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest()[:16])

    def issue(self, application_id: int) -> str:
        return f"{application_id}.{self._sign(str(application_id))}"

    def verify(self, token: str) -> int | None:
        """The application id, or None for a forged or malformed token."""
        if not isinstance(token, str) or len(token) > 64:
            return None
        head, _, sig = token.partition(".")
        if not head.isascii() or not head.isdigit() or len(head) > 12:
            return None
        if not hmac.compare_digest(self._sign(head), sig):
            return None
        return int(head)
