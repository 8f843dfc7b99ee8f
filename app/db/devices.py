"""SQL for device credentials: a phone's right to send its queued applications for the
officer who logged in on it (docs/api.md, "Device credentials")."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.db.users import User


@dataclass(frozen=True, slots=True)
class Device:
    """A device credential as the admin's user page lists it."""

    id: int
    created_at: str
    expires_at: str
    revoked_at: str | None
    revoked_why: str | None
    last_used_at: str | None

    def usable(self, now: str) -> bool:
        return self.revoked_at is None and self.expires_at > now


def revoke_for_session(conn: sqlite3.Connection, session_hash: str, now: str, why: str
                       ) -> int:
    """Revoke what this login session issued before (at most one credential lives per login)."""
    cur = conn.execute(
        "UPDATE device_credentials SET revoked_at = ?, revoked_why = ?"
        " WHERE session_hash = ? AND revoked_at IS NULL",
        (now, why, session_hash),
    )
    return cur.rowcount


def insert(conn: sqlite3.Connection, token_hash: str, user_id: int, session_hash: str,
           now: str, expires_at: str) -> int:
    cur = conn.execute(
        "INSERT INTO device_credentials (token_hash, user_id, session_hash, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?)",
        (token_hash, user_id, session_hash, now, expires_at),
    )
    return int(cur.lastrowid or 0)


def user_for(conn: sqlite3.Connection, token_hash: str, now: str) -> User | None:
    """The active user a live (unrevoked, unexpired) credential belongs to."""
    row = conn.execute(
        "SELECT u.id, u.username, u.full_name, u.role FROM device_credentials d"
        " JOIN users u ON u.id = d.user_id"
        " WHERE d.token_hash = ? AND d.revoked_at IS NULL AND d.expires_at > ?"
        " AND u.active = 1",
        (token_hash, now),
    ).fetchone()
    return User(row[0], row[1], row[2], row[3]) if row else None


def touch(conn: sqlite3.Connection, token_hash: str, now: str) -> None:
    conn.execute("UPDATE device_credentials SET last_used_at = ? WHERE token_hash = ?",
                 (now, token_hash))


def revoke_token(conn: sqlite3.Connection, token_hash: str, now: str, why: str
                 ) -> tuple[int, int] | None:
    """Revoke one credential by its token; (its id, its user) if it was live."""
    row = conn.execute(
        "UPDATE device_credentials SET revoked_at = ?, revoked_why = ?"
        " WHERE token_hash = ? AND revoked_at IS NULL RETURNING id, user_id",
        (now, why, token_hash),
    ).fetchone()
    return (row[0], row[1]) if row else None


def revoke_one(conn: sqlite3.Connection, user_id: int, device_id: int, now: str, why: str
               ) -> bool:
    cur = conn.execute(
        "UPDATE device_credentials SET revoked_at = ?, revoked_why = ?"
        " WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
        (now, why, device_id, user_id),
    )
    return cur.rowcount > 0


def revoke_all(conn: sqlite3.Connection, user_id: int, now: str, why: str) -> int:
    """Revoke every live credential of the user (password, role, disabled, sessions)."""
    cur = conn.execute(
        "UPDATE device_credentials SET revoked_at = ?, revoked_why = ?"
        " WHERE user_id = ? AND revoked_at IS NULL",
        (now, why, user_id),
    )
    return cur.rowcount


def for_user(conn: sqlite3.Connection, user_id: int, limit: int = 20) -> list[Device]:
    rows = conn.execute(
        "SELECT id, created_at, expires_at, revoked_at, revoked_why, last_used_at"
        " FROM device_credentials WHERE user_id = ? ORDER BY id DESC LIMIT ?",
        (user_id, limit),
    ).fetchall()
    return [Device(*row) for row in rows]
