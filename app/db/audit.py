"""SQL for the append-only audit log (the schema refuses UPDATE and DELETE)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and from where."""

    user_id: int | None  # None: an anonymous visitor, or the command line
    username: str | None
    route: str | None  # the page, or the command
    client: str | None  # the client address


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: str
    user_id: int | None
    username: str | None
    action: str
    target_type: str | None
    target_id: str | None
    route: str | None
    client: str | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str | None = None
    username: str | None = None  # who did it, or whose account it was about
    since: str | None = None  # UTC ISO-8601, inclusive
    until: str | None = None  # UTC ISO-8601, exclusive


_COLUMNS = ("SELECT id, at, user_id, username, action, target_type, target_id, route, client,"
            " detail")


def append(
    conn: sqlite3.Connection, at: str, actor: Actor, action: str, target_type: str | None,
    target_id: str | None, detail: str | None,
) -> None:
    conn.execute(
        "INSERT INTO audit_log (at, user_id, username, action, target_type, target_id, route,"
        " client, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (at, actor.user_id, actor.username, action, target_type, target_id, actor.route,
         actor.client, detail),
    )


def _where(f: AuditFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if f.action:
        clauses.append("action = ?")
        params.append(f.action)
    if f.username:
        clauses.append(
            "(username = ? COLLATE NOCASE OR (target_type = 'user' AND target_id ="
            " (SELECT CAST(id AS TEXT) FROM users WHERE username = ?)))"
        )
        params += [f.username, f.username]
    if f.since:
        clauses.append("at >= ?")
        params.append(f.since)
    if f.until:
        clauses.append("at < ?")
        params.append(f.until)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def search(
    conn: sqlite3.Connection, f: AuditFilter, limit: int, offset: int
) -> tuple[list[AuditRow], int]:
    """One page of matching entries, newest first, and how many match in all."""
    where, params = _where(f)
    # ``where`` is built from fixed clauses; every value is a parameter.
    total = conn.execute(f"SELECT count(*) FROM audit_log{where}", params).fetchone()[0]  # noqa: S608
    rows = conn.execute(
        f"{_COLUMNS} FROM audit_log{where} ORDER BY id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [AuditRow(*row) for row in rows], int(total)


def recent(conn: sqlite3.Connection, actions: tuple[str, ...], limit: int) -> list[AuditRow]:
    marks = ", ".join("?" for _ in actions)
    rows = conn.execute(
        f"{_COLUMNS} FROM audit_log WHERE action IN ({marks}) ORDER BY id DESC LIMIT ?",
        [*actions, limit],
    ).fetchall()
    return [AuditRow(*row) for row in rows]
