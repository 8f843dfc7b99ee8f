"""Web Push sending: VAPID keys and one encrypted POST to a push service.

The only module that imports pywebpush (for the aes128gcm encryption; the POST goes through
``PushSession``, app/notify/endpoints.py). Sends are synchronous; the notifier runs them in
threads (``asyncio.to_thread``) with bounded concurrency.
"""

from __future__ import annotations

import base64
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from pywebpush import WebPusher
from urllib3.exceptions import HTTPError

from app.domain.backoff import parse_retry_after
from app.domain.push_endpoint import EndpointPolicy, check_endpoint
from app.notify.endpoints import EndpointRefused, PushSession

KEY_FILE = "vapid_private.pem"
CLAIMS_LIFETIME_S = 12 * 3600  # exp <= 24 h (RFC 8292); Home Assistant uses 12 h
# A signed JWT serves every message to the same push service until its exp (RFC 8292):
# signing (ES256, ~0.1 ms) once per push service per 10 minutes, not once per message.
CLAIMS_REUSE_S = 600
URGENCIES = ("very-low", "low", "normal", "high")

Outcome = Literal["delivered", "gone", "retry", "failed"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class VapidKeys:
    vapid: Vapid02
    public_key: str  # applicationServerKey: base64url of the uncompressed P-256 point

    @classmethod
    def from_vapid(cls, vapid: Vapid02) -> VapidKeys:
        raw = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                            serialization.PublicFormat.UncompressedPoint)
        return cls(vapid, b64url(raw))

    @classmethod
    def load(cls, data_dir: Path, private_key: str | None = None,
             public_key: str | None = None) -> VapidKeys:
        """Keys from settings, or from the data directory (generated on first run)."""
        if private_key:
            text = private_key.strip()
            vapid = (Vapid02.from_pem(text.encode()) if text.startswith("-----")
                     else Vapid02.from_string(text))
            keys = cls.from_vapid(vapid)
            if public_key and public_key.strip().rstrip("=") != keys.public_key:
                raise ValueError("JBM_VAPID_PUBLIC_KEY does not match JBM_VAPID_PRIVATE_KEY")
            return keys
        path = data_dir / KEY_FILE
        if path.exists():
            return cls.from_vapid(Vapid02.from_pem(path.read_bytes()))
        data_dir.mkdir(parents=True, exist_ok=True)
        vapid = Vapid02()
        vapid.generate_keys()
        pem = vapid.private_pem()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return cls.from_vapid(Vapid02.from_pem(path.read_bytes()))
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        return cls.from_vapid(vapid)


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str

    def info(self) -> dict[str, object]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    status: int  # HTTP status, 0 for a network error
    retry_after_s: float | None = None


def classify(status: int) -> Outcome:
    if 200 <= status < 300:
        return "delivered"
    if status in (404, 410):
        return "gone"
    if status == 429 or status >= 500:
        return "retry"
    return "failed"  # 400, 401/403 (key mismatch), 413: resending the same will not help


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class PushSender:
    """Encrypts (aes128gcm) and posts one message, with VAPID claims at most 10 minutes old.

    Only to endpoints ``policy`` allows, connecting only to checked addresses and never
    following a redirect (app/notify/endpoints.py)."""

    def __init__(self, keys: VapidKeys, subject: str, ttl_s: int, policy: EndpointPolicy,
                 timeout: tuple[float, float] = (5.0, 15.0), connections: int = 10,
                 claims_reuse_s: float = CLAIMS_REUSE_S) -> None:
        self.keys = keys
        self.subject = subject
        self.ttl_s = ttl_s
        self.policy = policy
        self.timeout = timeout
        self.session = PushSession(policy, connections)  # kept-alive connections
        self.claims_reuse_s = claims_reuse_s
        self._signed: dict[str, tuple[float, dict[str, str]]] = {}  # aud -> (at, headers)

    def vapid_headers(self, endpoint: str) -> dict[str, str]:
        """The Authorization header for ``endpoint``'s push service (its origin is the
        ``aud``), signed at most ``claims_reuse_s`` ago (10 minutes: ``exp`` is always more
        than 11 h away). A new dict each call: the caller adds to it."""
        aud, now = origin(endpoint), time.time()
        signed = self._signed.get(aud)
        if signed is None or now - signed[0] >= self.claims_reuse_s:
            # a new claims dict per signature: py_vapid may write into the one it is given
            claims = {"sub": self.subject, "aud": aud, "exp": int(now) + CLAIMS_LIFETIME_S}
            if len(self._signed) >= 1000:  # many push service hosts: start over
                self._signed.clear()
            signed = self._signed[aud] = (now, dict(self.keys.vapid.sign(claims)))
        return dict(signed[1])

    def send(self, sub: Subscription, payload: bytes, urgency: str = "normal") -> SendResult:
        if check_endpoint(sub.endpoint, self.policy) is None:
            return SendResult("gone", 0)  # stored before the rules, or the rules changed
        headers = self.vapid_headers(sub.endpoint)
        headers["Urgency"] = urgency if urgency in URGENCIES else "normal"
        headers["TTL"] = str(self.ttl_s)
        headers["Content-Encoding"] = "aes128gcm"
        try:
            response = self.session.post(sub.endpoint, encrypt_only(sub, payload), headers,
                                         self.timeout)
        except EndpointRefused:
            return SendResult("failed", 0)  # its name now resolves to a private address
        except HTTPError:  # could not connect, reset, timed out
            return SendResult("retry", 0)
        status = int(response.status)
        return SendResult(classify(status), status,
                          parse_retry_after(response.headers.get("retry-after")))

    def close(self) -> None:
        self.session.close()


def encrypt_only(sub: Subscription, payload: bytes) -> bytes:
    """The aes128gcm body of a message to ``sub`` (a send's encryption; the benchmarks'
    baseline)."""
    return bytes(WebPusher(sub.info()).encode(payload, "aes128gcm")["body"])
