"""Schedule benchmark: the iCalendar feed and a reminder's fan-out, as ratios to baselines
measured in the same run.

Run from the repo root::

    .venv/bin/python bench/schedule.py          # ~1-2 min; the last line is JSON

1. Feed. A real server (``python -m app serve`` in a temp dir) with 300 published rounds
   written into its SQLite file. A keep-alive HTTP/1.1 client (bench/_common.py, a few
   connections) asks for ``/healthz``, ``/jadwal.ics`` with ``If-None-Match`` (answered
   304) and ``/jadwal.ics`` plainly (200, ~300 events, brotli as a phone asks for it), in
   interleaved phases; each rate is the median of its phases. Ratios: feed rate / healthz
   rate (aim for 304s: >= 0.5).
2. Fan-out. A second server with the push notifier polling every 0.1 s, 10,000 phones
   following one kecamatan (subscriptions written into its SQLite file, endpoints on a
   minimal local push receiver on 127.0.0.1 that answers 201), one round there tomorrow.
   The reminder job runs once with its clock at 18.00 WIB the evening before (the same call
   as ``python -m app reminders --now``); the time runs until the receiver has 10,000
   messages and the queue has 10,000 jobs done. Baseline: encrypting the same 10,000
   messages alone (aes128gcm, ``app.notify.push.encrypt_only``), one thread, same run.
   ratio_fanout = fan-out seconds / encryption seconds (lower is better).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncio
import base64
import sqlite3
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.db.connection import open_sync, run_transaction
from app.domain.rounds import WIB
from app.domain.schedule import reminder_moment
from app.notify.push import Subscription, encrypt_only
from app.reference.regions import Regions
from app.services import reminders
from bench._common import RawHttpConnection, deadline, emit, running_server
from tests.rounds import insert_round
from tests.support import LOCAL_PUSH_ENV

BUDGET_S = 175
ROUNDS = 300
PHONES = 10_000
PHASE_S = 3.0
CONNECTIONS = 4
AIM_304 = 0.5
KECAMATAN = [f"35.05.{n:02d}" for n in range(1, 23)]


# -- 1. the feed ------------------------------------------------------------------------------
def seed_rounds(db: Path) -> None:
    today = datetime.now(WIB).date()
    for i in range(ROUNDS):
        insert_round(db, today + timedelta(days=i % 60 - 20), kecamatan=KECAMATAN[i % 22],
                     desa=None, place=f"Balai Desa nomor {i}",
                     agencies=("kpp", "bpjs_tk", "dinkes")[: 1 + i % 3])


async def rate(port: int, raw: bytes, expect: int, seconds: float) -> float:
    conns = [await RawHttpConnection("127.0.0.1", port).open() for _ in range(CONNECTIONS)]
    done = 0
    stop = time.perf_counter() + seconds

    async def worker(conn: RawHttpConnection) -> None:
        nonlocal done
        while time.perf_counter() < stop:
            status, _ = await conn.send(raw)
            if status != expect:
                raise RuntimeError(f"expected {expect}, got {status}")
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    elapsed = time.perf_counter() - start
    for conn in conns:
        await conn.close()
    return done / elapsed


async def feed_rates(port: int, etag: str) -> dict[str, float]:
    host = f"127.0.0.1:{port}"
    requests = {
        "healthz": (RawHttpConnection.request("GET", "/healthz", host, []), 200),
        "ics_304": (RawHttpConnection.request(
            "GET", "/jadwal.ics", host, [("If-None-Match", etag),
                                         ("Accept-Encoding", "br, gzip")]), 304),
        "ics_200": (RawHttpConnection.request(
            "GET", "/jadwal.ics", host, [("Accept-Encoding", "br, gzip")]), 200),
    }
    runs: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(2):
        for name, (raw, expect) in requests.items():
            runs[name].append(await rate(port, raw, expect, PHASE_S))
    return {name: statistics.median(values) for name, values in runs.items()}


# -- 2. the fan-out ----------------------------------------------------------------------------
class Receiver:
    """A minimal push service: keep-alive HTTP/1.1 on 127.0.0.1, 201 for every POST."""

    def __init__(self) -> None:
        self.count = 0
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def serve() -> None:
            self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()

        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(serve(), self.loop)
        ready.wait(5)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                self.count += 1
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def phone_keys() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64(key), b64(b"0123456789abcdef")


def seed_phones(db: Path, port: int, p256dh: str, auth: str) -> None:
    now = datetime.now(UTC).isoformat()
    conn = sqlite3.connect(db)
    with conn:
        conn.executemany(
            "INSERT INTO push_subscriptions (id, endpoint, p256dh, auth, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(i, f"http://127.0.0.1:{port}/push/{i}", p256dh, auth, now)
             for i in range(1, PHONES + 1)])
        conn.executemany(
            "INSERT INTO push_links (subscription_id, kecamatan, created_at) VALUES (?, ?, ?)",
            [(i, "35.05.05", now) for i in range(1, PHONES + 1)])
    conn.close()


def fanout(db: Path, receiver: Receiver) -> tuple[float, str]:
    day = datetime.now(WIB).date() + timedelta(days=1)
    round_id = insert_round(db, day, kecamatan="35.05.05", desa=None, place="Balai Desa Bakung")
    start = time.perf_counter()
    conn = open_sync(db)
    try:
        result = run_transaction(conn, reminders.run, Regions.load(), reminder_moment(day))
    finally:
        conn.close()
    assert result.jobs == PHONES, result
    while receiver.count < PHONES:
        time.sleep(0.05)
    check = sqlite3.connect(db)
    try:
        while check.execute("SELECT count(*) FROM push_jobs WHERE state = 'done'").fetchone()[0] \
                < PHONES:
            time.sleep(0.05)
        payload = check.execute("SELECT payload FROM push_jobs LIMIT 1").fetchone()[0]
    finally:
        check.close()
    assert f"/jadwal/{round_id}" in payload
    return time.perf_counter() - start, payload


def encrypt_seconds(payload: str, p256dh: str, auth: str) -> float:
    body = payload.encode()
    subs = [Subscription(f"http://127.0.0.1/push/{i}", p256dh, auth) for i in range(PHONES)]
    start = time.perf_counter()
    for sub in subs:
        encrypt_only(sub, body)
    return time.perf_counter() - start


def main() -> None:
    with deadline(BUDGET_S):
        with running_server(JBM_ROUND_REMINDERS="off", JBM_PUSH_NOTIFIER="0") as (server, _c, _t):
            seed_rounds(server.db_path)
            first = httpx.get(f"{server.url}/jadwal.ics")
            assert first.content.count(b"BEGIN:VEVENT") == ROUNDS, first.content[:200]
            rates = asyncio.run(feed_rates(server.port, first.headers["etag"]))
        ratio_304 = rates["ics_304"] / rates["healthz"]
        ratio_200 = rates["ics_200"] / rates["healthz"]
        print(f"healthz {rates['healthz']:.0f}/s; /jadwal.ics ({ROUNDS} rounds) 304 "
              f"{rates['ics_304']:.0f}/s (ratio {ratio_304:.2f}, aim >= {AIM_304}), 200 "
              f"{rates['ics_200']:.0f}/s (ratio {ratio_200:.2f})", flush=True)

        receiver = Receiver()
        p256dh, auth = phone_keys()
        env = {"JBM_ROUND_REMINDERS": "off", "JBM_PUSH_POLL_S": "0.1", **LOCAL_PUSH_ENV}
        with running_server(**env) as (server, _c, _t):
            seed_phones(server.db_path, receiver.port, p256dh, auth)
            fan_s, payload = fanout(server.db_path, receiver)
        receiver.close()
        enc_s = encrypt_seconds(payload, p256dh, auth)
        print(f"reminder to {PHONES:,} phones: {fan_s:.1f} s through the server's notifier "
              f"(encryption alone {enc_s:.1f} s, ratio {fan_s / enc_s:.2f})", flush=True)
    emit({"bench": "schedule", "rounds": ROUNDS,
          "healthz_per_s": round(rates["healthz"], 1),
          "ics_304_per_s": round(rates["ics_304"], 1),
          "ics_200_per_s": round(rates["ics_200"], 1),
          "ratio_ics_304": round(ratio_304, 3), "ratio_ics_200": round(ratio_200, 3),
          "fanout_10k_s": round(fan_s, 2), "encrypt_10k_s": round(enc_s, 2),
          "ratio_fanout": round(fan_s / enc_s, 2)})


if __name__ == "__main__":
    main()
