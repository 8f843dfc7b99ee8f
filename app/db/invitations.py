"""SQL for invitations from villages and communities (the public form and the admin's
inbox). Rules: app/domain/invitations.py."""

from __future__ import annotations

import json
import sqlite3

from app.domain.invitations import InvitationInput

COLUMNS = ("id, code, name, role, organisation, phone, kecamatan, desa, place, dates_json,"
           " evening, expected, note, status, reply, proposed_day, round_id, created_at,"
           " updated_at")


def by_client_id(conn: sqlite3.Connection, client_id: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM invitations WHERE client_id = ?",  # noqa: S608
                        (client_id,)).fetchone()


def by_code(conn: sqlite3.Connection, code: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM invitations WHERE code = ?",  # noqa: S608
                        (code,)).fetchone()


def get(conn: sqlite3.Connection, invitation_id: int) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM invitations WHERE id = ?",  # noqa: S608
                        (invitation_id,)).fetchone()


def inbox(conn: sqlite3.Connection, status: str | None) -> list[sqlite3.Row]:
    if status:
        return conn.execute(f"SELECT {COLUMNS} FROM invitations WHERE status = ?"  # noqa: S608
                            " ORDER BY id DESC LIMIT 500", (status,)).fetchall()
    return conn.execute(f"SELECT {COLUMNS} FROM invitations"  # noqa: S608
                        " ORDER BY status != 'new', id DESC LIMIT 500").fetchall()


def insert(conn: sqlite3.Connection, client_id: str, code: str, value: InvitationInput,
           now: str, since: str, per_phone: int) -> tuple[sqlite3.Row | None, bool]:
    """(the invitation, made now). A replayed client id gets its first invitation back;
    a number that already sent ``per_phone`` since ``since`` gets (None, False)."""
    existing = by_client_id(conn, client_id)
    if existing is not None:
        return existing, False
    sent = conn.execute("SELECT count(*) FROM invitations WHERE phone = ? AND created_at >= ?",
                        (value.phone, since)).fetchone()[0]
    if sent >= per_phone:
        return None, False
    conn.execute(
        "INSERT INTO invitations (code, client_id, name, role, organisation, phone, kecamatan,"
        " desa, place, dates_json, evening, expected, note, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (code, client_id, value.name, value.role, value.organisation, value.phone,
         value.kecamatan, value.desa, value.place,
         json.dumps([d.isoformat() for d in value.dates]), int(value.evening), value.expected,
         value.note, now, now))
    return by_client_id(conn, client_id), True


def code_taken(conn: sqlite3.Connection, code: str) -> bool:
    return conn.execute("SELECT 1 FROM invitations WHERE code = ?", (code,)).fetchone() is not None


def answer(conn: sqlite3.Connection, invitation_id: int, status: str, reply: str,
           proposed_day: str | None, round_id: int | None, now: str) -> bool:
    """Record the office's answer (accepted, proposed or declined)."""
    cur = conn.execute(
        "UPDATE invitations SET status = ?, reply = ?, proposed_day = ?,"
        " round_id = coalesce(?, round_id), updated_at = ? WHERE id = ?",
        (status, reply, proposed_day, round_id, now, invitation_id))
    return cur.rowcount > 0
