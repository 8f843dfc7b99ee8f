"""SQL for the office's holiday list (/admin/libur; rules: app/domain/holidays.py)."""

from __future__ import annotations

import sqlite3

from app.domain.holidays import NewHoliday


def add(conn: sqlite3.Connection, new: NewHoliday, created_by: str, now: str) -> int | None:
    """The new row's id, or None when the date is already on the list."""
    cursor = conn.execute(
        "INSERT INTO holidays (date, name, kind, created_by, created_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (date) DO NOTHING",
        (new.day.isoformat(), new.name, new.kind, created_by, now))
    return int(cursor.lastrowid) if cursor.rowcount else None


def in_year(conn: sqlite3.Connection, year: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM holidays WHERE date BETWEEN ? AND ? ORDER BY date",
                        (f"{year:04d}-01-01", f"{year:04d}-12-31")).fetchall()


def years(conn: sqlite3.Connection) -> list[int]:
    """The years with at least one holiday, oldest first."""
    return [int(row[0]) for row in conn.execute(
        "SELECT DISTINCT substr(date, 1, 4) FROM holidays ORDER BY 1")]


def by_id(conn: sqlite3.Connection, holiday_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM holidays WHERE id = ?", (holiday_id,)).fetchone()


def on_day(conn: sqlite3.Connection, day: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM holidays WHERE date = ?", (day,)).fetchone()


def dates_since(conn: sqlite3.Connection, first: str) -> list[str]:
    """Every holiday on or after ``first`` (YYYY-MM-DD)."""
    return [str(row[0]) for row in conn.execute(
        "SELECT date FROM holidays WHERE date >= ? ORDER BY date", (first,))]


def delete(conn: sqlite3.Connection, holiday_id: int) -> int:
    return conn.execute("DELETE FROM holidays WHERE id = ?", (holiday_id,)).rowcount
