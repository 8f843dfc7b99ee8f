"""A new round reaches the phones following its kecamatan once, when it is first published:
published over HTTP by the office (twice clicked, then edited), the reminder job run with an
injected clock (``python -m app reminders --now``; the server's own job is off) and the
local push service (tests/pushservice.py) that checks VAPID and decrypts every message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import httpx
import pytest

from app.domain.rounds import WIB, date_text
from tests.integration.rounds_support import admin_client, create_round, post_form, round_form
from tests.integration.test_schedule_reminders import DAY, EVE, at, follow, reminders
from tests.pushservice import PushService
from tests.rounds import insert_round
from tests.support import LOCAL_PUSH_ENV, ServerProcess

NOTHING = "pengingat jadwal: 0 pemberitahuan, 0 kiriman push"
ONE = "pengingat jadwal: 1 pemberitahuan, 1 kiriman push"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("terbit"), JBM_PUSH_POLL_S="0.1",
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


@pytest.fixture
def admin(srv: ServerProcess) -> Iterator[httpx.Client]:
    http = admin_client(srv.url)
    yield http
    http.close()


def now() -> str:
    """The real clock: the push jobs made are due at once."""
    return datetime.now(WIB).isoformat()


def notices(srv: ServerProcess, round_id: int) -> list[tuple[str, int]]:
    return srv.query("SELECT kind, recipients FROM round_notices WHERE round_id = ?"
                     " ORDER BY id", round_id)


def test_a_new_round_is_announced_once_to_its_kecamatan(
        srv: ServerProcess, push: PushService, admin: httpx.Client) -> None:
    follower, elsewhere = push.subscription(), push.subscription()
    follow(srv, follower, "35.05.01")  # Wonodadi, where the rounds below are
    follow(srv, elsewhere, "35.05.16")

    # Published the evening before (18.30, its reminder due): the reminder says it alone.
    tonight = insert_round(srv.db_path, DAY, start="19:00", end="22:00")
    assert reminders(srv, at(EVE, 18, 30)) == ONE
    assert notices(srv, tonight) == [("reminder", 1)]

    # Rounds already over when first seen say nothing.
    past = insert_round(srv.db_path, DAY - timedelta(days=2))
    round_id = create_round(admin, offset=5)  # a draft: nothing yet
    assert reminders(srv, now()) == NOTHING
    page, publish = f"/admin/jadwal/{round_id}", f"/admin/jadwal/{round_id}/terbitkan"
    assert post_form(admin, page, publish, {}).status_code == 303
    assert post_form(admin, page, publish, {}).status_code == 422  # clicked twice
    assert reminders(srv, now()) == ONE
    assert reminders(srv, now()) == NOTHING
    push.wait_for(lambda: len(push.for_sub(follower)) >= 2)

    # An edit of the published round: the usual "moved" message, no second announcement.
    edit = f"/admin/jadwal/{round_id}/ubah"
    assert post_form(admin, edit, edit, round_form(5, start="20.00")).status_code == 303
    assert reminders(srv, now()) == ONE
    assert post_form(admin, edit, edit, round_form(5, start="20.00", note="Bawa KK")
                     ).status_code == 303
    assert reminders(srv, now()) == NOTHING
    push.wait_for(lambda: len(push.for_sub(follower)) >= 3)

    day = date.fromisoformat(round_form(5)["day"])
    got = [r.payload for r in push.for_sub(follower)]
    assert [p["title"] for p in got] == ["Besok: Joss Banget Mas di Kec. Wonodadi",
                                         "Jadwal baru: Joss Banget Mas di Kec. Wonodadi",
                                         "Jadwal berubah: Kec. Wonodadi"]
    assert got[1] == {
        "title": "Jadwal baru: Joss Banget Mas di Kec. Wonodadi",
        "body": (f"Mobil layanan DPMPTSP akan datang ke Kec. Wonodadi, {date_text(day)} pukul "
                 "19.00–22.00 WIB di Balai Desa. Daftar NIB gratis, bawa KTP."),
        "url": f"/jadwal/{round_id}", "tag": f"jbm-jadwal-{round_id}"}
    assert push.for_sub(follower)[1].headers["urgency"] == "normal"
    assert push.for_sub(elsewhere) == [] and push.rejected == []
    assert notices(srv, round_id) == [("published", 1), ("moved", 1)]
    assert notices(srv, past) == []

    # First seen while it runs (the job was off, say): too late to announce.
    running = insert_round(srv.db_path, DAY + timedelta(days=2), start="08:00", end="12:00")
    assert reminders(srv, at(DAY + timedelta(days=2), 9, 0)) == NOTHING
    assert notices(srv, running) == []
