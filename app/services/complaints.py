"""Complaints and suggestions: stored once, answered against a 5-working-day clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence
from datetime import date, timedelta

from app.clock import iso, local_day, now_iso, utc_now, wib_today
from app.db import complaints as store
from app.db.connection import Database
from app.domain.complaints import OPEN_STATUSES, Clock, NewComplaint, clock
from app.services import holidays

PHONE_WINDOW = timedelta(days=1)


class ComplaintService:
    def __init__(self, db: Database, phone_limit: int) -> None:
        self.db = db
        self.phone_limit = phone_limit

    async def submit(self, new: NewComplaint, client_id: str) -> str | None:
        """The reference code, or None when the phone number reached its daily limit."""
        now = utc_now()
        return await self.db.write(store.insert_complaint, new, client_id,
                                   iso(now - PHONE_WINDOW), self.phone_limit, local_day(now),
                                   iso(now))

    async def by_code(self, code: str) -> sqlite3.Row | None:
        return await self.db.read(store.by_code, code)

    async def inbox(self) -> list[sqlite3.Row]:
        return await self.db.read(store.inbox)

    async def staff(self) -> list[sqlite3.Row]:
        return await self.db.read(store.staff)

    async def assign(self, code: str, user_id: int | None) -> bool:
        return await self.db.write(store.assign, code, user_id, now_iso()) > 0

    async def reply(self, code: str, text: str, actor: str) -> bool:
        return await self.db.write(store.reply, code, text, actor, now_iso()) > 0

    async def close(self, code: str) -> bool:
        return await self.db.write(store.close, code, now_iso()) > 0

    async def set_lapor(self, code: str, number: str | None) -> bool:
        return await self.db.write(store.set_lapor, code, number, now_iso()) > 0

    async def clocks(self, rows: Sequence[sqlite3.Row]) -> list[Clock]:
        """Each complaint's clock, the office's holidays skipped (today in WIB)."""
        if not rows:
            return []
        days_off = await holidays.dates_since(
            self.db, min(date.fromisoformat(row["received_day"]) for row in rows))
        today = wib_today()
        return [clock_of(row, today, days_off) for row in rows]


def clock_of(row: sqlite3.Row, today: date, days_off: Collection[date]) -> Clock:
    """Where a complaint stands against its 5 working days on ``today``."""
    return clock(date.fromisoformat(row["received_day"]), today,
                 row["status"] in OPEN_STATUSES, days_off)
