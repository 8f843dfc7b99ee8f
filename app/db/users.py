"""SQL for accounts and server-side sessions."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    full_name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class SessionRow:
    user: User
    created_at: float
    last_seen: float
    expires_at: float


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["username"], row["full_name"], row["role"])


def upsert_user(
    conn: sqlite3.Connection, username: str, full_name: str, password_hash: str, role: str,
    now: str,
) -> int:
    conn.execute(
        "INSERT INTO users (username, full_name, password_hash, role, created_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(username) DO UPDATE SET full_name=excluded.full_name,"
        " password_hash=excluded.password_hash, role=excluded.role, active=1",
        (username, full_name, password_hash, role, now),
    )
    row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
    return int(row[0])


def credentials(conn: sqlite3.Connection, username: str) -> tuple[User, str] | None:
    row = conn.execute(
        "SELECT id, username, full_name, role, password_hash FROM users"
        " WHERE username = ? AND active = 1",
        (username,),
    ).fetchone()
    return (_user(row), row["password_hash"]) if row else None


def set_password_hash(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def create_session(
    conn: sqlite3.Connection, token_hash: str, user_id: int, now: float, expires_at: float,
    replaces: str | None,
) -> None:
    if replaces:
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (replaces,))
    conn.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (token_hash, user_id, now, now, expires_at),
    )


def get_session(conn: sqlite3.Connection, token_hash: str) -> SessionRow | None:
    row = conn.execute(
        "SELECT u.id, u.username, u.full_name, u.role, s.created_at, s.last_seen, s.expires_at"
        " FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ? AND u.active = 1",
        (token_hash,),
    ).fetchone()
    if row is None:
        return None
    return SessionRow(_user(row), row["created_at"], row["last_seen"], row["expires_at"])


def touch_session(conn: sqlite3.Connection, token_hash: str, now: float) -> None:
    conn.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, token_hash))


def delete_session(conn: sqlite3.Connection, token_hash: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))
