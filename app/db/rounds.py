"""SQL for the car's rounds: cars, agencies, rounds with their officers, agencies and
history, officers' leave and sections, the honorarium's years, and each round's report.

Writes that must not race (a car or an officer in two overlapping rounds) check their
conflicts inside the caller's ``Database.write`` transaction: one writer, so the check and
the write see the same rows.

Shared reads for the public schedule: ``published_rounds`` and ``round_agency_names``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from app.domain.rounds import (
    WIB,
    Booking,
    Candidate,
    RoundInput,
    RoundStatus,
    can_move,
    conflicts,
    ends_at,
    quarter_of,
    when_text,
)

ROUND_COLUMNS = (
    "id, day, start_time, end_time, starts_at, ends_at, evening, kecamatan, desa, place, lat,"
    " lng, car_id, quota, note, status, cancel_reason, sequence, draw_seed, invitation_id,"
    " created_at, updated_at"
)
LIVE = "status != 'cancelled'"


class RoundConflict(Exception):
    """The write was refused: one message per field (car_id, officers, status...)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _time(text: str) -> time:
    return time.fromisoformat(text)


def row_span(row: sqlite3.Row) -> tuple[datetime, datetime]:
    day = date.fromisoformat(row["day"])
    start, end = _time(row["start_time"]), _time(row["end_time"])
    return datetime.combine(day, start, WIB), ends_at(day, start, end)


def row_label(row: sqlite3.Row) -> str:
    day = date.fromisoformat(row["day"])
    return f"{when_text(day, _time(row['start_time']), _time(row['end_time']))}, {row['place']}"


# -- cars and agencies ---------------------------------------------------------------------
def cars(conn: sqlite3.Connection, active_only: bool = False) -> list[sqlite3.Row]:
    where = " WHERE active = 1" if active_only else ""
    return conn.execute(f"SELECT id, name, plate, active FROM cars{where} ORDER BY id"  # noqa: S608
                        ).fetchall()


def add_car(conn: sqlite3.Connection, name: str, plate: str | None) -> int | None:
    cur = conn.execute("INSERT INTO cars (name, plate) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
                       (name, plate))
    return cur.lastrowid if cur.rowcount else None


def set_car_active(conn: sqlite3.Connection, car_id: int, active: bool) -> bool:
    return conn.execute("UPDATE cars SET active = ? WHERE id = ?",
                        (int(active), car_id)).rowcount > 0


def agencies(conn: sqlite3.Connection, active_only: bool = False) -> list[sqlite3.Row]:
    where = " WHERE active = 1" if active_only else ""
    return conn.execute(
        f"SELECT id, code, name, short_name, active FROM agencies{where} ORDER BY id"  # noqa: S608
    ).fetchall()


def rename_agency(conn: sqlite3.Connection, agency_id: int, name: str, short_name: str) -> bool:
    return conn.execute("UPDATE agencies SET name = ?, short_name = ? WHERE id = ?",
                        (name, short_name, agency_id)).rowcount > 0


# -- reading rounds ------------------------------------------------------------------------
def round_row(conn: sqlite3.Connection, round_id: int) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {ROUND_COLUMNS} FROM rounds WHERE id = ?",  # noqa: S608
                        (round_id,)).fetchone()


def rounds_between(conn: sqlite3.Connection, first_day: str, last_day: str
                   ) -> list[sqlite3.Row]:
    """Every round whose WIB day is in [first_day, last_day], in time order."""
    return conn.execute(
        f"SELECT {ROUND_COLUMNS} FROM rounds WHERE day BETWEEN ? AND ?"  # noqa: S608
        " ORDER BY starts_at, id", (first_day, last_day)).fetchall()


def published_rounds(conn: sqlite3.Connection, ending_after: str,
                     kecamatan: str | None = None) -> list[sqlite3.Row]:
    """Published rounds that end after a UTC instant (optionally in one kecamatan), in time
    order: what citizens may see as upcoming."""
    sql = (f"SELECT {ROUND_COLUMNS} FROM rounds WHERE status = 'published'"  # noqa: S608
           " AND ends_at > ?")
    params: list[object] = [ending_after]
    if kecamatan:
        sql += " AND kecamatan = ?"
        params.append(kecamatan)
    return conn.execute(sql + " ORDER BY starts_at, id", params).fetchall()


def round_agency_ids(conn: sqlite3.Connection, round_id: int) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT agency_id FROM round_agencies WHERE round_id = ? ORDER BY agency_id",
        (round_id,))]


