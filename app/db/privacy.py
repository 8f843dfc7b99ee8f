"""SQL for the data protection officer's desk: data-subject requests, everything stored
about one NIK (the access bundle), and anonymising that NIK's applications."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from app.domain.subject_requests import CLOSED_STATUSES, ERASED_NIK, ERASED_TEXT, NewRequest

_REQUEST_COLUMNS = (
    "SELECT r.id, r.kind, r.nik, r.requester_name, r.channel, r.received_at, r.due_at, r.note,"
    " r.status, r.status_reason, r.created_at, r.updated_at, r.closed_at, r.redacted_at,"
    " u.username AS created_by FROM subject_requests r LEFT JOIN users u ON u.id = r.created_by"
)


@dataclass(frozen=True, slots=True)
class Holding:
    """One application of a NIK: enough to say what erasure would do."""

    id: int
    tracking_code: str
    status: str
    anonymised: bool


# -- requests ------------------------------------------------------------------------------

def create_request(conn: sqlite3.Connection, new: NewRequest, received_at: str, due_at: str,
                   user_id: int | None, now: str) -> int:
    cursor = conn.execute(
        "INSERT INTO subject_requests (kind, nik, requester_name, channel, received_at, due_at,"
        " note, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (new.kind, new.nik, new.requester_name, new.channel, received_at, due_at, new.note,
         user_id, now, now),
    )
    return int(cursor.lastrowid or 0)


def requests(conn: sqlite3.Connection, limit: int = 200) -> list[sqlite3.Row]:
    """Open requests first (soonest due first), then the closed ones, newest first."""
    return conn.execute(
        _REQUEST_COLUMNS + " ORDER BY r.status IN ('selesai', 'ditolak'),"
        " CASE WHEN r.status IN ('baru', 'diproses') THEN r.due_at END, r.id DESC LIMIT ?",
        (limit,),
    ).fetchall()


def request(conn: sqlite3.Connection, request_id: int) -> sqlite3.Row | None:
    return conn.execute(_REQUEST_COLUMNS + " WHERE r.id = ?", (request_id,)).fetchone()


def set_status(conn: sqlite3.Connection, request_id: int, status: str, reason: str | None,
               now: str) -> bool:
    closed = now if status in CLOSED_STATUSES else None
    cursor = conn.execute(
        "UPDATE subject_requests SET status = ?, status_reason = ?, updated_at = ?,"
        " closed_at = ? WHERE id = ? AND redacted_at IS NULL",
        (status, reason, now, closed, request_id),
    )
    return cursor.rowcount == 1


# -- what is stored about a NIK -----------------------------------------------------------------

def holdings(conn: sqlite3.Connection, nik: str) -> list[Holding]:
    return [Holding(r[0], r[1], r[2], r[3] is not None) for r in conn.execute(
        "SELECT id, tracking_code, status, anonymised_at FROM applications WHERE nik = ?"
        " ORDER BY id", (nik,))]


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def access_bundle(conn: sqlite3.Connection, nik: str) -> dict[str, Any]:
    """Everything stored about a NIK, and the audit trail of its applications.

    Left out: the idempotency key's hash of the input, the phone's first answer (no
    personal data) and the push subscriptions' encryption keys (secrets of the browser).
    """
    applications = _dicts(conn.execute(
        "SELECT a.id, a.tracking_code, a.status, a.status_reason, a.nik, a.name, a.sex,"
        " a.birth_date, a.phone, a.email, a.npwp, a.business_name, a.kecamatan, a.desa, a.rt,"
        " a.rw, a.street, a.kbli_json, a.capital, a.workers_male, a.workers_female, a.scale,"
        " a.nib, a.created_at, a.updated_at, a.anonymised_at, u.full_name AS officer"
        " FROM applications a LEFT JOIN users u ON u.id = a.officer_id"
        " WHERE a.nik = ? ORDER BY a.id", (nik,)))
    ids = [a["id"] for a in applications]
    codes = [a["tracking_code"] for a in applications]
    for app in applications:
        one = (app["id"],)
        app["history"] = _dicts(conn.execute(
            "SELECT status, actor, reason, at FROM application_history"
            " WHERE application_id = ? ORDER BY id", one))
        app["oss_job"] = _dicts(conn.execute(
            "SELECT state, attempts, created_at, done_at, last_outcome, result_json FROM outbox"
            " WHERE application_id = ?", one))
        app["oss_attempts"] = _dicts(conn.execute(
            "SELECT attempt, started_at, finished_at, outcome, error, detail FROM oss_attempts"
            " WHERE application_id = ? ORDER BY id", one))
        app["oss_tasks"] = _dicts(conn.execute(
            "SELECT state, created_at, finished_at, nib, reason FROM oss_tasks"
            " WHERE application_id = ? ORDER BY id", one))
        app["push_subscriptions"] = _dicts(conn.execute(
            "SELECT s.endpoint, l.created_at AS linked_at, s.last_success_at, s.last_failure_at"
            " FROM push_links l JOIN push_subscriptions s ON s.id = l.subscription_id"
            " WHERE l.application_id = ? ORDER BY l.id", one))
        app["whatsapp_handoffs"] = _dicts(conn.execute(
            "SELECT actor, at FROM whatsapp_handoffs WHERE application_id = ? ORDER BY id", one))
    of_apps = f"application_id IN ({_marks(ids)})"
    pushes = _dicts(conn.execute(
        "SELECT id, received_at, nib, nik, kbli_json, state, note, payload_json, redacted_at"  # noqa: S608
        f" FROM oss_pushes WHERE nik = ? OR {of_apps} ORDER BY id", (nik, *ids)))
    # Audit entries name an application by its id or its tracking code.
    targets = [str(i) for i in ids] + codes
    audit = _dicts(conn.execute(
        "SELECT at, username, action, target_id, route, client, detail FROM audit_log"  # noqa: S608
        f" WHERE target_type = 'application' AND target_id IN ({_marks(targets)})"
        " ORDER BY id", targets)) if targets else []
    return {"applications": applications, "oss_pushes": pushes, "audit_trail": audit}


# -- erasure --------------------------------------------------------------------------------

def anonymise(conn: sqlite3.Connection, nik: str, now: str) -> list[str]:
    """Replace the personal data of every application of ``nik`` with placeholders.

    Kept: status, kecamatan, desa, KBLI, capital, workers, sex, scale, NIB, dates, history
    and every row that is counted. The caller has checked that none still waits for OSS.
    Returns the tracking codes anonymised.
    """
    rows = conn.execute("SELECT id, tracking_code FROM applications WHERE nik = ?"
                        " AND anonymised_at IS NULL ORDER BY id", (nik,)).fetchall()
    ids = [r[0] for r in rows]
    if not ids:
        return []
    marks = _marks(ids)
    conn.execute(
        "UPDATE applications SET nik = ?, name = ?, birth_date = '', phone = '', email = NULL,"  # noqa: S608
        " npwp = NULL, business_name = ?, rt = '', rw = '', street = ?, anonymised_at = ?,"
        f" updated_at = ? WHERE id IN ({marks})",
        (ERASED_NIK, ERASED_TEXT, ERASED_TEXT, ERASED_TEXT, now, now, *ids))
    # OSS's answer (dataNIB) and its messages may repeat the NIK and the name.
    conn.execute(f"UPDATE outbox SET result_json = NULL WHERE application_id IN ({marks})",  # noqa: S608
                 ids)
    conn.execute(f"UPDATE oss_attempts SET detail = NULL WHERE application_id IN ({marks})",  # noqa: S608
                 ids)
    conn.execute(
        "UPDATE oss_pushes SET nik = NULL, payload_json = '{}', redacted_at = coalesce("  # noqa: S608
        f"redacted_at, ?) WHERE nik = ? OR application_id IN ({marks})",
        (now, nik, *ids))
    # The applicant's phones stop following these applications.
    subs = [r[0] for r in conn.execute(
        f"SELECT DISTINCT subscription_id FROM push_links WHERE application_id IN ({marks})",  # noqa: S608
        ids)]
    conn.execute(f"DELETE FROM push_links WHERE application_id IN ({marks})", ids)  # noqa: S608
    drop_unlinked_subscriptions(conn, subs)
    return [r[1] for r in rows]


def drop_unlinked_subscriptions(conn: sqlite3.Connection, subscription_ids: list[int]) -> int:
    dropped = 0
    for sub_id in subscription_ids:
        cursor = conn.execute(
            "DELETE FROM push_subscriptions WHERE id = ? AND NOT EXISTS"
            " (SELECT 1 FROM push_links WHERE subscription_id = ?)", (sub_id, sub_id))
        dropped += cursor.rowcount
    return dropped
