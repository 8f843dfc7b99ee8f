"""The sender alone against the local push service (tests/pushservice.py), which verifies
the VAPID JWT (ES256, aud, exp within 24 h) and decrypts the aes128gcm body."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.push_endpoint import EndpointPolicy
from app.notify.push import PushSender, Subscription, VapidKeys
from tests.pushservice import PushService

LOCAL = EndpointPolicy(("127.0.0.1",), allow_http=True, allow_private=True)
PAYLOAD = {"title": "NIB sudah terbit", "body": "Permohonan ABC-DEFG", "url": "/cek",
           "tag": "jbm-ABCDEFG"}


@pytest.fixture
def keys(tmp_path: Path) -> VapidKeys:
    return VapidKeys.load(tmp_path)


@pytest.fixture
def push(keys: VapidKeys) -> Iterator[PushService]:
    service = PushService(expected_key=keys.public_key)
    yield service
    service.close()


def send_three(sender: PushSender, push: PushService) -> list[str]:
    subs = [push.subscription() for _ in range(3)]
    for sub in subs:
        info = sub.info()
        result = sender.send(Subscription(info["endpoint"], info["keys"]["p256dh"],
                                          info["keys"]["auth"]), json.dumps(PAYLOAD).encode(),
                             "high")
        assert (result.outcome, result.status) == ("delivered", 201)
    assert push.rejected == [] and [r.payload for r in push.received] == [PAYLOAD] * 3
    return [r.headers["authorization"] for r in push.received]


def test_one_signature_serves_the_messages_to_a_push_service_for_a_while(
        keys: VapidKeys, push: PushService) -> None:
    sender = PushSender(keys, "mailto:dpmptsp@blitarkab.go.id", 2 * 86400, LOCAL)
    try:
        authorizations = send_three(sender, push)
    finally:
        sender.close()
    assert len(set(authorizations)) == 1  # signed once, reused
    for r in push.received:  # and still valid for hours: exp > 11 h ahead, <= 24 h
        assert r.claims["exp"] > time.time() + 11 * 3600
        assert r.headers["urgency"] == "high" and int(r.headers["ttl"]) == 2 * 86400


def test_claims_are_signed_again_once_the_reuse_time_is_over(
        keys: VapidKeys, push: PushService) -> None:
    sender = PushSender(keys, "mailto:dpmptsp@blitarkab.go.id", 2 * 86400, LOCAL,
                        claims_reuse_s=0)
    try:
        authorizations = send_three(sender, push)
    finally:
        sender.close()
    assert len(set(authorizations)) == 3  # ES256 signatures are randomized: new each time