def round_agency_names(conn: sqlite3.Connection, round_id: int) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT a.name FROM round_agencies ra JOIN agencies a ON a.id = ra.agency_id"
        " WHERE ra.round_id = ? ORDER BY a.id", (round_id,))]


def round_officers(conn: sqlite3.Connection, round_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT o.user_id, u.full_name, u.username, u.section, o.how, o.reason, o.assigned_at"
        " FROM round_officers o JOIN users u ON u.id = o.user_id WHERE o.round_id = ?"
        " ORDER BY u.full_name, u.id", (round_id,)).fetchall()


def history(conn: sqlite3.Connection, round_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT id, at, actor, action, detail FROM round_history"
                        " WHERE round_id = ? ORDER BY id", (round_id,)).fetchall()


def last_draw(conn: sqlite3.Connection, round_id: int) -> dict[str, object] | None:
    row = conn.execute("SELECT detail FROM round_history WHERE round_id = ? AND action = 'draw'"
                       " ORDER BY id DESC LIMIT 1", (round_id,)).fetchone()
    return json.loads(row[0]) if row else None


def upcoming_for_officer(conn: sqlite3.Connection, user_id: int, ending_after: str
                         ) -> list[sqlite3.Row]:
    """The officer's rounds not yet over (drafts and published), in time order."""
    return conn.execute(
        "SELECT r.id, r.day, r.start_time, r.end_time, r.kecamatan, r.desa, r.place,"
        " r.status FROM rounds r JOIN round_officers o ON o.round_id = r.id"
        " WHERE o.user_id = ? AND r.status IN ('draft', 'published') AND r.ends_at > ?"
        " ORDER BY r.starts_at, r.id", (user_id, ending_after)).fetchall()


def is_assigned(conn: sqlite3.Connection, round_id: int, user_id: int) -> bool:
    return conn.execute("SELECT 1 FROM round_officers WHERE round_id = ? AND user_id = ?",
                        (round_id, user_id)).fetchone() is not None


# -- writing rounds ------------------------------------------------------------------------
def _record(conn: sqlite3.Connection, round_id: int, now: str, actor: str, action: str,
            detail: object | None = None) -> int:
    text = None if detail is None else (
        detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False))
    cur = conn.execute("INSERT INTO round_history (round_id, at, actor, action, detail)"
                       " VALUES (?, ?, ?, ?, ?)", (round_id, now, actor, action, text))
    return int(cur.lastrowid or 0)


def _bookings(conn: sqlite3.Connection, span: tuple[datetime, datetime],
              exclude: int | None) -> list[Booking]:
    """Live rounds overlapping ``span`` (other than ``exclude``) with their officers."""
    rows = conn.execute(
        f"SELECT {ROUND_COLUMNS} FROM rounds WHERE {LIVE} AND starts_at < ? AND ends_at > ?"  # noqa: S608
        " AND id != ?", (_utc(span[1]), _utc(span[0]), exclude or 0)).fetchall()
    found = []
    for row in rows:
        officers = frozenset(r[0] for r in conn.execute(
            "SELECT user_id FROM round_officers WHERE round_id = ?", (row["id"],)))
        start, end = row_span(row)
        found.append(Booking(row["id"], row_label(row), start, end, row["car_id"], officers))
    return found


