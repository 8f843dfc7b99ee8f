"""SQL for pre-registrations (/daftar-mandiri): stored once per form, downloaded by the
officers of their rounds, checked in with the application made at the car (its copy of the
citizen's data cleared then), deleted by the retention job when never checked in."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.domain.application import COLUMNS as FORM_COLUMNS
from app.domain.subject_requests import ERASED_NIK, ERASED_TEXT
from app.domain.tracking import new_tracking_code

# Built from the constant column list of the domain, never from input.
_INSERT = (
    "INSERT INTO preregistrations (code, client_id, request_hash, consent_version,"  # noqa: S608
    " referrals_json, created_at, expires_at, " + ", ".join(FORM_COLUMNS) + ") VALUES ("
    + ", ".join("?" * (7 + len(FORM_COLUMNS))) + ")"
)
_ROUND = ("r.day AS round_day, r.start_time AS round_start, r.end_time AS round_end,"
          " r.place AS round_place, r.ends_at AS round_ends_at")

# A checked-in pre-registration's copy of the citizen's data, once the application holds it
# (docs/privacy.md): the same placeholders as an erasure. The phone keeps its last four
# digits, the second factor of the citizen's status page; the link, code, client id and
# answer's hash, consent version, round, timestamps and what statistics count (kecamatan,
# desa, KBLI, capital, workers, sex, scale, partner services) stay.
_CLEAR = ("nik = ?, name = ?, phone = substr(phone, -4), email = NULL, npwp = NULL,"
          " business_name = ?, birth_date = '', rt = '', rw = '', street = ?, redacted_at = ?")


def _cleared(now: str) -> tuple[str, ...]:
    return (ERASED_NIK, ERASED_TEXT, ERASED_TEXT, ERASED_TEXT, now)


@dataclass(frozen=True, slots=True)
class NewPreregistration:
    client_id: str
    request_hash: str
    consent_version: str
    referrals: tuple[str, ...]
    form: dict[str, Any]  # by column (app/domain/application.py to_columns)
    created_at: str
    expires_at: str


@dataclass(frozen=True, slots=True)
class Stored:
    kind: Literal["created", "replay", "changed", "phone_limit"]
    code: str | None


def insert(conn: sqlite3.Connection, new: NewPreregistration, phone_since: str,
           phone_limit: int) -> Stored:
    """Store a pre-registration once per client id. A repeated submit gets the first one's
    code ("replay" for the same answer, "changed" for another: nothing is changed); a
    phone number with ``phone_limit`` pre-registrations since ``phone_since`` gets none."""
    row = conn.execute("SELECT code, request_hash FROM preregistrations WHERE client_id = ?",
                       (new.client_id,)).fetchone()
    if row is not None:
        return Stored("replay" if row[1] == new.request_hash else "changed", row[0])
    count = conn.execute(
        "SELECT count(*) FROM preregistrations WHERE phone = ? AND created_at >= ?",
        (new.form["phone"], phone_since)).fetchone()[0]
    if count >= phone_limit:
        return Stored("phone_limit", None)
    code = new_tracking_code()
    while conn.execute("SELECT 1 FROM preregistrations WHERE code = ?", (code,)).fetchone():
        code = new_tracking_code()
    conn.execute(_INSERT, (
        code, new.client_id, new.request_hash, new.consent_version,
        json.dumps(list(new.referrals)), new.created_at, new.expires_at,
        *(new.form[column] for column in FORM_COLUMNS)))
    return Stored("created", code)


def insert_many(conn: sqlite3.Connection, items: Sequence[NewPreregistration],
                phone_since: str, phone_limit: int) -> list[Stored]:
    """``insert`` for each item in order, in the caller's one transaction (group commit)."""
    return [insert(conn, new, phone_since, phone_limit) for new in items]


