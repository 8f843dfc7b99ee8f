"""SQL for referrals to the partner agencies and the services they offer (migrations 0017,
0019): an application's referrals, an agency's desk, outcomes, the admin's service pages,
the statistics panel and the export."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from app.db.statistics import scope_sql
from app.domain.referrals import ServiceInput
from app.domain.statistics import StatFilter

_REFERRAL = (
    "SELECT r.id, r.application_id, r.status, r.reference_number, r.note, r.created_at,"
    " r.updated_at, r.updated_by, s.id AS service_id, s.code AS service_code,"
    " s.name AS service_name, s.reference_label, s.needs_nik, s.brings,"
    " a.id AS agency_id, a.name AS agency_name, a.short_name AS agency"
    " FROM referrals r JOIN agency_services s ON s.id = r.service_id"
    " JOIN agencies a ON a.id = s.agency_id"
)


def for_application(conn: sqlite3.Connection, application_id: int) -> list[sqlite3.Row]:
    """An application's referrals, in the services' order."""
    return conn.execute(_REFERRAL + " WHERE r.application_id = ? ORDER BY s.position, s.id",
                        (application_id,)).fetchall()


def add_to_application(conn: sqlite3.Connection, application_id: int, codes: Sequence[str],
                       actor: str, now: str) -> int:
    """Refer the application to these active services; ones it has already stay as they
    are. Returns how many were added."""
    added = 0
    for code in codes:
        added += conn.execute(
            "INSERT INTO referrals (application_id, service_id, created_at, updated_at,"
            " updated_by) SELECT ?, id, ?, ?, ? FROM agency_services"
            " WHERE code = ? AND active = 1 ON CONFLICT DO NOTHING",
            (application_id, now, now, actor, code)).rowcount
    return added


# -- an agency's desk -----------------------------------------------------------------------
def _desk_where(agency_id: int, status: str | None, round_id: int | None
                ) -> tuple[str, list[Any]]:
    sql = " WHERE s.agency_id = ?"
    params: list[Any] = [agency_id]
    if status:
        sql += " AND r.status = ?"
        params.append(status)
    if round_id is not None:
        sql += " AND app.round_id = ?"
        params.append(round_id)
    return sql, params


def desk_page(conn: sqlite3.Connection, agency_id: int, status: str | None,
              round_id: int | None, limit: int, offset: int
              ) -> tuple[list[sqlite3.Row], int]:
    """One page of the agency's referrals, newest first, and how many match in all. Only
    what the agency needs: name, WhatsApp, business, KBLI, the NIK (masked by the page)."""
    where, params = _desk_where(agency_id, status, round_id)
    joins = (" FROM referrals r JOIN agency_services s ON s.id = r.service_id"
             " JOIN applications app ON app.id = r.application_id")
    total = conn.execute(f"SELECT count(*){joins}{where}", params).fetchone()[0]
    rows = conn.execute(
        "SELECT r.id, r.status, r.reference_number, r.created_at, r.updated_at,"
        " s.name AS service_name, s.needs_nik, app.name, app.phone, app.nik,"
        " app.business_name, app.kbli_json, app.round_id, app.tracking_code"
        f"{joins}{where} ORDER BY r.id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset]).fetchall()
    return rows, int(total)


def desk_rounds(conn: sqlite3.Connection, agency_id: int, limit: int = 100
                ) -> list[sqlite3.Row]:
    """The rounds the agency's referrals came from, newest first (the page's filter)."""
    return conn.execute(
        "SELECT id, day, kecamatan, place FROM rounds WHERE id IN (SELECT app.round_id"
        " FROM referrals r JOIN agency_services s ON s.id = r.service_id"
        " JOIN applications app ON app.id = r.application_id"
        " WHERE s.agency_id = ? AND app.round_id IS NOT NULL)"
        " ORDER BY day DESC, id DESC LIMIT ?", (agency_id, limit)).fetchall()


def referral(conn: sqlite3.Connection, referral_id: int) -> sqlite3.Row | None:
    """A referral with its service, agency and the application's fields the desk shows."""
    return conn.execute(
        "SELECT x.*, app.tracking_code, app.name, app.phone, app.nik, app.business_name,"  # noqa: S608
        " app.kbli_json, app.round_id FROM (" + _REFERRAL + " WHERE r.id = ?) x"
        " JOIN applications app ON app.id = x.application_id", (referral_id,)).fetchone()


def record_outcome(conn: sqlite3.Connection, referral_id: int, status: str,
                   reference: str | None, note: str | None, actor: str, now: str) -> None:
    conn.execute(
        "UPDATE referrals SET status = ?, reference_number = ?, note = ?, updated_at = ?,"
        " updated_by = ? WHERE id = ?", (status, reference, note, now, actor, referral_id))


