"""A local Web Push service for tests: an HTTP server on 127.0.0.1 that checks what a real
push service checks (VAPID JWT signed with the app's key, aud, exp; TTL; aes128gcm), decrypts
each message with the subscription's private key (http_ece) and records it.

``PushService.subscription()`` makes a browser-like subscription (P-256 key pair + auth
secret) whose endpoint is on this server; ``answers`` queues the status codes to give.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64d(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Received:
    sub_id: str
    payload: dict[str, Any]
    headers: dict[str, str]
    claims: dict[str, Any]


@dataclass
class Sub:
    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    endpoint: str

    def info(self) -> dict[str, Any]:
        pub = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64e(pub), "auth": b64e(self.auth)}}


@dataclass
class PushService:
    expected_key: str | None = None  # the app's VAPID public key (base64url), if known
    received: list[Received] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    answers: dict[str, list[int]] = field(default_factory=dict)  # per sub: statuses to give
    attempts: dict[str, int] = field(default_factory=dict)
    subs: dict[str, Sub] = field(default_factory=dict)
    verify: bool = True

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                status = service.handle(self.path, dict(self.headers.items()),
                                        self.rfile.read(int(self.headers.get("content-length", 0))))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscription(self) -> Sub:
        sub_id = b64e(os.urandom(12))
        sub = Sub(sub_id, ec.generate_private_key(ec.SECP256R1()), os.urandom(16),
                  f"{self.url}/push/{sub_id}")
        self.subs[sub_id] = sub
        return sub

    def for_sub(self, sub: Sub) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.sub_id == sub.id]

    def wait_for(self, predicate: Any, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate():
                    return
            time.sleep(0.05)
        raise AssertionError(f"timed out; received={len(self.received)} "
                             f"rejected={self.rejected} attempts={self.attempts}")

    # -- the checks --------------------------------------------------------------------------
    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        headers = {k.lower(): v for k, v in headers.items()}
        sub_id = path.rsplit("/", 1)[-1]
        with self.lock:
            self.attempts[sub_id] = self.attempts.get(sub_id, 0) + 1
            queued = self.answers.get(sub_id)
            forced = queued.pop(0) if queued else None
        sub = self.subs.get(sub_id)
        if sub is None:
            return 404
        if forced is not None and forced >= 300:
            return forced
        try:
            claims = self.check(headers) if self.verify else {}
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError("content-encoding is not aes128gcm")
            plain = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth,
                                     version="aes128gcm")
            payload = json.loads(plain)
        except Exception as exc:
            with self.lock:
                self.rejected.append(f"{type(exc).__name__}: {exc}")
            return 400
        with self.lock:
            self.received.append(Received(sub_id, payload, headers, claims))
        return forced or 201

    def check(self, headers: dict[str, str]) -> dict[str, Any]:
        ttl = headers.get("ttl")
        if ttl is None or int(ttl) < 86400:
            raise ValueError(f"TTL {ttl!r} is under a day")
        auth = headers.get("authorization", "")
        if not auth.startswith("vapid "):
            raise ValueError("no vapid authorization")
        params = dict(part.strip().split("=", 1) for part in auth[6:].split(","))
        token, key = params["t"], params["k"]
        if self.expected_key and key != self.expected_key:
            raise ValueError("unexpected VAPID key")
        head_b64, claims_b64, sig_b64 = token.split(".")
        header = json.loads(b64d(head_b64))
        if header.get("alg") != "ES256":
            raise ValueError("alg is not ES256")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
        sig = b64d(sig_b64)
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                   int.from_bytes(sig[32:], "big"))
        public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(b64d(claims_b64))
        if claims.get("aud") != self.url:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.url}")
        now = time.time()
        if not now < int(claims["exp"]) <= now + 24 * 3600:
            raise ValueError("exp not within 24 h")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("sub is not a contact")
        return claims