def by_code(conn: sqlite3.Connection, code: str) -> sqlite3.Row | None:
    return conn.execute(
        f"SELECT p.*, {_ROUND}, a.tracking_code AS application_code"  # noqa: S608
        " FROM preregistrations p LEFT JOIN rounds r ON r.id = p.round_id"
        " LEFT JOIN applications a ON a.id = p.application_id WHERE p.code = ?",
        (code,)).fetchone()


def officer_rounds(conn: sqlite3.Connection, user_id: int, now: str,
                   round_id: int | None = None) -> list[sqlite3.Row]:
    """The rounds the officer is assigned to that are not over (or just ``round_id``, when
    she is assigned to it and it is not over)."""
    sql = ("SELECT r.id, r.day, r.start_time, r.end_time, r.place, r.kecamatan, r.ends_at"
           " FROM rounds r JOIN round_officers o ON o.round_id = r.id"
           " WHERE o.user_id = ? AND r.status IN ('draft', 'published') AND r.ends_at > ?")
    params: list[object] = [user_id, now]
    if round_id is not None:
        sql += " AND r.id = ?"
        params.append(round_id)
    return conn.execute(sql + " ORDER BY r.starts_at, r.id", params).fetchall()


def waiting_for_rounds(conn: sqlite3.Connection, rounds: Sequence[sqlite3.Row]
                       ) -> list[sqlite3.Row]:
    """Waiting pre-registrations for these rounds: those that chose one of them, and those
    that chose no round and live in one of their kecamatan."""
    if not rounds:
        return []
    ids = [r["id"] for r in rounds]
    kecamatan = sorted({r["kecamatan"] for r in rounds})
    return conn.execute(
        "SELECT * FROM preregistrations WHERE status = 'waiting' AND ("  # noqa: S608
        f" round_id IN ({', '.join('?' * len(ids))})"
        f" OR (round_id IS NULL AND kecamatan IN ({', '.join('?' * len(kecamatan))})))"
        " ORDER BY name, id", (*ids, *kecamatan)).fetchall()


def check_in(conn: sqlite3.Connection, code: str, client_id: str, now: str) -> bool:
    """Inside the intake's transaction: the pre-registration ``code`` is checked in and
    linked to the application stored under ``client_id``, and its copy of the citizen's
    data cleared (the application holds it now). Once only."""
    return conn.execute(
        "UPDATE preregistrations SET status = 'checked_in', application_id ="  # noqa: S608
        f" (SELECT id FROM applications WHERE client_id = ?), {_CLEAR}"
        " WHERE code = ? AND status != 'checked_in'",
        (client_id, *_cleared(now), code)).rowcount > 0


# -- retention ------------------------------------------------------------------------------
def not_checked_in(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every pre-registration still kept for a check-in, with its round's end (or None)."""
    return conn.execute(
        "SELECT p.id, p.status, p.created_at, p.expires_at, r.ends_at AS round_ends_at"
        " FROM preregistrations p LEFT JOIN rounds r ON r.id = p.round_id"
        " WHERE p.status != 'checked_in'").fetchall()


def clear_checked_in(conn: sqlite3.Connection, now: str) -> int:
    """Checked-in pre-registrations still holding the citizen's data (checked in before the
    check-in cleared it): cleared as a check-in does now."""
    return conn.execute(
        f"UPDATE preregistrations SET {_CLEAR}"  # noqa: S608
        " WHERE status = 'checked_in' AND redacted_at IS NULL", _cleared(now)).rowcount


def delete(conn: sqlite3.Connection, ids: Sequence[int]) -> int:
    conn.executemany("DELETE FROM preregistrations WHERE id = ?", [(i,) for i in ids])
    return len(ids)


def set_expiry(conn: sqlite3.Connection, changes: Sequence[tuple[str, str, int]]) -> None:
    """(status, expires_at, id) for each pre-registration whose round ended or moved."""
    conn.executemany("UPDATE preregistrations SET status = ?, expires_at = ? WHERE id = ?",
                     changes)
