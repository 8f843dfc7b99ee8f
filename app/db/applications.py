"""SQL for applications, their status history and the OSS outbox."""

from __future__ import annotations

import functools
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
# Built from the constant column list above, never from input.
_INSERT_APPLICATION = f"INSERT INTO applications ({', '.join(_COLUMNS)})"
_INSERT_HISTORY = "INSERT INTO application_history (application_id, status, actor, reason, at)"
_INSERT_EVENT = "INSERT INTO status_events (application_id, status, at)"
_INSERT_OUTBOX = "INSERT INTO outbox (application_id, next_attempt_at, created_at)"

_CHUNK = 500  # stays under SQLite's bound-parameter limit
_MAX_PARAMS = 32_000  # SQLite >= 3.32 allows 32,766 bound parameters per statement


@functools.lru_cache(maxsize=64)
def _values_sql(insert: str, width: int, rows: int) -> str:
    row = "(" + ", ".join("?" * width) + ")"
    return f"{insert} VALUES {', '.join([row] * rows)}"


def _insert_rows(conn: sqlite3.Connection, insert: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """``insert`` (``INSERT INTO t (columns)``) of many rows, as few multi-row statements.
    ``executemany`` steps once per row, and sqlite3 releases the GIL around each step: on
    a busy event loop, winning it back costs more than the row (bench/intake.py)."""
    if not rows:
        return
    width = len(rows[0])
    per = _MAX_PARAMS // width
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        conn.execute(_values_sql(insert, width, len(chunk)),
                     [value for row in chunk for value in row])


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
    referrals: tuple[str, ...] = ()  # codes of partner services asked for


@dataclass(frozen=True, slots=True)
class InsertOutcome:
    kind: Literal["created", "replay", "conflict"]
    response_json: str
    tracking_code: str  # the stored application's (for a conflict: the first one's)


def insert_batch(conn: sqlite3.Connection, items: Sequence[NewApplication]) -> list[InsertOutcome]:
    """Insert applications idempotently, inside the caller's transaction.

    For each item: a new ``client_id`` creates the application, its first history row and
    (unless referred to the office) its outbox job; a known ``client_id`` with the same
    request hash replays the stored answer; with another hash it is a conflict and nothing
    is written. Duplicates inside ``items`` behave as if sent one after the other.
    """
    known: dict[str, tuple[str, str, str]] = {}
    keys = list({item.client_id for item in items})
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT client_id, request_hash, response_json, tracking_code"  # noqa: S608
            f" FROM applications WHERE client_id IN ({marks})",
            chunk,
        ):
            known[row[0]] = (row[1], row[2], row[3])

    next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM applications").fetchone()[0]
    apps, history, outbox, outcomes = [], [], [], []
    referrals: list[tuple[int, str, str, str]] = []
    for item in items:
        seen = known.get(item.client_id)
        if seen is not None:
            same = seen[0] == item.request_hash
            outcomes.append(InsertOutcome("replay" if same else "conflict", seen[1], seen[2]))
            continue
        known[item.client_id] = (item.request_hash, item.response_json, item.tracking_code)
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
        referrals.extend((app_id, item.created_at, item.created_at, code)
                         for code in item.referrals)
        outcomes.append(InsertOutcome("created", item.response_json, item.tracking_code))

    _insert_rows(conn, _INSERT_APPLICATION, apps)
    _insert_rows(conn, _INSERT_HISTORY, history)
    _insert_rows(conn, _INSERT_EVENT, [(h[0], h[1], h[4]) for h in history])
    _insert_rows(conn, _INSERT_OUTBOX, outbox)
    if referrals:
        conn.executemany(
            "INSERT INTO referrals (application_id, service_id, created_at, updated_at)"
            " SELECT ?, id, ?, ? FROM agency_services WHERE code = ?",
            referrals,
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


def services_by_agency(conn: sqlite3.Connection) -> list[tuple[str, list[sqlite3.Row]]]:
    """The active partner services grouped by agency, in the order the form shows them."""
    groups: dict[str, list[sqlite3.Row]] = {}
    for row in conn.execute(
        "SELECT s.code, s.name, a.short_name AS agency FROM agency_services s"
        " JOIN agencies a ON a.id = s.agency_id WHERE s.active = 1 AND a.active = 1"
        " ORDER BY s.position, s.id"
    ):
        groups.setdefault(row["agency"], []).append(row)
    return list(groups.items())


def service_codes(conn: sqlite3.Connection) -> list[str]:
    """Codes of the partner services an application may ask for."""
    return [row[0] for row in conn.execute("SELECT code FROM agency_services WHERE active = 1")]


def existing_rounds(conn: sqlite3.Connection, ids: Sequence[int]) -> list[int]:
    """Which of these round ids exist."""
    marks = ", ".join("?" * len(ids))
    return [row[0] for row in conn.execute(
        f"SELECT id FROM rounds WHERE id IN ({marks})", list(ids))]  # noqa: S608


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


def for_officer_in_round(conn: sqlite3.Connection, officer_id: int, round_id: int
                         ) -> list[sqlite3.Row]:
    """The officer's own applications taken at one round (the list filtered by round)."""
    return conn.execute(
        "SELECT tracking_code, status, nik, name, business_name, created_at"
        " FROM applications WHERE officer_id = ? AND round_id = ? ORDER BY id DESC",
        (officer_id, round_id),
    ).fetchall()


def for_officer_on_day(conn: sqlite3.Connection, officer_id: int, day: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT tracking_code, status, nik, name, business_name, created_at"
        " FROM applications WHERE officer_id = ? AND created_day = ? ORDER BY id DESC",
        (officer_id, day),
    ).fetchall()
