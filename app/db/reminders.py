"""SQL for the schedule's reminders: rounds to watch, what was last announced about them,
notices with their push jobs (one per phone following the round's kecamatan), and which
kecamatan a phone follows. Every function runs inside the caller's transaction or read."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.domain.schedule import Announced

# push_jobs.event_id namespaces (the queue's UNIQUE (subscription, event) keeps each message
# once): status events are positive, round history messages to officers are -history id
# (app/db/rounds.py), the schedule's notices are -(2**40 + notice id): never the same.
NOTICE_EVENTS = 1 << 40


def watched(conn: sqlite3.Connection, now: str) -> list[sqlite3.Row]:
    """Published or cancelled rounds that have not ended, with what was last announced."""
    return conn.execute(
        "SELECT r.id, r.day, r.starts_at, r.ends_at, r.kecamatan, r.place, r.status,"
        " r.sequence, a.sequence AS a_sequence, a.status AS a_status,"
        " a.starts_at AS a_starts_at, a.ends_at AS a_ends_at, a.place AS a_place"
        " FROM rounds r LEFT JOIN round_announced a ON a.round_id = r.id"
        " WHERE r.status IN ('published', 'cancelled') AND r.ends_at > ?"
        " ORDER BY r.starts_at, r.id", (now,)).fetchall()


def set_announced(conn: sqlite3.Connection, round_id: int, state: Announced, now: str) -> None:
    conn.execute(
        "INSERT INTO round_announced (round_id, sequence, status, starts_at, ends_at, place,"
        " at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(round_id) DO UPDATE SET"
        " sequence = excluded.sequence, status = excluded.status,"
        " starts_at = excluded.starts_at, ends_at = excluded.ends_at, place = excluded.place,"
        " at = excluded.at",
        (round_id, state.sequence, state.status, state.starts_at, state.ends_at, state.place,
         now))


def has_notice(conn: sqlite3.Connection, round_id: int, kind: str, key: str) -> bool:
    return conn.execute("SELECT 1 FROM round_notices WHERE round_id = ? AND kind = ? AND"
                        " key = ?", (round_id, kind, key)).fetchone() is not None


def add_notice(conn: sqlite3.Connection, round_id: int, kind: str, key: str, kecamatan: str,
               payload: dict[str, Any], urgency: str, now: str, due_ts: float) -> int:
    """Record a notice once and queue it for every phone following ``kecamatan``, in one
    statement. Returns the number of push jobs made (0 if this notice was already made)."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO round_notices (round_id, kind, key, kecamatan, recipients,"
        " created_at) VALUES (?, ?, ?, ?, 0, ?)", (round_id, kind, key, kecamatan, now))
    if cur.rowcount == 0:
        return 0
    notice_id = cur.lastrowid
    made = conn.execute(
        "INSERT OR IGNORE INTO push_jobs (subscription_id, event_id, payload, urgency,"
        " next_attempt_at, created_at)"
        " SELECT subscription_id, ?, ?, ?, ?, ? FROM push_links WHERE kecamatan = ?",
        (-(NOTICE_EVENTS + notice_id), json.dumps(payload, ensure_ascii=False), urgency,
         due_ts, now, kecamatan),
    ).rowcount
    conn.execute("UPDATE round_notices SET recipients = ? WHERE id = ?", (made, notice_id))
    return made


def followed_kecamatan(conn: sqlite3.Connection, endpoint: str) -> list[str]:
    """The kecamatan whose rounds this phone (push endpoint) follows."""
    return [r[0] for r in conn.execute(
        "SELECT l.kecamatan FROM push_links l JOIN push_subscriptions s"
        " ON s.id = l.subscription_id WHERE s.endpoint = ? AND l.kecamatan IS NOT NULL"
        " ORDER BY l.kecamatan", (endpoint,))]
