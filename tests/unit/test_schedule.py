"""The public schedule's pure parts: the iCalendar feed (parsed back with the icalendar
library), the Indonesian date text, reminder moments, change notices and the card."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from app.domain import ical
from app.domain.round_card import card_svg
from app.domain.rounds import WIB, ends_at
from app.domain.schedule import (
    Agency,
    Announced,
    PublicRound,
    as_of_text,
    change_kind,
    first_publish_due,
    notice_payload,
    osm_link,
    reminder_due,
    share_text,
    whatsapp_share_link,
)

BASE = "https://jbm.example.go.id"


def public_round(round_id: int = 7, day: date = date(2026, 12, 12), start: str = "19:00",
                 end: str = "22:00", **changes: object) -> PublicRound:
    begin, finish = time.fromisoformat(start), time.fromisoformat(end)
    item = PublicRound(
        id=round_id, day=day, start=begin, end=finish,
        starts_at=datetime.combine(day, begin, WIB).astimezone(UTC),
        ends_at=ends_at(day, begin, finish).astimezone(UTC),
        kecamatan="35.05.01", kecamatan_name="Wonodadi", desa_name="Jaten",
        place="Balai Desa Jaten", lat=-8.0955, lng=112.1609, status="published",
        cancel_reason=None, sequence=0, note="", quota=40,
        agencies=(Agency("kpp", "KPP Pratama Blitar", "KPP Pratama"),),
        moved=False, updated_at=datetime(2026, 11, 1, 3, 0, tzinfo=UTC),
    )
    return dataclasses.replace(item, **changes)


def events(data: bytes) -> list:
    calendar = Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def test_feed_is_valid_icalendar_with_the_jakarta_zone() -> None:
    data = ical.calendar_bytes([public_round(7), public_round(8, date(2026, 12, 13))], BASE,
                               "Jadwal")
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["METHOD"]) == "PUBLISH"
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Jakarta"
    (standard,) = zone.walk("STANDARD")
    assert standard.decoded("TZOFFSETTO") == timedelta(hours=7)
    first, second = events(data)
    assert str(first["UID"]) == "round-7@jbm.blitarkab.go.id"
    assert first["DTSTART"].params["TZID"] == "Asia/Jakarta"
    start = first.decoded("DTSTART")
    assert start.utcoffset() == timedelta(hours=7) and (start.hour, start.minute) == (19, 0)
    assert first.decoded("DTEND").astimezone(UTC) == datetime(2026, 12, 12, 15, 0, tzinfo=UTC)
    assert str(first["STATUS"]) == "CONFIRMED" and int(first["SEQUENCE"]) == 0
    assert first["GEO"].latitude == pytest.approx(-8.0955)
    assert first["GEO"].longitude == pytest.approx(112.1609)
    assert str(first["LOCATION"]) == "Balai Desa Jaten, Jaten, Kecamatan Wonodadi"
    assert str(first["URL"]) == f"{BASE}/jadwal/7"
    description = str(first["DESCRIPTION"])
    assert "Sabtu, 12 Desember 2026, 19.00–22.00 WIB" in description
    assert "KTP" in description and "Gratis" in description and "NPWP" in description
    assert str(second["UID"]) == "round-8@jbm.blitarkab.go.id"


def test_same_rounds_give_the_same_bytes() -> None:
    rounds = [public_round(7), public_round(8)]
    assert ical.calendar_bytes(rounds, BASE, "J") == ical.calendar_bytes(rounds[::-1], BASE, "J")


def test_uid_stays_and_sequence_rises_when_a_round_is_moved() -> None:
    before = events(ical.calendar_bytes([public_round()], BASE, "J"))[0]
    moved = public_round(day=date(2026, 12, 14), start="08:00", end="12:00",
                         place="Pasar Wonodadi", sequence=3, moved=True,
                         updated_at=datetime(2026, 11, 5, tzinfo=UTC))
    after = events(ical.calendar_bytes([moved], BASE, "J"))[0]
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == 3 > int(before["SEQUENCE"])
    assert after.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 12, 14, 8, 0)
    assert str(after["LOCATION"]).startswith("Pasar Wonodadi")
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")


def test_cancelled_round_says_so_in_the_calendar() -> None:
    item = public_round(status="cancelled", cancel_reason="Lokasi banjir", sequence=2)
    (event,) = events(ical.calendar_bytes([item], BASE, "J"))
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    assert str(event["SUMMARY"]).startswith("DIBATALKAN")
    assert "Lokasi banjir" in str(event["DESCRIPTION"])


def test_an_end_after_midnight_is_the_next_day() -> None:
    item = public_round(start="20:00", end="01:00")
    (event,) = events(ical.calendar_bytes([item], BASE, "J"))
    assert event.decoded("DTEND").replace(tzinfo=None) == datetime(2026, 12, 13, 1, 0)
    assert item.when_text == "Sabtu, 12 Desember 2026, 20.00–01.00 (hari berikutnya) WIB"


def test_a_round_without_map_point_has_no_geo_and_no_map_link() -> None:
    item = public_round(lat=None, lng=None)
    (event,) = events(ical.calendar_bytes([item], BASE, "J"))
    assert "GEO" not in event and item.map_link is None


def test_indonesian_date_text() -> None:
    assert public_round().when_text == "Sabtu, 12 Desember 2026, 19.00–22.00 WIB"
    assert public_round(day=date(2027, 1, 3), start="07:30", end="11:00").when_text == (
        "Minggu, 3 Januari 2027, 07.30–11.00 WIB")
    moment = datetime(2026, 11, 30, 13, 5, tzinfo=UTC)
    assert as_of_text(moment) == "Data per 20.05 WIB, Senin, 30 November 2026"


def test_states_and_labels() -> None:
    item = public_round()
    assert item.label(item.starts_at - timedelta(days=1)) == "Terjadwal"
    assert item.label(item.starts_at) == "Sedang berlangsung"
    assert item.label(item.ends_at) == "Sudah selesai"
    moved = public_round(moved=True)
    assert moved.label(moved.starts_at - timedelta(hours=1)) == "Jadwal berubah"
    assert moved.notice().startswith("Jadwal berubah")
    cancelled = public_round(status="cancelled", cancel_reason="Hujan deras")
    assert cancelled.label(cancelled.starts_at) == "DIBATALKAN"
    assert cancelled.notice() == "DIBATALKAN: Hujan deras"


def test_map_and_share_links() -> None:
    assert osm_link(-8.0955, 112.1609) == (
        "https://www.openstreetmap.org/?mlat=-8.09550&mlon=112.16090#map=17/-8.09550/112.16090")
    link = whatsapp_share_link(share_text(public_round(), f"{BASE}/jadwal/7"))
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/")
    (text,) = parse_qs(parts.query)["text"]
    assert "Sabtu, 12 Desember 2026, 19.00–22.00 WIB" in text and f"{BASE}/jadwal/7" in text


@pytest.mark.parametrize(("now", "due"), [
    (datetime(2026, 12, 11, 17, 59, tzinfo=WIB), False),
    (datetime(2026, 12, 11, 18, 0, tzinfo=WIB), True),
    (datetime(2026, 12, 11, 23, 59, tzinfo=WIB), True),
    (datetime(2026, 12, 12, 0, 0, tzinfo=WIB), False),  # not at night
    (datetime(2026, 12, 10, 18, 0, tzinfo=WIB), False),
])
def test_reminder_goes_out_the_evening_before_from_18(now: datetime, due: bool) -> None:
    item = public_round()
    assert reminder_due(item.day, item.starts_at, now) is due


def test_no_reminder_once_the_round_began() -> None:
    # a round starting at 19.00 the same evening as its reminder window cannot happen, but
    # one starting just after midnight can: the reminder stops at its start
    item = public_round(day=date(2026, 12, 12), start="00:30", end="04:00")
    assert reminder_due(item.day, item.starts_at, datetime(2026, 12, 11, 23, 0, tzinfo=WIB))
    assert not reminder_due(item.day, item.starts_at, datetime(2026, 12, 12, 0, 31, tzinfo=WIB))


def test_change_kind() -> None:
    seen = Announced(1, "published", "2026-12-12T12:00", "2026-12-12T15:00", "Balai")
    assert change_kind(None, seen) is None
    assert change_kind(seen, seen) is None
    edited_note = dataclasses.replace(seen, sequence=2)
    assert change_kind(seen, edited_note) is None
    assert change_kind(seen, dataclasses.replace(seen, sequence=2,
                                                 starts_at="2026-12-13T12:00")) == "moved"
    assert change_kind(seen, dataclasses.replace(seen, sequence=2, place="Pasar")) == "moved"
    assert change_kind(seen, dataclasses.replace(seen, sequence=2,
                                                 status="cancelled")) == "cancelled"
    done = dataclasses.replace(seen, sequence=2, status="done")
    assert change_kind(seen, done) is None


def test_notice_payloads_name_the_round_only() -> None:
    item = public_round(status="cancelled", cancel_reason="Hujan deras")
    for kind in ("published", "reminder", "moved", "cancelled"):
        payload = notice_payload(kind, item)
        assert set(payload) == {"title", "body", "url", "tag"}
        assert payload["url"] == "/jadwal/7" and payload["tag"] == "jbm-jadwal-7"
        assert "Wonodadi" in payload["title"]
    assert notice_payload("cancelled", item)["title"].startswith("DIBATALKAN")
    assert "Hujan deras" in notice_payload("cancelled", item)["body"]
    assert notice_payload("reminder", item)["title"].startswith("Besok")


def test_a_new_round_is_announced_in_plain_words() -> None:
    assert notice_payload("published", public_round()) == {
        "title": "Jadwal baru: Joss Banget Mas di Kec. Wonodadi",
        "body": ("Mobil layanan DPMPTSP akan datang ke Kec. Wonodadi, Sabtu, 12 Desember 2026 "
                 "pukul 19.00–22.00 WIB di Balai Desa Jaten. Daftar NIB gratis, bawa KTP."),
        "url": "/jadwal/7", "tag": "jbm-jadwal-7"}


def test_a_round_is_announced_when_first_seen_published_and_not_yet_begun() -> None:
    seen = Announced(1, "published", "2026-12-12T12:00:00.000+00:00",
                     "2026-12-12T15:00:00.000+00:00", "Balai")
    before = datetime(2026, 12, 12, 18, 59, tzinfo=WIB)  # 11.59 UTC
    assert first_publish_due(None, seen, before)
    assert not first_publish_due(seen, seen, before)  # announced before
    assert not first_publish_due(None, seen, before + timedelta(minutes=1))  # it began
    assert not first_publish_due(None, dataclasses.replace(seen, status="cancelled"), before)


def test_card_is_well_formed_svg_with_the_round() -> None:
    item = public_round(place='Balai "Desa" <Jaten> & Pasar')
    svg = card_svg(item, f"{BASE}/jadwal/7")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for part in ("Sabtu, 12 Desember 2026", "19.00–22.00 WIB", 'Balai "Desa" <Jaten> & Pasar',
                 "Kecamatan Wonodadi", "DPMPTSP Kabupaten Blitar", "KPP Pratama"):
        assert part in text
    (qr,) = [p for p in root.iter("{http://www.w3.org/2000/svg}path")]
    assert qr.get("d").count("M") > 100  # a QR code's dark runs
    cancelled = card_svg(public_round(status="cancelled"), f"{BASE}/jadwal/7")
    assert "DIBATALKAN" in cancelled
