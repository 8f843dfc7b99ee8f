"""SQL of the statistics pages: the trigger-kept summary ``stat_cells`` (migration 0016),
coverage potentials, outages with their deepest queue, and the export's reader.

Every panel reads ``stat_cells``, never scans ``applications``: the summary is kept exact
by triggers in the same transaction as each write (docs/statistics.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from app.domain.statistics import StatFilter

# What a panel may group by (column lists built from these constants, never from input).
_GROUPS: dict[str, str] = {
    "": "",
    "month": "month, ",
    "kecamatan": "kecamatan, ",
    "round": "round_id, ",
}
_BUCKET_SQL = "(SELECT max(lower) FROM stat_time_buckets WHERE lower <= s)"


def scope_sql(f: StatFilter, table: str = "") -> tuple[str, list[Any]]:
    """The filter's kecamatan and round as " AND ..." conditions on the columns
    ``kecamatan`` and ``round_id`` of ``table`` (an alias with its dot, e.g. "a.")."""
    sql = ""
    params: list[Any] = []
    if f.kecamatan:
        sql += f" AND {table}kecamatan = ?"
        params.append(f.kecamatan)
    if f.round_id is not None:
        sql += f" AND {table}round_id = ?"
        params.append(f.round_id)
    return sql, params


def _where(f: StatFilter) -> tuple[str, list[Any]]:
    scope, params = scope_sql(f)
    return "dim = ? AND month BETWEEN ? AND ?" + scope, [f.month_from, f.month_to, *params]


def cells(conn: sqlite3.Connection, dim: str, f: StatFilter, by: str = ""
          ) -> list[tuple[Any, ...]]:
    """Rows of (<by>, value, n, workers_male, workers_female) for one dimension, summed over
    the filter; ``by`` is "", "month", "kecamatan" or "round"."""
    group = _GROUPS[by]
    where, params = _where(f)
    cursor = conn.execute(
        f"SELECT {group}value, sum(n), sum(workers_male), sum(workers_female)"  # noqa: S608
        f" FROM stat_cells WHERE {where} GROUP BY {group}value HAVING sum(n) != 0"
        f" ORDER BY {group}value",
        [dim, *params],
    )
    cursor.row_factory = None  # plain tuples
    return cursor.fetchall()


def count_applications(conn: sqlite3.Connection, f: StatFilter) -> int:
    where, params = _where(f)
    row = conn.execute(f"SELECT coalesce(sum(n), 0) FROM stat_cells WHERE {where}",  # noqa: S608
                       ["status", *params]).fetchone()
    return int(row[0])


def registered_by_kecamatan(conn: sqlite3.Connection, issued: Sequence[str]) -> dict[str, int]:
    """Applications with a NIB per kecamatan, all time (coverage)."""
    marks = ", ".join("?" * len(issued))
    return dict(conn.execute(
        "SELECT kecamatan, sum(n) FROM stat_cells WHERE dim = 'status'"  # noqa: S608
        f" AND value IN ({marks}) GROUP BY kecamatan", list(issued)).fetchall())


def rebuild_cells(conn: sqlite3.Connection) -> None:
    """Recount the whole summary from the applications and their status events (bulk
    loads that ran without the triggers; a test compares it with what the triggers kept)."""
    conn.execute("DELETE FROM stat_cells")
    plain = " UNION ALL ".join(
        f"SELECT '{dim}', substr(created_day, 1, 7), kecamatan, coalesce(round_id, 0),"  # noqa: S608
        f" {value}, count(*), sum(workers_male), sum(workers_female) FROM applications"
        " GROUP BY 2, 3, 4, 5"
        for dim, value in (("status", "status"), ("scale", "scale"), ("sex", "sex"),
                           ("desa", "desa"), ("kbli", "substr(kbli_json, 3, 2)"),
                           ("officer", "coalesce(officer_id, 0)"))
    )
    conn.execute(f"INSERT INTO stat_cells {plain}")
    conn.execute(
        f"INSERT INTO stat_cells SELECT 'nib_time', month, kecamatan, round_id, {_BUCKET_SQL},"  # noqa: S608
        " count(*), sum(workers_male), sum(workers_female)"
        " FROM (SELECT substr(a.created_day, 1, 7) AS month, a.kecamatan,"
        " coalesce(a.round_id, 0) AS round_id, a.workers_male, a.workers_female,"
        " max(0, CAST((julianday(e.at) - julianday(a.created_at)) * 86400 + 0.5 AS INTEGER))"
        " AS s FROM applications a JOIN (SELECT application_id, min(at) AS at"
        " FROM status_events WHERE status = 'issued' GROUP BY application_id) e"
        " ON e.application_id = a.id) GROUP BY 2, 3, 4, 5"
    )


def time_buckets(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT lower FROM stat_time_buckets ORDER BY lower")]


def all_cells(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """The whole summary without empty cells, sorted (tests compare two of them)."""
    return conn.execute(
        "SELECT dim, month, kecamatan, round_id, value, n, workers_male, workers_female"
        " FROM stat_cells WHERE n != 0 ORDER BY 1, 2, 3, 4, 5").fetchall()


# -- names for the panels ----------------------------------------------------------------
def rounds_by_ids(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, sqlite3.Row]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    rows = conn.execute(
        f"SELECT id, day, kecamatan, place, status FROM rounds WHERE id IN ({marks})",  # noqa: S608
        wanted).fetchall()
    return {r["id"]: r for r in rows}


def rounds_in_period(conn: sqlite3.Connection, first_day: str, last_day: str,
                     limit: int = 300) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, day, kecamatan, place FROM rounds WHERE day BETWEEN ? AND ?"
        " AND status != 'cancelled' ORDER BY day DESC, id DESC LIMIT ?",
        (first_day, last_day, limit)).fetchall()


def user_names(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    return dict(conn.execute(
        f"SELECT id, full_name FROM users WHERE id IN ({marks})", wanted).fetchall())  # noqa: S608


def last_done_round(conn: sqlite3.Connection) -> dict[str, str]:
    """The day of the last round done in each kecamatan."""
    return dict(conn.execute(
        "SELECT kecamatan, max(day) FROM rounds WHERE status = 'done' GROUP BY kecamatan"
    ).fetchall())


def outages(conn: sqlite3.Connection, since: str, until: str, limit: int = 50
            ) -> list[sqlite3.Row]:
    """OSS outages that started in [since, until) (UTC ISO), newest first."""
    return conn.execute(
        "SELECT started_at, ended_at, reason, max_queue FROM oss_outages"
        " WHERE started_at >= ? AND started_at < ? ORDER BY started_at DESC LIMIT ?",
        (since, until, limit)).fetchall()


# -- coverage potential -------------------------------------------------------------------
def potentials(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT kecamatan, potential FROM coverage_potential").fetchall())


def save_potentials(conn: sqlite3.Connection, values: dict[str, int | None], source: str,
                    actor: str, now: str) -> int:
    """Set (or with None clear) the potential of each kecamatan given. Returns rows changed."""
    changed = 0
    for code, value in values.items():
        if value is None:
            changed += conn.execute("DELETE FROM coverage_potential WHERE kecamatan = ?",
                                    (code,)).rowcount
            continue
        changed += conn.execute(
            "INSERT INTO coverage_potential (kecamatan, potential, source, updated_at,"
            " updated_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT(kecamatan) DO UPDATE SET"
            " potential = excluded.potential, source = excluded.source,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by"
            " WHERE potential != excluded.potential",
            (code, value, source, now, actor)).rowcount
    return changed


# -- export --------------------------------------------------------------------------------
EXPORT_COLUMNS = (
    "a.id", "a.tracking_code", "a.created_day", "a.status", "a.nik", "a.name", "a.sex",
    "a.business_name", "a.kecamatan", "a.desa", "a.kbli_json", "a.scale", "a.capital",
    "a.workers_male", "a.workers_female", "a.nib", "a.round_id", "u.full_name",
)
_EXPORT_SELECT = (
    f"SELECT {', '.join(EXPORT_COLUMNS)} FROM applications a"  # noqa: S608
    " LEFT JOIN users u ON u.id = a.officer_id"
    " WHERE a.id > ? AND a.created_day >= ? AND a.created_day < ?"
)


def export_chunk(conn: sqlite3.Connection, f: StatFilter, after_id: int, limit: int
                 ) -> list[tuple[Any, ...]]:
    """The next ``limit`` applications in the filter with an id above ``after_id``, by id
    (one index range each time: memory stays flat however many rows there are)."""
    first, end = f"{f.month_from}-01", _month_after(f.month_to) + "-01"
    scope, params = scope_sql(f, "a.")
    cursor = conn.execute(_EXPORT_SELECT + scope + " ORDER BY a.id LIMIT ?",
                          [after_id, first, end, *params, limit])
    cursor.row_factory = None
    return cursor.fetchall()


def _month_after(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"
