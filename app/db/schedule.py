"""SQL for the public schedule: reading rounds as citizens see them (published, done or
cancelled, never drafts), their agencies, how many businesses a round served, and the
stamp that says whether a feed changed. Reads only; the rounds are written by the admin
side (app/db/rounds.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

_SELECT = (
    "SELECT r.id, r.day, r.start_time, r.end_time, r.starts_at, r.ends_at, r.kecamatan,"
    " r.desa, r.place, r.lat, r.lng, r.quota, r.note, r.status, r.cancel_reason, r.sequence,"
    " r.updated_at, f.starts_at AS first_starts_at, f.ends_at AS first_ends_at,"
    " f.place AS first_place"
    " FROM rounds r LEFT JOIN round_first_published f ON f.round_id = r.id"
    " WHERE r.status IN ('published', 'done', 'cancelled')"
)


def public_rounds(conn: sqlite3.Connection, ends_after: str,
                  kecamatan: str | None = None) -> list[sqlite3.Row]:
    """Public rounds that end after ``ends_after`` (UTC ISO), in order of their start."""
    if kecamatan is None:
        return conn.execute(_SELECT + " AND r.ends_at > ? ORDER BY r.starts_at, r.id",
                            (ends_after,)).fetchall()
    return conn.execute(_SELECT + " AND r.kecamatan = ? AND r.ends_at > ?"
                        " ORDER BY r.starts_at, r.id", (kecamatan, ends_after)).fetchall()


def public_round(conn: sqlite3.Connection, round_id: int) -> sqlite3.Row | None:
    return conn.execute(_SELECT + " AND r.id = ?", (round_id,)).fetchone()


def agencies_of(conn: sqlite3.Connection, round_ids: Sequence[int]
                ) -> dict[int, list[sqlite3.Row]]:
    """The partner agencies attending each round, by round id."""
    found: dict[int, list[sqlite3.Row]] = {i: [] for i in round_ids}
    if not round_ids:
        return found
    marks = ", ".join("?" * len(round_ids))
    for row in conn.execute(
            "SELECT ra.round_id, a.code, a.name, a.short_name FROM round_agencies ra"  # noqa: S608
            f" JOIN agencies a ON a.id = ra.agency_id WHERE ra.round_id IN ({marks})"
            " ORDER BY a.id", tuple(round_ids)):
        found[row["round_id"]].append(row)
    return found


def data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection (this app's writer, another process) commits:
    an unchanged value means nothing in the database changed since it was last read on
    this connection."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def feed_stamp(conn: sqlite3.Connection, ends_after: str, kecamatan: str | None = None
               ) -> tuple[int, str, int, int]:
    """What a feed is made of, cheaply: (rounds, last change, sum of sequences, agency
    links). Equal stamps mean equal feeds (every change raises updated_at and sequence)."""
    where = "status IN ('published', 'done', 'cancelled') AND ends_at > ?"
    params: tuple[str, ...] = (ends_after,)
    if kecamatan is not None:
        where += " AND kecamatan = ?"
        params = (ends_after, kecamatan)
    count, last, sequences = conn.execute(
        f"SELECT count(*), coalesce(max(updated_at), ''), coalesce(sum(sequence), 0)"  # noqa: S608
        f" FROM rounds WHERE {where}", params).fetchone()
    (links,) = conn.execute("SELECT count(*) FROM round_agencies").fetchone()
    return int(count), str(last), int(sequences), int(links)


def served_counts(conn: sqlite3.Connection, round_ids: Sequence[int]) -> dict[int, int]:
    """How many businesses each round took applications for (counts, nothing else)."""
    if not round_ids:
        return {}
    marks = ", ".join("?" * len(round_ids))
    return {r[0]: r[1] for r in conn.execute(
        "SELECT round_id, count(*) FROM applications"  # noqa: S608
        f" WHERE round_id IN ({marks}) GROUP BY round_id", tuple(round_ids))}
