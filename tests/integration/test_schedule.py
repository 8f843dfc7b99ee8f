"""The public schedule over HTTP against the real server: pages, feeds (iCalendar, JSON)
that change when a round's row changes and answer 304 while it does not, the card, and
following a kecamatan's rounds. Rounds are written straight into the server's SQLite file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from icalendar import Calendar

from app.domain.rounds import WIB
from tests.pushservice import PushService
from tests.rounds import insert_round, move_round, taken_at, update_round
from tests.support import (
    LOCAL_PUSH_ENV,
    ServerProcess,
    application,
    client,
    new_key,
    officer_client,
    post_application,
    visible_text,
)

TODAY = datetime.now(WIB).date()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("jadwal"), JBM_ROUND_REMINDERS="off",
                         **LOCAL_PUSH_ENV)
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


def events_by_uid(body: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_schedule_pages(srv: ServerProcess) -> None:
    coming = insert_round(srv.db_path, TODAY + timedelta(days=5), place="Balai Desa Jaten")
    cancelled = insert_round(srv.db_path, TODAY + timedelta(days=3), place="Pasar Udanawu",
                             kecamatan="35.05.02", desa=None, lat=None, lng=None)
    update_round(srv.db_path, cancelled, status="cancelled",
                 cancel_reason="Lokasi tergenang banjir")
    moved = insert_round(srv.db_path, TODAY + timedelta(days=6), place="Lapangan Salam")
    move_round(srv.db_path, moved, TODAY + timedelta(days=8), "08:00", "12:00")
    draft = insert_round(srv.db_path, TODAY + timedelta(days=4), status="draft",
                         place="Rahasia Draf")
    past = insert_round(srv.db_path, TODAY - timedelta(days=2), place="Balai Desa Kaliboto")
    http = officer_client(srv.url)
    for _ in range(2):  # two businesses served at the past round
        key = new_key()
        assert post_application(http, key, application()).status_code == 201
        taken_at(srv.db_path, key, past)
    http.close()

    with client(srv.url) as web:
        page = web.get("/jadwal")
        assert page.status_code == 200
        text = visible_text(page.text)
        assert "Data per " in text and "data-as-of=" in page.text
        assert "DIBATALKAN: Lokasi tergenang banjir" in text
        assert "Jadwal berubah" in text and "Rahasia Draf" not in text
        assert f'href="/jadwal/{coming}"' in page.text and f'href="/jadwal/{past}"' in page.text
        assert "2 usaha dilayani" in text
        assert "Siti" not in text and "3505014507900012" not in text
        only = visible_text(web.get("/jadwal", params={"kecamatan": "35.05.02"}).text)
        assert "Pasar Udanawu" in only and "Balai Desa Jaten" not in only

        detail = web.get(f"/jadwal/{coming}")
        assert detail.status_code == 200
        text = visible_text(detail.text)
        day = TODAY + timedelta(days=5)
        assert f"{day.day} " in text and "19.00–22.00 WIB" in text
        assert "Balai Desa Jaten" in text and "Kecamatan Wonodadi" in text
        assert "KPP Pratama Blitar" in text and "BPJS Ketenagakerjaan" in text
        assert "KTP (NIK)" in text and "Gratis" in text
        assert ("https://www.openstreetmap.org/?mlat=-8.09550&amp;mlon=112.16090"
                "#map=17/-8.09550/112.16090") in detail.text
        share = detail.text.split('href="https://wa.me/?text=', 1)[1].split('"', 1)[0]
        (message,) = parse_qs(urlsplit("https://wa.me/?text=" + share.replace("&amp;", "&")
                                       ).query)["text"]
        assert f"/jadwal/{coming}" in message and "19.00–22.00 WIB" in message
        assert f'href="/jadwal/{coming}.ics"' in detail.text
        assert 'data-push="kecamatan"' in detail.text
        assert 'data-push-kecamatan="35.05.01"' in detail.text

        assert "2 usaha dilayani" in visible_text(web.get(f"/jadwal/{past}").text)
        assert "DIBATALKAN" in visible_text(web.get(f"/jadwal/{cancelled}").text)
        for missing in (f"/jadwal/{draft}", "/jadwal/999999", "/jadwal/abc",
                        f"/jadwal/{draft}.ics", "/jadwal/kecamatan/99.99.99.ics"):
            assert web.get(missing).status_code == 404, missing


def test_feeds_change_with_the_round_and_answer_304_meanwhile(srv: ServerProcess) -> None:
    round_id = insert_round(srv.db_path, TODAY + timedelta(days=10), kecamatan="35.05.03",
                            desa=None, place="Alun-alun Srengat")
    uid = f"round-{round_id}@jbm.blitarkab.go.id"
    with client(srv.url) as web:
        first = web.get("/jadwal.ics")
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("text/calendar")
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        event = events_by_uid(first.content)[uid]
        assert int(event["SEQUENCE"]) == 0 and str(event["STATUS"]) == "CONFIRMED"

        again = web.get("/jadwal.ics", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert web.get("/jadwal.ics", headers={"If-Modified-Since": modified}).status_code == 304
        feed_json = web.get("/jadwal.json")
        json_tag = feed_json.headers["etag"]
        assert web.get("/jadwal.json", headers={"If-None-Match": json_tag}).status_code == 304

        move_round(srv.db_path, round_id, TODAY + timedelta(days=11), "13:00", "16:00")
        moved = web.get("/jadwal.ics", headers={"If-None-Match": etag,
                                                "If-Modified-Since": modified})
        assert moved.status_code == 200 and moved.headers["etag"] != etag
        event = events_by_uid(moved.content)[uid]
        assert int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART").hour == 13
        json_moved = web.get("/jadwal.json", headers={"If-None-Match": json_tag})
        assert json_moved.status_code == 200
        mine = next(r for r in json_moved.json()["rounds"] if r["id"] == round_id)
        assert mine["moved"] is True and mine["start"].endswith("T13:00:00+07:00")

        update_round(srv.db_path, round_id, status="cancelled", cancel_reason="Mobil rusak")
        cancelled = web.get("/jadwal.ics", headers={"If-None-Match": moved.headers["etag"]})
        assert cancelled.status_code == 200
        event = events_by_uid(cancelled.content)[uid]
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
        data = web.get("/jadwal.json").json()
        assert data["licence"].startswith("Data terbuka")
        mine = next(r for r in data["rounds"] if r["id"] == round_id)
        assert (mine["status"], mine["cancel_reason"]) == ("cancelled", "Mobil rusak")

        # each encoding is a representation of its own (own ETag), made once per change
        plain = web.get("/jadwal.ics", headers={"Accept-Encoding": "identity"})
        for encoding in ("br", "gzip"):
            packed = web.get("/jadwal.ics", headers={"Accept-Encoding": encoding})
            assert packed.headers["content-encoding"] == encoding
            assert packed.headers["vary"] == "Accept-Encoding"
            assert packed.content == plain.content  # httpx decodes it
            assert packed.headers["etag"] == plain.headers["etag"][:-1] + f'-{encoding}"'
            assert web.get("/jadwal.ics", headers={
                "If-None-Match": packed.headers["etag"]}).status_code == 304
        assert "set-cookie" not in plain.headers  # a public feed carries no cookie

        own = web.get("/jadwal/kecamatan/35.05.03.ics")
        assert own.status_code == 200
        assert {str(e["LOCATION"]).split(",")[0]
                for e in Calendar.from_ical(own.content).walk("VEVENT")} == {"Alun-alun Srengat"}
        one = web.get(f"/jadwal/{round_id}.ics")
        assert one.status_code == 200 and "attachment" in one.headers["content-disposition"]
        assert list(events_by_uid(one.content)) == [uid]
        assert web.get(f"/jadwal/{round_id}.ics",
                       headers={"If-None-Match": one.headers["etag"]}).status_code == 304


def test_card_is_an_svg_with_the_round(srv: ServerProcess) -> None:
    round_id = insert_round(srv.db_path, TODAY + timedelta(days=9), place="Balai Desa Salam")
    answer = httpx.get(f"{srv.url}/jadwal/{round_id}/kartu.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(answer.content)
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Balai Desa Salam" in text and "Kecamatan Wonodadi" in text
    assert f"/jadwal/{round_id}" in text


def test_following_a_kecamatan(srv: ServerProcess) -> None:
    push = PushService()
    sub = push.subscription()
    try:
        with client(srv.url) as web:
            bad = web.post("/api/push/kecamatan", json={"subscription": sub.info(),
                                                        "kecamatan": "99.99.99"})
            assert bad.status_code == 422
            for code in ("35.05.01", "35.05.03"):
                r = web.post("/api/push/kecamatan", json={"subscription": sub.info(),
                                                          "kecamatan": code})
                assert r.status_code == 201, r.text
            state = web.post("/api/push/kecamatan/status", json={"endpoint": sub.endpoint})
            assert state.json()["subscribed"] is True
            assert "Srengat" in state.json()["text"] and "Wonodadi" in state.json()["text"]
            one = web.post("/api/push/kecamatan/status", json={"endpoint": sub.endpoint,
                                                               "kecamatan": "35.05.02"})
            assert one.json()["subscribed"] is False
            assert web.post("/api/push/kecamatan/berhenti", json={
                "endpoint": sub.endpoint, "kecamatan": "35.05.01"}).status_code == 200
            assert srv.query("SELECT l.kecamatan FROM push_links l JOIN push_subscriptions s"
                             " ON s.id = l.subscription_id WHERE s.endpoint = ?",
                             sub.endpoint) == [("35.05.03",)]
            # no kecamatan named: every reminder of this phone stops, and the phone is
            # forgotten (no link left)
            assert web.post("/api/push/kecamatan/berhenti",
                            json={"endpoint": sub.endpoint}).status_code == 200
            assert srv.query("SELECT 1 FROM push_subscriptions WHERE endpoint = ?",
                             sub.endpoint) == []
            cross = web.post("/api/push/kecamatan", json={"subscription": sub.info(),
                                                          "kecamatan": "35.05.01"},
                             headers={"sec-fetch-site": "cross-site"})
            assert cross.status_code == 403
    finally:
        push.close()
