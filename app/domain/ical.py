"""The schedule as iCalendar (RFC 5545), made with the ``icalendar`` library.

One VEVENT per round: UID stable for the round's life (``round-{id}@jbm.blitarkab.go.id``),
SEQUENCE from ``rounds.sequence`` (raised on every change, so calendars replace their
copy), STATUS CONFIRMED or CANCELLED, DTSTART/DTEND in Asia/Jakarta with its VTIMEZONE (WIB,
UTC+7, no daylight saving), LOCATION, GEO, URL and DESCRIPTION. Pure: the same rounds give
the same bytes (DTSTAMP is the round's last change, not the time of the request).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Timezone, TimezoneStandard

from app.domain.rounds import WIB
from app.domain.schedule import FREE, OFFICE, SERVICE_NAME, WHAT_TO_BRING, PublicRound

TZID = "Asia/Jakarta"
PRODID = "-//DPMPTSP Kabupaten Blitar//Joss Banget Mas//ID"
WIB_OFFSET = timedelta(hours=7)
UID_DOMAIN = "jbm.blitarkab.go.id"


def uid(round_id: int) -> str:
    """The round's UID for its whole life, whatever address the server has."""
    return f"round-{round_id}@{UID_DOMAIN}"


def _timezone() -> Timezone:
    zone = Timezone()
    zone.add("tzid", TZID)
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))  # local time of the zone
    standard.add("tzoffsetfrom", WIB_OFFSET)
    standard.add("tzoffsetto", WIB_OFFSET)
    standard.add("tzname", "WIB")
    zone.add_component(standard)
    return zone


def _event(item: PublicRound, base_url: str) -> Event:
    event = Event()
    event.add("uid", uid(item.id))
    event.add("dtstamp", item.updated_at.astimezone(UTC))
    event.add("last-modified", item.updated_at.astimezone(UTC))
    event.add("sequence", item.sequence)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    local_start = item.starts_at.astimezone(WIB).replace(tzinfo=None)
    local_end = item.ends_at.astimezone(WIB).replace(tzinfo=None)
    event.add("dtstart", local_start, parameters={"TZID": TZID})
    event.add("dtend", local_end, parameters={"TZID": TZID})
    prefix = "DIBATALKAN: " if item.cancelled else ""
    event.add("summary", f"{prefix}{SERVICE_NAME} di Kec. {item.kecamatan_name}")
    event.add("location", item.where_text)
    if item.lat is not None and item.lng is not None:
        event.add("geo", (item.lat, item.lng))
    url = f"{base_url}/jadwal/{item.id}"
    event.add("url", url)
    event.add("description", description(item, url))
    event.add("transp", "TRANSPARENT")  # a public service, not a busy slot in one's day
    return event


def description(item: PublicRound, url: str) -> str:
    lines = []
    if item.cancelled:
        lines += [f"DIBATALKAN: {item.cancel_reason or 'sesi ini tidak jadi dilaksanakan.'}", ""]
    lines += [f"{SERVICE_NAME}, layanan keliling {OFFICE}.", f"Waktu: {item.when_text}",
              f"Tempat: {item.where_text}", "", "Layanan:"]
    lines += [f"- {service}" for service in item.services]
    lines += ["", "Yang perlu dibawa: " + ", ".join(WHAT_TO_BRING) + ".", FREE]
    if item.note:
        lines += ["", item.note]
    lines += ["", f"Info: {url}"]
    return "\n".join(lines)


def calendar_bytes(rounds: Sequence[PublicRound], base_url: str, name: str) -> bytes:
    """A whole feed (or one round): VCALENDAR with the zone and one VEVENT per round."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(_timezone())
    for item in sorted(rounds, key=lambda r: (r.starts_at, r.id)):
        calendar.add_component(_event(item, base_url))
    return calendar.to_ical()
