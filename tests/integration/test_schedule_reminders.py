"""Reminders for phones following a kecamatan, end to end: the real server (its notifier
delivers), the reminder job run with an injected clock (``python -m app reminders --now``;
the server's own job is off so only the injected clock decides), and the local push service
(tests/pushservice.py) that checks VAPID and decrypts every message. Nothing sleeps to make
time pass."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import httpx
import pytest

from app.domain.rounds import WIB
from tests.pushservice import PushService, Sub
from tests.rounds import insert_round, update_round
from tests.support import LOCAL_PUSH_ENV, ROOT, ServerProcess, client

# The round is today (WIB): its reminder moment, 18.00 yesterday, is already past on the
# real clock, so the push jobs the injected clock makes are due at once.
DAY = datetime.now(WIB).date()
EVE = DAY - timedelta(days=1)


def at(day: date, hour: int, minute: int) -> str:
    return datetime.combine(day, time(hour, minute), WIB).isoformat()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("pengingat"), JBM_PUSH_POLL_S="0.1",
                         JBM_ROUND_REMINDERS="off", **LOCAL_PUSH_ENV)
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def push(srv: ServerProcess) -> Iterator[PushService]:
    key = httpx.get(f"{srv.url}/api/push/kunci").json()["publicKey"]
    service = PushService(expected_key=key)
    yield service
    service.close()


def reminders(srv: ServerProcess, now: str) -> str:
    done = subprocess.run([sys.executable, "-m", "app", "reminders", "--now", now],
                          env=srv.env, cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def follow(srv: ServerProcess, sub: Sub, kecamatan: str) -> None:
    with client(srv.url) as web:
        r = web.post("/api/push/kecamatan", json={"subscription": sub.info(),
                                                  "kecamatan": kecamatan})
        assert r.status_code == 201, r.text


def test_reminder_the_evening_before_then_move_and_cancel_notices(
        srv: ServerProcess, push: PushService) -> None:
    main = insert_round(srv.db_path, DAY, start="19:00", end="22:00", kecamatan="35.05.05",
                        desa=None, place="Balai Desa Bakung")
    other = insert_round(srv.db_path, DAY, start="08:00", end="11:00", kecamatan="35.05.05",
                         desa=None, place="Pasar Bakung")
    # Seen by the job before anyone follows Bakung: their announcement reached nobody
    # (tests/integration/test_schedule_first_publish.py follows it).
    assert reminders(srv, at(EVE, 12, 0)) == "pengingat jadwal: 2 pemberitahuan, 0 kiriman push"
    follower, elsewhere = push.subscription(), push.subscription()
    follow(srv, follower, "35.05.05")
    follow(srv, elsewhere, "35.05.16")

    assert reminders(srv, at(EVE, 17, 59)) == "pengingat jadwal: 0 pemberitahuan, 0 kiriman push"
    assert reminders(srv, at(EVE, 18, 0)) == "pengingat jadwal: 2 pemberitahuan, 2 kiriman push"
    push.wait_for(lambda: len(push.for_sub(follower)) >= 2)
    assert reminders(srv, at(EVE, 18, 5)) == "pengingat jadwal: 0 pemberitahuan, 0 kiriman push"
    got = {r.payload["url"]: r.payload for r in push.for_sub(follower)}
    assert set(got) == {f"/jadwal/{main}", f"/jadwal/{other}"}
    reminder = got[f"/jadwal/{main}"]
    assert reminder["title"] == "Besok: Joss Banget Mas di Kec. Bakung"
    assert "19.00–22.00 WIB" in reminder["body"] and "Balai Desa Bakung" in reminder["body"]
    assert push.for_sub(elsewhere) == [] and push.rejected == []

    update_round(srv.db_path, other, place="Lapangan Bakung")  # moved: a new place
    update_round(srv.db_path, main, note="Bawa fotokopi KTP")  # an edit, not a move
    assert reminders(srv, at(EVE, 18, 10)) == "pengingat jadwal: 1 pemberitahuan, 1 kiriman push"
    update_round(srv.db_path, main, status="cancelled", cancel_reason="Jalan ditutup")
    assert reminders(srv, at(EVE, 18, 15)) == "pengingat jadwal: 1 pemberitahuan, 1 kiriman push"
    push.wait_for(lambda: len(push.for_sub(follower)) >= 4)
    titles = [r.payload["title"] for r in push.for_sub(follower)]
    assert titles[2:] == ["Jadwal berubah: Kec. Bakung",
                          "DIBATALKAN: Joss Banget Mas Kec. Bakung"]
    cancelled = push.for_sub(follower)[3].payload
    assert "Jalan ditutup" in cancelled["body"] and cancelled["url"] == f"/jadwal/{main}"
    assert push.for_sub(follower)[3].headers["urgency"] == "high"
    for received in push.for_sub(follower):
        assert set(received.payload) == {"title", "body", "url", "tag"}

    # Unsubscribed: the next change is recorded and reaches nobody.
    with client(srv.url) as web:
        assert web.post("/api/push/kecamatan/berhenti",
                        json={"endpoint": follower.endpoint}).status_code == 200
    update_round(srv.db_path, other, place="Balai Desa Bakung")
    assert reminders(srv, at(EVE, 18, 20)) == "pengingat jadwal: 1 pemberitahuan, 0 kiriman push"
    assert srv.query("SELECT kind, recipients FROM round_notices WHERE round_id = ?"
                     " ORDER BY id", other) == [("published", 0), ("reminder", 1), ("moved", 1),
                                                ("moved", 0)]
