"""Rounds for tests of the public schedule, written straight into the server's SQLite file
(the admin side that normally writes them is not needed to read them)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from app.domain.rounds import WIB, ends_at

STAMP = "2026-11-01T00:00:00.000+00:00"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def round_columns(day: date, start: str = "19:00", end: str = "22:00", **changes: Any
                  ) -> dict[str, Any]:
    """The columns of a published round on ``day`` (WIB) in Wonodadi, changed by ``changes``."""
    begin, finish = time.fromisoformat(start), time.fromisoformat(end)
    cols: dict[str, Any] = {
        "day": day.isoformat(), "start_time": start, "end_time": end,
        "starts_at": _utc(datetime.combine(day, begin, WIB)),
        "ends_at": _utc(ends_at(day, begin, finish)),
        "evening": int(begin >= time(17)), "kecamatan": "35.05.01", "desa": "35.05.01.2001",
        "place": "Balai Desa Jaten", "lat": -8.0955, "lng": 112.1609, "car_id": 1,
        "quota": 40, "note": "", "status": "published", "cancel_reason": None, "sequence": 0,
        "created_at": STAMP, "updated_at": STAMP,
    }
    cols.update(changes)
    return cols


def insert_round(db: Path, day: date, agencies: tuple[str, ...] = ("kpp", "bpjs_tk"),
                 **changes: Any) -> int:
    cols = round_columns(day, **changes)
    conn = sqlite3.connect(db)
    try:
        with conn:
            names = ", ".join(cols)
            marks = ", ".join("?" * len(cols))
            cur = conn.execute(f"INSERT INTO rounds ({names}) VALUES ({marks})",
                               tuple(cols.values()))
            round_id = int(cur.lastrowid)
            conn.executemany(
                "INSERT INTO round_agencies (round_id, agency_id)"
                " SELECT ?, id FROM agencies WHERE code = ?", [(round_id, c) for c in agencies])
        return round_id
    finally:
        conn.close()


def update_round(db: Path, round_id: int, **changes: Any) -> None:
    """Change a round as the admin side does: the columns, a raised SEQUENCE and a new
    updated_at."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            (sequence, updated) = conn.execute(
                "SELECT sequence, updated_at FROM rounds WHERE id = ?", (round_id,)).fetchone()
            later = datetime.fromisoformat(updated) + timedelta(minutes=1)
            changes = {"sequence": sequence + 1, "updated_at": _utc(later), **changes}
            sets = ", ".join(f"{name} = ?" for name in changes)
            conn.execute(f"UPDATE rounds SET {sets} WHERE id = ?", (*changes.values(), round_id))
    finally:
        conn.close()


def move_round(db: Path, round_id: int, day: date, start: str, end: str) -> None:
    cols = round_columns(day, start, end)
    update_round(db, round_id, **{k: cols[k] for k in ("day", "start_time", "end_time",
                                                        "starts_at", "ends_at", "evening")})


def taken_at(db: Path, client_id: str, round_id: int) -> None:
    """Mark an application (by its Idempotency-Key) as taken at a round."""
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute("UPDATE applications SET round_id = ? WHERE client_id = ?",
                         (round_id, client_id))
    finally:
        conn.close()
