"""Push throughput: notifications/s delivered to the local push service (encryption and
VAPID signing included, over HTTP on 127.0.0.1) vs raw aes128gcm encryption of the same
payloads, measured in the same run. Last line: one JSON object. Bounded < 60 s."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.push_endpoint import EndpointPolicy
from app.notify.push import PushSender, Subscription, VapidKeys, encrypt_only
from tests.pushservice import PushService

BUDGET_S = 15.0
CONCURRENCY = 4


def main() -> None:
    keys = VapidKeys.load(Path(tempfile.mkdtemp()))
    service = PushService(expected_key=keys.public_key)
    subs = []
    for _ in range(20):
        info = service.subscription().info()
        subs.append(Subscription(info["endpoint"], info["keys"]["p256dh"], info["keys"]["auth"]))
    payload = json.dumps({"title": "NIB sudah terbit", "body": "Permohonan ABC-DEFG: NIB sudah"
                          " terbit. Ketuk untuk melihat.", "url": "/cek?kode=ABCDEFG",
                          "tag": "jbm-ABCDEFG"}).encode()
    local = EndpointPolicy(("127.0.0.1",), allow_http=True, allow_private=True)
    sender = PushSender(keys, "mailto:dpmptsp@blitarkab.go.id", 2 * 86400, local)

    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < BUDGET_S / 3:
        encrypt_only(subs[n % len(subs)], payload)
        n += 1
    encrypt_per_s = n / (time.perf_counter() - start)

    sent = 0
    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        while time.perf_counter() - start < BUDGET_S * 2 / 3:
            batch = [subs[(sent + i) % len(subs)] for i in range(64)]
            results = list(pool.map(lambda s: sender.send(s, payload, "high"), batch))
            assert all(r.outcome == "delivered" for r in results), results[:3]
            sent += len(batch)
    delivered_per_s = sent / (time.perf_counter() - start)
    assert len(service.received) == sent and not service.rejected
    sender.close()
    service.close()
    print(f"encrypt only: {encrypt_per_s:.0f}/s; delivered (verified + decrypted by the local"
          f" push service, {CONCURRENCY} threads): {delivered_per_s:.0f}/s")
    print(json.dumps({"bench": "push", "delivered_per_s": round(delivered_per_s, 1),
                      "encrypt_per_s": round(encrypt_per_s, 1),
                      "ratio": round(delivered_per_s / encrypt_per_s, 3)}))


if __name__ == "__main__":
    main()
