"""SQL for complaints and suggestions (/saran) and the admin's inbox."""

from __future__ import annotations

import sqlite3

from app.domain.complaints import NewComplaint
from app.domain.tracking import new_tracking_code

_COLUMNS = (
    "SELECT c.*, u.full_name AS assignee FROM complaints c"
    " LEFT JOIN users u ON u.id = c.assigned_to"
)


def insert_complaint(conn: sqlite3.Connection, new: NewComplaint, client_id: str,
                     phone_since: str, phone_limit: int, day: str, now: str) -> str | None:
    """Store a complaint once per client id and return its reference code (the first one's
    for a repeated submit); None when its phone number already sent ``phone_limit`` since
    ``phone_since``. Counting and storing are one transaction."""
    row = conn.execute("SELECT code FROM complaints WHERE client_id = ?",
                       (client_id,)).fetchone()
    if row is not None:
        return str(row[0])
    if new.phone is not None and int(conn.execute(
            "SELECT count(*) FROM complaints WHERE phone = ? AND created_at >= ?",
            (new.phone, phone_since)).fetchone()[0]) >= phone_limit:
        return None
    code = new_tracking_code()
    while conn.execute("SELECT 1 FROM complaints WHERE code = ?", (code,)).fetchone():
        code = new_tracking_code()
    conn.execute(
        "INSERT INTO complaints (code, client_id, category, round_id, text, name, phone,"
        " received_day, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (code, client_id, new.category, new.round_id, new.text, new.name, new.phone, day,
         now, now),
    )
    return code


def by_code(conn: sqlite3.Connection, code: str) -> sqlite3.Row | None:
    return conn.execute(_COLUMNS + " WHERE c.code = ?", (code,)).fetchone()


def inbox(conn: sqlite3.Connection, limit: int = 300) -> list[sqlite3.Row]:
    """Open complaints first (oldest first), then the answered and closed, newest first."""
    return conn.execute(
        _COLUMNS + " ORDER BY c.status NOT IN ('new', 'in_progress'),"
        " CASE WHEN c.status IN ('new', 'in_progress') THEN c.id END,"
        " c.id DESC LIMIT ?", (limit,)).fetchall()


def assign(conn: sqlite3.Connection, code: str, user_id: int | None, now: str) -> int:
    return conn.execute(
        "UPDATE complaints SET assigned_to = ?, updated_at = ?,"
        " status = CASE WHEN status = 'new' THEN 'in_progress' ELSE status END"
        " WHERE code = ?", (user_id, now, code)).rowcount


def reply(conn: sqlite3.Connection, code: str, text: str, actor: str, now: str) -> int:
    return conn.execute(
        "UPDATE complaints SET reply = ?, replied_at = ?, replied_by = ?, updated_at = ?,"
        " status = CASE WHEN status = 'closed' THEN status ELSE 'answered' END"
        " WHERE code = ?", (text, now, actor, now, code)).rowcount


def close(conn: sqlite3.Connection, code: str, now: str) -> int:
    return conn.execute(
        "UPDATE complaints SET status = 'closed', closed_at = ?, updated_at = ?"
        " WHERE code = ? AND status != 'closed'", (now, now, code)).rowcount


def set_lapor(conn: sqlite3.Connection, code: str, number: str | None, now: str) -> int:
    return conn.execute("UPDATE complaints SET lapor_number = ?, updated_at = ? WHERE code = ?",
                        (number, now, code)).rowcount


def staff(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Who a complaint can be assigned to: active users."""
    return conn.execute("SELECT id, full_name FROM users WHERE active = 1 ORDER BY full_name"
                        ).fetchall()
