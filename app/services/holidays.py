"""The office's holiday list: added and deleted by an admin (each one audited), read by the
complaints' clock and the round form."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from app.clock import now_iso
from app.db import holidays as store
from app.db.audit import Actor
from app.db.connection import Database
from app.domain.holidays import NewHoliday, PastedLine, read_day, round_warning, taken_message
from app.services import audit


@dataclass(frozen=True, slots=True)
class LineOutcome:
    """What became of one pasted line: added, or refused and why."""

    line: PastedLine
    refused: str | None

    @property
    def added(self) -> bool:
        return self.refused is None


def _add(conn: sqlite3.Connection, actor: Actor, new: NewHoliday, how: str) -> str | None:
    """Add one holiday and audit it; the refusal message when its date is taken."""
    holiday_id = store.add(conn, new, actor.username or "", now_iso())
    if holiday_id is None:
        taken = store.on_day(conn, new.day.isoformat())
        return taken_message(taken["name"] if taken else new.name)
    audit.record(conn, actor, audit.HOLIDAY_ADDED, "holiday", str(holiday_id),
                 f"{new.day.isoformat()} {new.name} ({how})")
    return None


async def add(db: Database, actor: Actor, new: NewHoliday) -> str | None:
    """None when added, else why not (the date is already on the list)."""
    return await db.write(_add, actor, new, "satu")


async def add_pasted(db: Database, actor: Actor, lines: list[PastedLine]) -> list[LineOutcome]:
    """Every readable line added in one transaction; each line says what became of it."""
    def tx(conn: sqlite3.Connection) -> list[LineOutcome]:
        return [LineOutcome(line, line.error if line.holiday is None
                            else _add(conn, actor, line.holiday, "tempel"))
                for line in lines]
    return await db.write(tx)


async def delete(db: Database, actor: Actor, holiday_id: int) -> sqlite3.Row | None:
    """The deleted holiday (None: there was none)."""
    def tx(conn: sqlite3.Connection) -> sqlite3.Row | None:
        row = store.by_id(conn, holiday_id)
        if row is not None and store.delete(conn, holiday_id):
            audit.record(conn, actor, audit.HOLIDAY_DELETED, "holiday", str(holiday_id),
                         f"{row['date']} {row['name']}")
        return row
    return await db.write(tx)


async def in_year(db: Database, year: int) -> list[sqlite3.Row]:
    return await db.read(store.in_year, year)


async def years(db: Database) -> list[int]:
    return await db.read(store.years)


async def by_id(db: Database, holiday_id: int) -> sqlite3.Row | None:
    return await db.read(store.by_id, holiday_id)


async def on_day(db: Database, day: date) -> sqlite3.Row | None:
    return await db.read(store.on_day, day.isoformat())


async def dates_since(db: Database, first: date) -> frozenset[date]:
    """The holidays from ``first`` on: what a working-day clock started then must skip."""
    return frozenset(date.fromisoformat(d) for d in await db.read(store.dates_since,
                                                                  first.isoformat()))


async def warning_for(db: Database, raw_day: object) -> str | None:
    """The round form's warning when the date typed there is a holiday (never a refusal)."""
    day = read_day(raw_day)
    if isinstance(day, str):
        return None
    row = await on_day(db, day)
    return None if row is None else round_warning(day, row["name"], row["kind"])
