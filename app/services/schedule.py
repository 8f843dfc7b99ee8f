"""The public schedule: rounds as citizens see them, the feeds (iCalendar and JSON) with
their validators, and the shareable card. Feeds are rebuilt only when the rounds behind
them change: a cheap stamp query decides, so a conditional request costs one read."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import brotli

from app.clock import iso, utc_now
from app.db import schedule as store
from app.db.connection import Database
from app.domain import ical
from app.domain.round_card import card_svg
from app.domain.rounds import WIB
from app.domain.schedule import (
    FEED_PAST,
    FREE,
    OFFICE,
    RECENT,
    WHAT_TO_BRING,
    Agency,
    PublicRound,
    upcoming_first,
)
from app.reference.regions import Regions
from app.settings import Settings

LICENCE = ("Data terbuka: boleh dipakai, disalin dan dibagikan ulang dengan menyebut sumbernya "
           "(Creative Commons Attribution 4.0, CC BY 4.0).")


def to_public(row: sqlite3.Row, agencies: Sequence[sqlite3.Row], regions: Regions
              ) -> PublicRound:
    """A stored round (app/db/schedule.py's columns) as citizens see it."""
    desa = regions.desa(row["desa"]) if row["desa"] else None
    moved = row["status"] == "published" and row["first_starts_at"] is not None and (
        (row["first_starts_at"], row["first_ends_at"], row["first_place"])
        != (row["starts_at"], row["ends_at"], row["place"]))
    return PublicRound(
        id=row["id"],
        day=date.fromisoformat(row["day"]),
        start=time.fromisoformat(row["start_time"]),
        end=time.fromisoformat(row["end_time"]),
        starts_at=datetime.fromisoformat(row["starts_at"]),
        ends_at=datetime.fromisoformat(row["ends_at"]),
        kecamatan=row["kecamatan"],
        kecamatan_name=regions.kecamatan_name(row["kecamatan"]) or row["kecamatan"],
        desa_name=desa.name if desa else None,
        place=row["place"],
        lat=row["lat"],
        lng=row["lng"],
        status=row["status"],
        cancel_reason=row["cancel_reason"],
        sequence=row["sequence"],
        note=row["note"] or "",
        quota=row["quota"],
        agencies=tuple(Agency(a["code"], a["name"], a["short_name"]) for a in agencies),
        moved=moved,
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


@dataclass(frozen=True, slots=True)
class Feed:
    body: bytes
    etag: str  # strong: a hash of the body
    last_modified: datetime | None  # the last change of a round in it
    # the body compressed once when the feed is made (calendars poll often)
    encoded: dict[str, bytes] = field(default_factory=dict)

    def compressed(self) -> Feed:
        return dataclasses.replace(self, encoded={
            "br": brotli.compress(self.body, quality=9),
            "gzip": gzip.compress(self.body, compresslevel=9, mtime=0),
        })


def feed_window(now: datetime) -> str:
    """Feeds hold rounds that ended at most FEED_PAST ago, counted from the start of today
    (WIB), so a feed's content moves once a day, not every second."""
    midnight = datetime.combine(now.astimezone(WIB).date(), time(0), WIB)
    return iso(midnight - FEED_PAST)


class ScheduleService:
    def __init__(self, settings: Settings, db: Database, regions: Regions) -> None:
        self.settings = settings
        self.db = db
        self.regions = regions
        # per feed: (database version, stamp, feed) of the last time it was checked
        self._feeds: dict[tuple[str, str | None], tuple[int, tuple[Any, ...], Feed]] = {}

    def url(self, round_id: int) -> str:
        return f"{self.settings.base_url}/jadwal/{round_id}"

    def kecamatan_name(self, code: str) -> str | None:
        return self.regions.kecamatan_name(code)

    # -- pages -------------------------------------------------------------------------------
    async def listing(self, kecamatan: str | None, now: datetime
                      ) -> tuple[list[PublicRound], list[PublicRound], dict[int, int]]:
        """(rounds to come, cancelled ones included; rounds of the last 30 days; how many
        businesses each past round served)."""
        def read(conn: sqlite3.Connection) -> tuple[list[PublicRound], dict[int, int]]:
            rows = store.public_rounds(conn, iso(now - RECENT), kecamatan)
            agencies = store.agencies_of(conn, [r["id"] for r in rows])
            items = [to_public(r, agencies[r["id"]], self.regions) for r in rows]
            ended = [i.id for i in items if i.ends_at <= now]
            return items, store.served_counts(conn, ended)

        items, served = await self.db.read(read)
        coming, past = upcoming_first(items, now)
        return coming, past, served

    async def one(self, round_id: int) -> PublicRound | None:
        def read(conn: sqlite3.Connection) -> PublicRound | None:
            row = store.public_round(conn, round_id)
            if row is None:
                return None
            return to_public(row, store.agencies_of(conn, [round_id])[round_id], self.regions)

        return await self.db.read(read)

    async def served(self, round_id: int) -> int:
        return (await self.db.read(store.served_counts, [round_id])).get(round_id, 0)

    def card(self, item: PublicRound) -> str:
        return card_svg(item, self.url(item.id))

    # -- feeds ---------------------------------------------------------------------------------
    async def feed(self, kind: str, kecamatan: str | None = None,
                   now: datetime | None = None) -> Feed:
        """The whole schedule (or a kecamatan's) as ``ics`` or ``json``, rebuilt only when
        its stamp changed."""
        since = feed_window(now or utc_now())
        cached = self._feeds.get((kind, kecamatan))

        def check(conn: sqlite3.Connection) -> tuple[int, tuple[Any, ...] | None]:
            # Nothing committed since the last check (the usual case for a calendar's
            # poll): no need to look at the rounds at all.
            version = store.data_version(conn)
            if cached is not None and cached[0] == version and cached[1][0] == since:
                return version, None
            return version, (since, *store.feed_stamp(conn, since, kecamatan))

        version, stamp = await self.db.read(check)
        if cached is not None and (stamp is None or cached[1] == stamp):
            self._feeds[(kind, kecamatan)] = (version, cached[1], cached[2])
            return cached[2]

        def read(conn: sqlite3.Connection) -> list[PublicRound]:
            rows = store.public_rounds(conn, since, kecamatan)
            agencies = store.agencies_of(conn, [r["id"] for r in rows])
            return [to_public(r, agencies[r["id"]], self.regions) for r in rows]

        items = await self.db.read(read)
        if kind == "ics":
            body = ical.calendar_bytes(items, self.settings.base_url,
                                       self._calendar_name(kecamatan))
        else:
            body = self.json_bytes(items)
        made = self._feed(body, items).compressed()
        assert stamp is not None
        self._feeds[(kind, kecamatan)] = (version, stamp, made)
        return made

    def round_ics(self, item: PublicRound) -> Feed:
        body = ical.calendar_bytes([item], self.settings.base_url, self._calendar_name(None))
        return self._feed(body, [item])

    def _calendar_name(self, kecamatan: str | None) -> str:
        name = self.regions.kecamatan_name(kecamatan) if kecamatan else None
        where = f" — Kecamatan {name}" if name else ""
        return f"Jadwal Joss Banget Mas{where} ({OFFICE})"

    @staticmethod
    def _feed(body: bytes, items: Sequence[PublicRound]) -> Feed:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        last = max((i.updated_at for i in items), default=None)
        return Feed(body, etag, last)

    def json_bytes(self, items: Sequence[PublicRound]) -> bytes:
        """The schedule as open data (docs/api.md)."""
        base = self.settings.base_url
        data = {
            "publisher": OFFICE,
            "licence": LICENCE,
            "licence_url": "https://creativecommons.org/licenses/by/4.0/deed.id",
            "timezone": "Asia/Jakarta",
            "what_to_bring": list(WHAT_TO_BRING),
            "fee": FREE,
            "rounds": [{
                "id": i.id,
                "url": f"{base}/jadwal/{i.id}",
                "ics": f"{base}/jadwal/{i.id}.ics",
                "status": i.status,
                "moved": i.moved,
                "cancel_reason": i.cancel_reason if i.cancelled else None,
                "sequence": i.sequence,
                "date": i.day.isoformat(),
                "start": i.starts_at.astimezone(WIB).isoformat(),
                "end": i.ends_at.astimezone(WIB).isoformat(),
                "when_text": i.when_text,
                "kecamatan": {"code": i.kecamatan, "name": i.kecamatan_name},
                "desa": i.desa_name,
                "place": i.place,
                "lat": i.lat,
                "lng": i.lng,
                "quota": i.quota,
                "note": i.note,
                "agencies": [{"code": a.code, "name": a.name} for a in i.agencies],
                "services": list(i.services),
                "updated_at": i.updated_at.isoformat(),
            } for i in items],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

