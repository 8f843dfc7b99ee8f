"""SQL for the retention job: personal data kept only as long as the office needs it.

Rows stay (statistics count them); the personal fields are blanked and the row is marked.
Each function runs inside the caller's transaction and returns how many rows it changed.
"""

from __future__ import annotations

import sqlite3

from app.db.privacy import drop_unlinked_subscriptions
from app.domain.masking import mask_name
from app.domain.nik import mask_nik
from app.domain.status import ENDED
from app.domain.subject_requests import CLOSED_STATUSES, ERASED_TEXT

# A citizen follows an application until it ends here; later the link serves no purpose.
FINAL_STATUSES = tuple(sorted(ENDED))


def blank_push_payloads(conn: sqlite3.Connection, before: str, now: str) -> int:
    """Pushed NIBs (receiveNIB) received before ``before``: the NIK and OSS's payload (NIK,
    name, address) go; the NIB, KBLI, state and the matched application stay."""
    cursor = conn.execute(
        "UPDATE oss_pushes SET nik = NULL, payload_json = '{}', redacted_at = ?"
        " WHERE received_at < ? AND redacted_at IS NULL", (now, before))
    return cursor.rowcount


def blank_whatsapp_handoffs(conn: sqlite3.Connection, before: str, now: str) -> int:
    """WhatsApp hand-offs before ``before``: who handed over goes, the row and time stay."""
    cursor = conn.execute(
        "UPDATE whatsapp_handoffs SET actor = ?, redacted_at = ?"
        " WHERE at < ? AND redacted_at IS NULL", (ERASED_TEXT, now, before))
    return cursor.rowcount


def drop_citizen_push_links(conn: sqlite3.Connection, before: str) -> tuple[int, int]:
    """Citizens' phones following an application that ended (last change before
    ``before``): the link goes, and a subscription left with no link (endpoint, keys) too.
    Officers' links are the officers' own and are left alone. Returns (links, subscriptions).
    """
    marks = ", ".join("?" * len(FINAL_STATUSES))
    rows = conn.execute(
        "SELECT l.id, l.subscription_id FROM push_links l"  # noqa: S608
        " JOIN applications a ON a.id = l.application_id"
        f" WHERE a.status IN ({marks}) AND a.updated_at < ?",
        (*FINAL_STATUSES, before)).fetchall()
    if not rows:
        return 0, 0
    conn.executemany("DELETE FROM push_links WHERE id = ?", [(r[0],) for r in rows])
    subs = sorted({r[1] for r in rows})
    return len(rows), drop_unlinked_subscriptions(conn, subs)


def mask_closed_subject_requests(conn: sqlite3.Connection, before: str, now: str) -> int:
    """Data-subject requests closed (selesai, ditolak) before ``before``: the subject's NIK
    and the requester's name are kept masked, as the desk's lists show them; the rest of
    the request (kind, channel, dates, status, reason, note) is its history and stays."""
    marks = ", ".join("?" * len(CLOSED_STATUSES))
    rows = conn.execute(
        "SELECT id, nik, requester_name FROM subject_requests"  # noqa: S608
        f" WHERE status IN ({marks}) AND closed_at < ? AND redacted_at IS NULL",
        (*sorted(CLOSED_STATUSES), before)).fetchall()
    conn.executemany(
        "UPDATE subject_requests SET nik = ?, requester_name = ?, redacted_at = ? WHERE id = ?",
        [(mask_nik(r[1]), mask_name(r[2]), now, r[0]) for r in rows])
    return len(rows)
