"""SQL for what public pages name: the partner agencies and the car's rounds (read only;
the rounds themselves are kept by their own pages)."""

from __future__ import annotations

import sqlite3


def active_agencies(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT code, name, short_name FROM agencies WHERE active = 1"
                        " ORDER BY id").fetchall()


def recent_rounds(conn: sqlite3.Connection, since_day: str, until_day: str
                  ) -> list[sqlite3.Row]:
    """Published or done rounds between two WIB days, newest first: what a citizen can
    name in a complaint or an officer's kiosk can be at."""
    return conn.execute(
        "SELECT id, day, start_time, kecamatan, place FROM rounds"
        " WHERE status IN ('published', 'done') AND day BETWEEN ? AND ?"
        " ORDER BY day DESC, start_time DESC", (since_day, until_day)).fetchall()


def round_kecamatan(conn: sqlite3.Connection, round_id: int) -> str | None:
    row = conn.execute("SELECT kecamatan FROM rounds WHERE id = ?", (round_id,)).fetchone()
    return str(row[0]) if row else None