# -- agencies and their services (admin) -----------------------------------------------------
def agencies(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, code, name, short_name, active FROM agencies"
                        " ORDER BY id").fetchall()


def agency(conn: sqlite3.Connection, agency_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT id, code, name, short_name FROM agencies WHERE id = ?",
                        (agency_id,)).fetchone()


def agency_id_by_code(conn: sqlite3.Connection, code: str) -> int | None:
    row = conn.execute("SELECT id FROM agencies WHERE code = ?", (code,)).fetchone()
    return int(row[0]) if row else None


def services(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every service, active or not, with its agency, in the form's order."""
    return conn.execute(
        "SELECT s.id, s.code, s.name, s.brings, s.reference_label, s.needs_nik, s.active,"
        " s.position, a.short_name AS agency FROM agency_services s"
        " JOIN agencies a ON a.id = s.agency_id ORDER BY s.position, s.id").fetchall()


def update_service(conn: sqlite3.Connection, service_id: int, value: ServiceInput) -> bool:
    return conn.execute(
        "UPDATE agency_services SET name = ?, brings = ?, reference_label = ?, needs_nik = ?,"
        " active = ?, position = ? WHERE id = ?",
        (value.name, value.brings, value.reference_label, int(value.needs_nik),
         int(value.active), value.position, service_id)).rowcount > 0


# -- statistics and export -----------------------------------------------------------------
def _cell_where(f: StatFilter) -> tuple[str, list[Any]]:
    scope, params = scope_sql(f, "c.")
    return " WHERE c.month BETWEEN ? AND ?" + scope, [f.month_from, f.month_to, *params]


def per_agency(conn: sqlite3.Connection, f: StatFilter) -> list[tuple[Any, ...]]:
    """(agency short name, status, n) over the filter, from the trigger-kept summary."""
    where, params = _cell_where(f)
    cursor = conn.execute(
        "SELECT a.short_name, c.status, sum(c.n) FROM stat_referral_cells c"  # noqa: S608
        " JOIN agency_services s ON s.id = c.service_id JOIN agencies a ON a.id = s.agency_id"
        f"{where} GROUP BY a.id, c.status HAVING sum(c.n) != 0 ORDER BY a.id, c.status",
        params)
    cursor.row_factory = None
    return cursor.fetchall()


def recount_cells(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """The summary as a recount from the referrals would make it (tests compare)."""
    return conn.execute(
        "SELECT substr(a.created_day, 1, 7), a.kecamatan, coalesce(a.round_id, 0),"
        " r.service_id, r.status, count(*) FROM referrals r"
        " JOIN applications a ON a.id = r.application_id GROUP BY 1, 2, 3, 4, 5"
        " ORDER BY 1, 2, 3, 4, 5").fetchall()


def kept_cells(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT month, kecamatan, round_id, service_id, status, n FROM stat_referral_cells"
        " WHERE n != 0 ORDER BY 1, 2, 3, 4, 5").fetchall()


def count_for_export(conn: sqlite3.Connection, f: StatFilter) -> int:
    where, params = _cell_where(f)
    row = conn.execute(f"SELECT coalesce(sum(c.n), 0) FROM stat_referral_cells c{where}",  # noqa: S608
                       params).fetchone()
    return int(row[0])


EXPORT_COLUMNS = (
    "r.id", "app.tracking_code", "app.created_day", "app.business_name", "app.kecamatan",
    "app.round_id", "s.code", "s.name", "ag.short_name", "r.status", "r.reference_number",
    "r.updated_at", "r.updated_by",
)


def export_chunk(conn: sqlite3.Connection, f: StatFilter, after_id: int, limit: int
                 ) -> list[tuple[Any, ...]]:
    """The next ``limit`` referrals whose application is in the filter, by referral id."""
    sql = (f"SELECT {', '.join(EXPORT_COLUMNS)} FROM referrals r"  # noqa: S608
           " JOIN applications app ON app.id = r.application_id"
           " JOIN agency_services s ON s.id = r.service_id"
           " JOIN agencies ag ON ag.id = s.agency_id"
           " WHERE r.id > ? AND app.created_day >= ? AND app.created_day < ?")
    scope, params = scope_sql(f, "app.")
    cursor = conn.execute(sql + scope + " ORDER BY r.id LIMIT ?",
                          [after_id, f"{f.month_from}-01", f"{f.month_to}-32", *params, limit])
    cursor.row_factory = None
    return cursor.fetchall()
