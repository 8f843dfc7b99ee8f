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
    agency_id: int | None = None  # a mitra's agency (app/domain/access.py)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the admin's user pages show them."""

    id: int
    username: str
    full_name: str
    role: str
    active: bool
    created_at: str
    agency_id: int | None
    agency: str | None  # its short name
    last_login_at: str | None
    lockouts: int
    failed_count: int
    sessions: int


@dataclass(frozen=True, slots=True)
class LoginNotice:
    id: int
    failures: int
    since: str
    lockouts: int


@dataclass(frozen=True, slots=True)
class SessionRow:
    user: User
    created_at: float
    last_seen: float
    expires_at: float


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["username"], row["full_name"], row["role"], row["agency_id"])


def upsert_user(
    conn: sqlite3.Connection, username: str, full_name: str, password_hash: str, role: str,
    now: str, agency_id: int | None = None,
) -> int:
    """Create the user, or replace an existing one's name, password, role and agency (the
    CLI). A replaced password or role ends the user's sessions.
    """
    conn.execute(
        "INSERT INTO users (username, full_name, password_hash, role, created_at, agency_id)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(username) DO UPDATE SET full_name=excluded.full_name,"
        " password_hash=excluded.password_hash, role=excluded.role,"
        " agency_id=excluded.agency_id, active=1",
        (username, full_name, password_hash, role, now, agency_id),
    )
    row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
    delete_sessions(conn, int(row[0]), None)
    return int(row[0])


def insert_user(
    conn: sqlite3.Connection, username: str, full_name: str, password_hash: str, role: str,
    now: str, agency_id: int | None = None,
) -> int | None:
    """A new user's id, or None when the name is taken (in any letter case)."""
    cur = conn.execute(
        "INSERT INTO users (username, full_name, password_hash, role, created_at, agency_id)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(username) DO NOTHING",
        (username, full_name, password_hash, role, now, agency_id),
    )
    return cur.lastrowid if cur.rowcount else None


def credentials(conn: sqlite3.Connection, username: str) -> tuple[User, str, bool] | None:
    """The user, their password hash and whether they are active."""
    row = conn.execute(
        "SELECT id, username, full_name, role, agency_id, password_hash, active FROM users"
        " WHERE username = ?",
        (username,),
    ).fetchone()
    return (_user(row), row["password_hash"], bool(row["active"])) if row else None


def set_password_hash(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    """Store a re-hash of the same password (stronger parameters): sessions stay."""
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def reset_password(
    conn: sqlite3.Connection, user_id: int, password_hash: str, keep: str | None
) -> int:
    """A new password; ends the user's sessions but ``keep``. Returns the sessions ended."""
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
    return delete_sessions(conn, user_id, keep)


def set_role(conn: sqlite3.Connection, user_id: int, role: str, agency_id: int | None,
             keep: str | None) -> int:
    conn.execute("UPDATE users SET role = ?, agency_id = ? WHERE id = ?",
                 (role, agency_id, user_id))
    return delete_sessions(conn, user_id, keep)


def set_active(conn: sqlite3.Connection, user_id: int, active: bool) -> int:
    conn.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))
    return 0 if active else delete_sessions(conn, user_id, None)


def delete_sessions(conn: sqlite3.Connection, user_id: int, keep: str | None) -> int:
    """End every session of the user except the one whose token hash is ``keep``."""
    cur = conn.execute(
        "DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?", (user_id, keep)
    )
    return cur.rowcount


_ACCOUNT = (
    "SELECT u.id, u.username, u.full_name, u.role, u.active, u.created_at, u.last_login_at,"
    " u.lockouts, u.failed_count, u.agency_id, g.short_name AS agency,"
    " (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.expires_at > ?) AS sessions"
    " FROM users u LEFT JOIN agencies g ON g.id = u.agency_id"
)


def _account(row: sqlite3.Row) -> Account:
    return Account(row["id"], row["username"], row["full_name"], row["role"],
                   bool(row["active"]), row["created_at"], row["agency_id"], row["agency"],
                   row["last_login_at"], row["lockouts"], row["failed_count"], row["sessions"])


def list_accounts(conn: sqlite3.Connection, now: float) -> list[Account]:
    rows = conn.execute(_ACCOUNT + " ORDER BY u.active DESC, u.username", (now,)).fetchall()
    return [_account(row) for row in rows]


def get_account(conn: sqlite3.Connection, user_id: int, now: float) -> Account | None:
    row = conn.execute(_ACCOUNT + " WHERE u.id = ?", (now, user_id)).fetchone()
    return _account(row) if row else None


def find_account(conn: sqlite3.Connection, username: str, now: float) -> Account | None:
    row = conn.execute(_ACCOUNT + " WHERE u.username = ?", (now, username)).fetchone()
    return _account(row) if row else None


def active_admins(conn: sqlite3.Connection) -> int:
    return conn.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1"
    ).fetchone()[0]


def count_failed_login(conn: sqlite3.Connection, user_id: int, now: str, locked: bool) -> None:
    """One more failed login for the account's owner to hear about at their next login."""
    conn.execute(
        "UPDATE users SET failed_count = failed_count + 1,"
        " failed_since = coalesce(failed_since, ?), failed_locks = failed_locks + ?,"
        " lockouts = lockouts + ? WHERE id = ?",
        (now, int(locked), int(locked), user_id),
    )


def count_login(conn: sqlite3.Connection, user_id: int, now: str) -> bool:
    """Record a successful login; a notice for the owner if failed ones came before it.

    Returns whether a notice was written.
    """
    row = conn.execute(
        "SELECT failed_count, failed_since, failed_locks FROM users WHERE id = ?", (user_id,)
    ).fetchone()
    conn.execute(
        "UPDATE users SET last_login_at = ?, failed_count = 0, failed_since = NULL,"
        " failed_locks = 0 WHERE id = ?",
        (now, user_id),
    )
    if not row["failed_count"]:
        return False
    conn.execute(
        "INSERT INTO login_notices (user_id, failures, since, lockouts, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (user_id, row["failed_count"], row["failed_since"], row["failed_locks"], now),
    )
    return True


def unseen_notices(conn: sqlite3.Connection, user_id: int) -> list[LoginNotice]:
    rows = conn.execute(
        "SELECT id, failures, since, lockouts FROM login_notices"
        " WHERE user_id = ? AND seen_at IS NULL ORDER BY id",
        (user_id,),
    ).fetchall()
    return [LoginNotice(*row) for row in rows]


def mark_notices_seen(conn: sqlite3.Connection, user_id: int, now: str) -> None:
    conn.execute(
        "UPDATE login_notices SET seen_at = ? WHERE user_id = ? AND seen_at IS NULL",
        (now, user_id),
    )


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
        "SELECT u.id, u.username, u.full_name, u.role, u.agency_id, s.created_at, s.last_seen,"
        " s.expires_at"
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