def _officer_names(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    return {r[0]: r[1] for r in conn.execute(
        f"SELECT id, full_name FROM users WHERE id IN ({marks})", wanted)}  # noqa: S608


def _check(conn: sqlite3.Connection, round_id: int | None, value: RoundInput,
           officer_ids: Iterable[int]) -> None:
    errors = conflicts(round_id, (value.starts_at, value.ends_at), value.car_id,
                       _officer_names(conn, officer_ids), _bookings(conn, (value.starts_at,
                                                                           value.ends_at),
                                                                    round_id))
    if errors:
        raise RoundConflict(errors)


def _values(value: RoundInput) -> tuple[object, ...]:
    return (value.day.isoformat(), value.start.strftime("%H:%M"), value.end.strftime("%H:%M"),
            _utc(value.starts_at), _utc(value.ends_at), int(value.evening), value.kecamatan,
            value.desa, value.place, value.lat, value.lng, value.car_id, value.quota,
            value.note)


def _set_agencies(conn: sqlite3.Connection, round_id: int, agency_ids: Iterable[int]) -> None:
    conn.execute("DELETE FROM round_agencies WHERE round_id = ?", (round_id,))
    conn.executemany("INSERT INTO round_agencies (round_id, agency_id) VALUES (?, ?)",
                     [(round_id, a) for a in agency_ids])


def insert_round(conn: sqlite3.Connection, value: RoundInput, actor: str, now: str,
                 invitation_id: int | None = None) -> int:
    """A new draft round (refused with RoundConflict when its car is busy)."""
    _check(conn, None, value, ())
    cur = conn.execute(
        "INSERT INTO rounds (day, start_time, end_time, starts_at, ends_at, evening, kecamatan,"
        " desa, place, lat, lng, car_id, quota, note, invitation_id, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*_values(value), invitation_id, now, now))
    round_id = int(cur.lastrowid or 0)
    _set_agencies(conn, round_id, value.agency_ids)
    _record(conn, round_id, now, actor, "create", {"when": when_text(value.day, value.start,
                                                                     value.end)})
    return round_id


_EDITABLE = ("day", "start_time", "end_time", "kecamatan", "desa", "place", "lat", "lng",
             "car_id", "quota", "note")


def update_round(conn: sqlite3.Connection, round_id: int, value: RoundInput, actor: str,
                 now: str) -> list[str]:
    """Change a draft or published round: conflicts checked with its officers, ``sequence``
    raised, the changed fields in its history. Returns the changed field names."""
    row = round_row(conn, round_id)
    if row is None or row["status"] not in (RoundStatus.DRAFT, RoundStatus.PUBLISHED):
        raise RoundConflict({"status": MSG_NOT_EDITABLE})
    officers = [r[0] for r in conn.execute(
        "SELECT user_id FROM round_officers WHERE round_id = ?", (round_id,))]
    _check(conn, round_id, value, officers)
    new = dict(zip(("day", "start_time", "end_time", "starts_at", "ends_at", "evening",
                    "kecamatan", "desa", "place", "lat", "lng", "car_id", "quota", "note"),
                   _values(value), strict=True))
    changed = [name for name in _EDITABLE if row[name] != new[name]]
    if list(value.agency_ids) != round_agency_ids(conn, round_id):
        changed.append("agencies")
    if not changed:
        return []
    conn.execute(
        "UPDATE rounds SET day = ?, start_time = ?, end_time = ?, starts_at = ?, ends_at = ?,"
        " evening = ?, kecamatan = ?, desa = ?, place = ?, lat = ?, lng = ?, car_id = ?,"
        " quota = ?, note = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?",
        (*_values(value), now, round_id))
    _set_agencies(conn, round_id, value.agency_ids)
    detail: dict[str, object] = {"fields": changed}
    if {"day", "start_time", "end_time"} & set(changed):
        detail["from"] = when_text(date.fromisoformat(row["day"]), _time(row["start_time"]),
                                   _time(row["end_time"]))
        detail["to"] = when_text(value.day, value.start, value.end)
    _record(conn, round_id, now, actor, "edit", detail)
    return changed


MSG_NOT_EDITABLE = "Sesi yang sudah selesai atau dibatalkan tidak bisa diubah."
MSG_MOVE = "Perubahan status ini tidak diizinkan (dari {before} ke {after})."
MSG_NOT_FOUND = "Sesi tidak ditemukan."


def move_status(conn: sqlite3.Connection, round_id: int, after: str, actor: str, now: str,
                reason: str | None = None) -> str:
    """draft -> published -> done, or -> cancelled with a reason. Returns the old status."""
    row = round_row(conn, round_id)
    if row is None:
        raise RoundConflict({"status": MSG_NOT_FOUND})
    before = row["status"]
    if not can_move(before, after):
        raise RoundConflict({"status": MSG_MOVE.format(before=RoundStatus(before).label,
                                                       after=RoundStatus(after).label)})
    if after == RoundStatus.PUBLISHED:
        # a draft may have been planned before another round took its car or officers
        span = row_span(row)
        errors = conflicts(round_id, span, row["car_id"], _officer_names(conn, [
            r[0] for r in conn.execute("SELECT user_id FROM round_officers WHERE round_id = ?",
                                       (round_id,))]), _bookings(conn, span, round_id))
        if errors:
            raise RoundConflict(errors)
    conn.execute("UPDATE rounds SET status = ?, cancel_reason = ?, sequence = sequence + 1,"
                 " updated_at = ? WHERE id = ?",
                 (after, reason if after == RoundStatus.CANCELLED else None, now, round_id))
    _record(conn, round_id, now, actor, after, reason)
    return before


# -- officers: the draw, swaps, leave and sections -----------------------------------------
def officers(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Active field officers (role officer), with their section."""
    return conn.execute("SELECT id, username, full_name, section FROM users"
                        " WHERE role = 'officer' AND active = 1 ORDER BY full_name, id"
                        ).fetchall()


def candidates(conn: sqlite3.Connection, round_id: int) -> list[Candidate]:
    """Every active officer as the draw sees them for this round: rounds and evening rounds
    this quarter (live rounds, this one left out), on leave that day, booked at that time."""
    row = round_row(conn, round_id)
    assert row is not None
    day = date.fromisoformat(row["day"])
    first, after = quarter_of(day)
    counts = {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT o.user_id, count(*), sum(r.evening) FROM round_officers o"
        " JOIN rounds r ON r.id = o.round_id WHERE r.status != 'cancelled' AND r.day >= ?"
        " AND r.day < ?"
        " AND r.id != ? GROUP BY o.user_id", (first.isoformat(), after.isoformat(), round_id))}
    leave = {r[0] for r in conn.execute(
        "SELECT user_id FROM officer_leave WHERE first_day <= ? AND last_day >= ?",
        (row["day"], row["day"]))}
    booked: set[int] = set()
    for other in _bookings(conn, row_span(row), round_id):
        booked |= other.officer_ids
    return [Candidate(r["id"], counts.get(r["id"], (0, 0))[0],
                      int(counts.get(r["id"], (0, 0))[1] or 0), r["id"] in leave,
                      r["id"] in booked)
            for r in officers(conn)]


def assign_drawn(conn: sqlite3.Connection, round_id: int, seed: int, n: int,
                 pool: list[Candidate], chosen: tuple[int, ...], actor: str, now: str
                 ) -> int:
    """Replace the round's officers with a draw; its inputs and seed go to the history.
    Returns the history entry's id."""
    conn.execute("DELETE FROM round_officers WHERE round_id = ?", (round_id,))
    conn.executemany(
        "INSERT INTO round_officers (round_id, user_id, assigned_at, assigned_by, how)"
        " VALUES (?, ?, ?, ?, 'draw')", [(round_id, uid, now, actor) for uid in chosen])
    conn.execute("UPDATE rounds SET draw_seed = ?, updated_at = ? WHERE id = ?",
                 (seed, now, round_id))
    return _record(conn, round_id, now, actor, "draw", {
        "seed": seed, "n": n, "chosen": list(chosen),
        "pool": [[c.officer_id, c.rounds_this_quarter, c.evening_rounds_this_quarter,
                  int(c.on_leave), int(c.booked)] for c in pool]})


MSG_SWAP_OUT = "Pilih petugas yang diganti dari petugas sesi ini."
MSG_SWAP_IN = "Pilih petugas pengganti yang belum bertugas di sesi ini."
MSG_SWAP_LEAVE = "{name} sedang cuti pada tanggal sesi ini. Pilih petugas lain."
MSG_SWAP_REASON = "Tulis alasan penggantian (minimal 5 karakter)."


def swap_officer(conn: sqlite3.Connection, round_id: int, out_id: int, in_id: int,
                 reason: str, actor: str, now: str) -> int:
    """One officer for another, with a reason; the newcomer must be free and not on leave.
    Returns the history entry's id."""
    row = round_row(conn, round_id)
    if row is None or row["status"] not in (RoundStatus.DRAFT, RoundStatus.PUBLISHED):
        raise RoundConflict({"swap": MSG_NOT_EDITABLE})
    if not is_assigned(conn, round_id, out_id):
        raise RoundConflict({"out_id": MSG_SWAP_OUT})
    pool = {c.officer_id: c for c in candidates(conn, round_id)}
    if in_id not in pool or is_assigned(conn, round_id, in_id):
        raise RoundConflict({"in_id": MSG_SWAP_IN})
    names = _officer_names(conn, [out_id, in_id])
    if pool[in_id].on_leave:
        raise RoundConflict({"in_id": MSG_SWAP_LEAVE.format(name=names[in_id])})
    span = row_span(row)
    errors = conflicts(round_id, span, row["car_id"], {in_id: names[in_id]},
                       _bookings(conn, span, round_id))
    if "officers" in errors:
        raise RoundConflict({"in_id": errors["officers"]})
    conn.execute("DELETE FROM round_officers WHERE round_id = ? AND user_id = ?",
                 (round_id, out_id))
    conn.execute("INSERT INTO round_officers (round_id, user_id, assigned_at, assigned_by, how,"
                 " reason) VALUES (?, ?, ?, ?, 'swap', ?)", (round_id, in_id, now, actor, reason))
    conn.execute("UPDATE rounds SET updated_at = ? WHERE id = ?", (now, round_id))
    return _record(conn, round_id, now, actor, "swap", {
        "out": out_id, "in": in_id, "out_name": names[out_id], "in_name": names[in_id],
        "reason": reason})


def leave_list(conn: sqlite3.Connection, from_day: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT l.id, l.user_id, u.full_name, l.first_day, l.last_day, l.note"
        " FROM officer_leave l JOIN users u ON u.id = l.user_id WHERE l.last_day >= ?"
        " ORDER BY l.first_day, u.full_name", (from_day,)).fetchall()


def add_leave(conn: sqlite3.Connection, user_id: int, first_day: str, last_day: str,
              note: str) -> int:
    cur = conn.execute("INSERT INTO officer_leave (user_id, first_day, last_day, note)"
                       " VALUES (?, ?, ?, ?)", (user_id, first_day, last_day, note))
    return int(cur.lastrowid or 0)


def delete_leave(conn: sqlite3.Connection, leave_id: int) -> bool:
    return conn.execute("DELETE FROM officer_leave WHERE id = ?", (leave_id,)).rowcount > 0


def set_section(conn: sqlite3.Connection, user_id: int, section: str | None) -> bool:
    return conn.execute("UPDATE users SET section = ? WHERE id = ? AND role = 'officer'",
                        (section, user_id)).rowcount > 0


# -- Web Push to assigned officers ---------------------------------------------------------
def queue_officer_push(conn: sqlite3.Connection, user_ids: Iterable[int], history_id: int,
                       payload: Mapping[str, str], now: str, now_ts: float) -> int:
    """A push job per subscription of each officer, in the durable queue (app/notify).

    ``push_jobs.event_id`` holds status events' ids (positive); a round's message uses
    the NEGATIVE id of its history entry, so it is unique and never collides with them.
    """
    made = 0
    body = json.dumps(dict(payload), ensure_ascii=False)
    for user_id in user_ids:
        for (sub_id,) in conn.execute(
                "SELECT subscription_id FROM push_links WHERE user_id = ?", (user_id,)):
            made += conn.execute(
                "INSERT OR IGNORE INTO push_jobs (subscription_id, event_id, payload, urgency,"
                " next_attempt_at, created_at) VALUES (?, ?, ?, 'normal', ?, ?)",
                (sub_id, -history_id, body, now_ts, now)).rowcount
    return made


# -- the honorarium ------------------------------------------------------------------------
def done_assignments(conn: sqlite3.Connection, first_day: str, after_day: str
                     ) -> list[tuple[int, bool]]:
    """(officer, evening) for each officer of each round done in [first_day, after_day)."""
    return [(r[0], bool(r[1])) for r in conn.execute(
        "SELECT o.user_id, r.evening FROM round_officers o JOIN rounds r ON r.id = o.round_id"
        " WHERE r.status = 'done' AND r.day >= ? AND r.day < ?", (first_day, after_day))]


def user_names(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    return _officer_names(conn, ids)


def honor_year(conn: sqlite3.Connection, year: int) -> sqlite3.Row | None:
    return conn.execute("SELECT year, budget, rate, evening_rate FROM honor_years WHERE year = ?",
                        (year,)).fetchone()


def set_honor_year(conn: sqlite3.Connection, year: int, budget: int | None, rate: int | None,
                   evening_rate: int | None, actor: str, now: str) -> None:
    conn.execute(
        "INSERT INTO honor_years (year, budget, rate, evening_rate, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(year) DO UPDATE SET budget = excluded.budget,"
        " rate = excluded.rate, evening_rate = excluded.evening_rate,"
        " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        (year, budget, rate, evening_rate, now, actor))


# -- a round's report ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReportRow:
    status: str
    nib: str | None
    kbli: list[str]


def round_applications(conn: sqlite3.Connection, round_id: int) -> list[ReportRow]:
    """The applications taken at a round: status, NIB and KBLI codes (nothing personal)."""
    return [ReportRow(r[0], r[1], json.loads(r[2])) for r in conn.execute(
        "SELECT status, nib, kbli_json FROM applications WHERE round_id = ? ORDER BY id",
        (round_id,))]
