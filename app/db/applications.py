"""SQL for applications, their status history and the OSS outbox."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.domain.application import COLUMNS as FORM_COLUMNS
from app.domain.status import can_transition

_COLUMNS = (
    "id", "client_id", "request_hash", "response_json", "tracking_code", "status",
    "status_reason", "officer_id", "created_at", "created_day", "updated_at", *FORM_COLUMNS,
)
_MARKS = ", ".join("?" * len(_COLUMNS))
# Built from the constant column list above, never from input.
_INSERT_APPLICATION = f"INSERT INTO applications ({', '.join(_COLUMNS)}) VALUES ({_MARKS})"  # noqa: S608

_CHUNK = 500  # stays under SQLite's bound-parameter limit


@dataclass(slots=True)
class NewApplication:
    client_id: str
    request_hash: str
    response_json: str
    tracking_code: str
    status: str
    status_reason: str | None
    officer_id: int | None
    actor: str
    form: dict[str, Any]
    created_at: str
    created_day: str
    send_to_oss: bool


@dataclass(frozen=True, slots=True)
class InsertOutcome:
    kind: Literal["created", "replay", "conflict"]
    response_json: str


def insert_batch(conn: sqlite3.Connection, items: Sequence[NewApplication]) -> list[InsertOutcome]:
    """Insert applications idempotently, inside the caller's transaction.

    For each item: a new ``client_id`` creates the application, its first history row and
    (unless referred to the office) its outbox job; a known ``client_id`` with the same
    request hash replays the stored answer; with another hash it is a conflict and nothing
    is written. Duplicates inside ``items`` behave as if sent one after the other.
    """
    known: dict[str, tuple[str, str]] = {}
    keys = list({item.client_id for item in items})
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT client_id, request_hash, response_json FROM applications"  # noqa: S608
            f" WHERE client_id IN ({marks})",
            chunk,
        ):
            known[row[0]] = (row[1], row[2])

    next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM applications").fetchone()[0]
    apps, history, outbox, outcomes = [], [], [], []
    for item in items:
        seen = known.get(item.client_id)
        if seen is not None:
            same = seen[0] == item.request_hash
            outcomes.append(InsertOutcome("replay" if same else "conflict", seen[1]))
            continue
        known[item.client_id] = (item.request_hash, item.response_json)
        app_id = next_id
        next_id += 1
        apps.append(
            (app_id, item.client_id, item.request_hash, item.response_json, item.tracking_code,
             item.status, item.status_reason, item.officer_id, item.created_at,
             item.created_day, item.created_at, *(item.form[column] for column in FORM_COLUMNS))
        )
        history.append((app_id, item.status, item.actor, item.status_reason, item.created_at))
        if item.send_to_oss:
            outbox.append((app_id, item.created_at, item.created_at))
        outcomes.append(InsertOutcome("created", item.response_json))

    if apps:
        conn.executemany(_INSERT_APPLICATION, apps)
        conn.executemany(
            "INSERT INTO application_history (application_id, status, actor, reason, at)"
            " VALUES (?, ?, ?, ?, ?)",
            history,
        )
        conn.executemany(
            "INSERT INTO status_events (application_id, status, at) VALUES (?, ?, ?)",
            [(h[0], h[1], h[4]) for h in history],
        )
    if outbox:
        conn.executemany(
            "INSERT INTO outbox (application_id, next_attempt_at, created_at) VALUES (?, ?, ?)",
            outbox,
        )
    return outcomes


def taken_codes(conn: sqlite3.Connection, codes: Sequence[str]) -> set[str]:
    """Which of these tracking codes already belong to an application."""
    found: set[str] = set()
    unique = list(set(codes))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        found.update(row[0] for row in conn.execute(
            f"SELECT tracking_code FROM applications WHERE tracking_code IN ({marks})",  # noqa: S608
            chunk,
        ))
    return found


class TransitionError(Exception):
    """The application is not in a status from which the requested change is allowed."""


def change_status(
    conn: sqlite3.Connection,
    application_id: int,
    status: str,
    actor: str,
    reason: str | None,
    now: str,
    nib: str | None = None,
) -> str:
    """Move an application to ``status`` inside the caller's transaction.

    Writes the application, its history row and a status event together; returns the status
    it had. Raises TransitionError when the status machine does not allow the change.
    """
    row = conn.execute("SELECT status FROM applications WHERE id = ?", (application_id,)).fetchone()
    if row is None:
        raise TransitionError(f"no application {application_id}")
    before = row[0]
    if not can_transition(before, status):
        raise TransitionError(f"{before} -> {status} is not allowed")
    conn.execute(
        "UPDATE applications SET status = ?, status_reason = ?, nib = coalesce(?, nib),"
        " updated_at = ? WHERE id = ?",
        (status, reason, nib, now, application_id),
    )
    conn.execute(
        "INSERT INTO application_history (application_id, status, actor, reason, at)"
        " VALUES (?, ?, ?, ?, ?)",
        (application_id, status, actor, reason, now),
    )
    conn.execute(
        "INSERT INTO status_events (application_id, status, at) VALUES (?, ?, ?)",
        (application_id, status, now),
    )
    return before


def by_tracking_code(conn: sqlite3.Connection, code: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT a.*, u.full_name AS officer_name FROM applications a"
        " LEFT JOIN users u ON u.id = a.officer_id WHERE a.tracking_code = ?",
        (code,),
    ).fetchone()


def history(conn: sqlite3.Connection, application_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT h.status, h.actor, h.reason, h.at FROM application_history h"
        " WHERE h.application_id = ? ORDER BY h.id",
        (application_id,),
    ).fetchall()


def for_officer_on_day(conn: sqlite3.Connection, officer_id: int, day: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT tracking_code, status, nik, name, business_name, created_at"
        " FROM applications WHERE officer_id = ? AND created_day = ? ORDER BY id DESC",
        (officer_id, day),
    ).fetchall()
