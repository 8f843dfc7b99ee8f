"""SQL for the satisfaction survey: one response per application (or per kiosk answer),
and the sums the index is computed from (app/domain/ikm.py).

Statements are built from the constant column lists below (never from input): every value
is bound."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal

from app.domain.ikm import ELEMENT_CODES, PROFILE

_SUMS = ", ".join(f"coalesce(sum({c}), 0)" for c in ELEMENT_CODES)
_ELEMENTS = ", ".join(ELEMENT_CODES)
_PROFILE = ", ".join(PROFILE)

Outcome = Literal["created", "replay", "conflict", "answered"]


@dataclass(frozen=True, slots=True)
class NewResponse:
    client_id: str
    body_hash: str
    channel: str  # link | kiosk
    application_id: int | None
    round_id: int | None
    kecamatan: str | None
    officer_id: int | None
    scores: tuple[int, ...]
    profile: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class Scope:
    """Which responses a result covers: WIB days (inclusive), optionally one round or one
    kecamatan."""

    first_day: str
    last_day: str
    round_id: int | None = None
    kecamatan: str | None = None

    def where(self) -> tuple[str, tuple[object, ...]]:
        sql = " WHERE day BETWEEN ? AND ?"
        params: list[object] = [self.first_day, self.last_day]
        if self.round_id is not None:
            sql += " AND round_id = ?"
            params.append(self.round_id)
        if self.kecamatan is not None:
            sql += " AND kecamatan = ?"
            params.append(self.kecamatan)
        return sql, tuple(params)


def insert_response(conn: sqlite3.Connection, new: NewResponse, day: str, now: str) -> Outcome:
    """Store a response once. A replay of the same client id and answers is "replay"; the
    same client id with other answers "conflict"; a second response for an application
    "answered"."""
    row = conn.execute("SELECT body_hash FROM survey_responses WHERE client_id = ?",
                       (new.client_id,)).fetchone()
    if row is not None:
        return "replay" if row[0] == new.body_hash else "conflict"
    if new.application_id is not None and conn.execute(
            "SELECT 1 FROM survey_responses WHERE application_id = ?",
            (new.application_id,)).fetchone():
        return "answered"
    conn.execute(
        f"INSERT INTO survey_responses (client_id, body_hash, channel, application_id,"  # noqa: S608
        f" round_id, kecamatan, officer_id, {_ELEMENTS}, {_PROFILE}, day, created_at)"
        f" VALUES ({', '.join('?' * (7 + len(ELEMENT_CODES) + len(PROFILE) + 2))})",
        (new.client_id, new.body_hash, new.channel, new.application_id, new.round_id,
         new.kecamatan, new.officer_id, *new.scores, *(new.profile[k] for k in PROFILE),
         day, now),
    )
    return "created"


def answered(conn: sqlite3.Connection, application_id: int) -> bool:
    return conn.execute("SELECT 1 FROM survey_responses WHERE application_id = ?",
                        (application_id,)).fetchone() is not None


def sums(conn: sqlite3.Connection, scope: Scope) -> tuple[int, tuple[int, ...]]:
    """(respondents, per-element sums) for the scope."""
    where, params = scope.where()
    row = conn.execute(f"SELECT count(*), {_SUMS} FROM survey_responses{where}",  # noqa: S608
                       params).fetchone()
    return int(row[0]), tuple(int(v) for v in row[1:])


def sums_by(conn: sqlite3.Connection, column: Literal["kecamatan", "round_id"], scope: Scope
            ) -> list[tuple[object, int, tuple[int, ...]]]:
    """(key, respondents, sums) per kecamatan or per round in the scope."""
    if column not in ("kecamatan", "round_id"):
        raise ValueError(column)
    where, params = scope.where()
    rows = conn.execute(
        f"SELECT {column}, count(*), {_SUMS} FROM survey_responses{where}"  # noqa: S608
        f" AND {column} IS NOT NULL GROUP BY {column} ORDER BY {column}", params).fetchall()
    return [(r[0], int(r[1]), tuple(int(v) for v in r[2:])) for r in rows]


def responses(conn: sqlite3.Connection, scope: Scope) -> list[sqlite3.Row]:
    """Every response in the scope, for the export (no application, officer or client id)."""
    where, params = scope.where()
    return conn.execute(
        f"SELECT id, day, channel, round_id, kecamatan, {_ELEMENTS}, {_PROFILE}"  # noqa: S608
        f" FROM survey_responses{where} ORDER BY day, id", params).fetchall()


def years(conn: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        "SELECT DISTINCT substr(day, 1, 4) FROM survey_responses ORDER BY 1 DESC")]


def application_brief(conn: sqlite3.Connection, application_id: int) -> sqlite3.Row | None:
    """What the survey needs of an application: no name, NIK or phone."""
    return conn.execute(
        "SELECT id, tracking_code, status, kecamatan, round_id FROM applications WHERE id = ?",
        (application_id,)).fetchone()
