"""SQL for OSS health (breaker, outages), pushed NIBs (receiveNIB) and operator tasks.

Each function runs inside the caller's transaction (``Database.write``) or query
(``Database.read``). Status changes go through ``applications.change_status``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from app.db.applications import TransitionError, change_status
from app.db.outbox import close_for_application
from app.domain.nib_push import Candidate, Match, PushedNib, match_push
from app.domain.status import Status

ACTOR_PUSH = "OSS (receiveNIB)"


# -- breaker and outages ------------------------------------------------------------------------
def save_breaker(
    conn: sqlite3.Connection, state: str, since: str, failures: int, worker: str, now: str
) -> None:
    conn.execute(
        "INSERT INTO oss_breaker (id, state, since, failures, worker, updated_at)"
        " VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state,"
        " since = excluded.since, failures = excluded.failures, worker = excluded.worker,"
        " updated_at = excluded.updated_at",
        (state, since, failures, worker, now),
    )


def open_outage(
    conn: sqlite3.Connection, started_at: str, opened_at: str, reason: str | None, worker: str
) -> None:
    """Start an outage unless one is already open."""
    conn.execute(
        "INSERT INTO oss_outages (started_at, opened_at, reason, worker) SELECT ?, ?, ?, ?"
        " WHERE NOT EXISTS (SELECT 1 FROM oss_outages WHERE ended_at IS NULL)",
        (started_at, opened_at, reason, worker),
    )


def close_outage(conn: sqlite3.Connection, ended_at: str) -> None:
    conn.execute("UPDATE oss_outages SET ended_at = ? WHERE ended_at IS NULL", (ended_at,))


def note_outage_queue(conn: sqlite3.Connection) -> None:
    """Keep the deepest queue (pending jobs) the open outage has seen; no-op without one."""
    conn.execute(
        "UPDATE oss_outages SET max_queue = max(coalesce(max_queue, 0),"
        " (SELECT count(*) FROM outbox WHERE state = 'pending')) WHERE ended_at IS NULL"
    )


def breaker_row(conn: sqlite3.Connection) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM oss_breaker WHERE id = 1").fetchone()


def ongoing_outage(conn: sqlite3.Connection) -> sqlite3.Row | None:
    """The outage that has not ended (the breaker opened and no trial has succeeded yet)."""
    return conn.execute(
        "SELECT started_at FROM oss_outages WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()


def outages(conn: sqlite3.Connection, limit: int = 20) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT started_at, opened_at, ended_at, reason FROM oss_outages"
        " ORDER BY id DESC LIMIT ?",
        (limit,),
    ).fetchall()


# -- receiveNIB ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PushResult:
    push_id: int | None
    match: Match | None  # None: refused, the NIB is recorded for another NIK
    repeat: bool = False  # the same push (NIB and body) was stored before: nothing new


def nib_taken(
    conn: sqlite3.Connection, nib: str, niks: Sequence[str], application_id: int | None = None
) -> bool:
    """Whether ``nib`` is already recorded on an application (other than ``application_id``)
    of a NIK that is not one of ``niks``: a NIB belongs to one NIK. The operator, the admin
    and OSS's pushes are held to it alike (and the schema refuses it: migration 0008)."""
    marks = ", ".join("?" * len(niks))
    row = conn.execute(
        f"SELECT 1 FROM applications WHERE nib = ? AND id IS NOT ?"  # noqa: S608
        f" AND nik NOT IN ({marks}) LIMIT 1",
        (nib, application_id, *niks),
    ).fetchone()
    return row is not None


def _pushed_for_another_nik(conn: sqlite3.Connection, nib: str, niks: Sequence[str]) -> bool:
    marks = ", ".join("?" * len(niks))
    row = conn.execute(
        f"SELECT 1 FROM oss_pushes WHERE nib = ? AND nik IS NOT NULL"  # noqa: S608
        f" AND nik NOT IN ({marks}) LIMIT 1",
        (nib, *niks),
    ).fetchone()
    return row is not None


def _candidates(conn: sqlite3.Connection, niks: tuple[str, ...]) -> list[Candidate]:
    if not niks:
        return []
    marks = ", ".join("?" * len(niks))
    rows = conn.execute(
        f"SELECT id, status, nib, kbli_json FROM applications WHERE nik IN ({marks})"  # noqa: S608
        " ORDER BY id",
        list(niks),
    ).fetchall()
    return [
        Candidate(r["id"], r["status"], r["nib"], tuple(str(c) for c in json.loads(r["kbli_json"])))
        for r in rows
    ]


def _issue(conn: sqlite3.Connection, application_id: int, nib: str, actor: str, reason: str,
           now: str) -> None:
    """Issue an application whose NIB came from outside the forwarder; close its job/task."""
    change_status(conn, application_id, Status.ISSUED, actor, reason, now, nib)
    close_for_application(conn, application_id, now, reason)
    conn.execute(
        "UPDATE oss_tasks SET state = 'closed', finished_at = ?, nib = ?, reason = ?"
        " WHERE application_id = ? AND state = 'open'",
        (now, nib, reason, application_id),
    )


def _nik_of(conn: sqlite3.Connection, application_id: int) -> str:
    return conn.execute("SELECT nik FROM applications WHERE id = ?",
                        (application_id,)).fetchone()[0]


def apply_push(
    conn: sqlite3.Connection, pushed: PushedNib, payload_json: str, payload_sha256: str,
    now: str,
) -> PushResult:
    """Store a pushed NIB and, when it matches exactly one waiting application, issue it.

    The receiveNIB token covers only the NIB and the date, not the body, so a genuine push
    replayed with another NIK passes it: a NIB already recorded (on an application or an
    earlier push) for another NIK is refused and nothing is stored. The same push again
    (same NIB, same body) is the push already stored, not a second row.
    """
    earlier = conn.execute(
        "SELECT id, state, application_id, note FROM oss_pushes"
        " WHERE nib = ? AND payload_sha256 = ?",
        (pushed.nib, payload_sha256),
    ).fetchone()
    if earlier is not None:
        return PushResult(earlier["id"], Match(earlier["state"], earlier["application_id"],
                                               earlier["note"] or ""), repeat=True)
    if pushed.niks and (nib_taken(conn, pushed.nib, pushed.niks)
                        or _pushed_for_another_nik(conn, pushed.nib, pushed.niks)):
        return PushResult(None, None)
    match = match_push(pushed, _candidates(conn, pushed.niks))
    if match.kind == "matched" and match.application_id is not None:
        app_id = match.application_id
        if nib_taken(conn, pushed.nib, (_nik_of(conn, app_id),), app_id):
            return PushResult(None, None)
        _issue(conn, app_id, pushed.nib, ACTOR_PUSH, match.note, now)
    cursor = conn.execute(
        "INSERT INTO oss_pushes (received_at, nib, nik, kbli_json, state, application_id, note,"
        " payload_json, payload_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (now, pushed.nib, pushed.niks[0] if pushed.niks else None, json.dumps(pushed.kblis),
         match.kind, match.application_id, match.note, payload_json, payload_sha256),
    )
    return PushResult(int(cursor.lastrowid or 0), match)


def pushes(conn: sqlite3.Connection, state: str, limit: int = 100) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT p.id, p.received_at, p.nib, p.nik, p.kbli_json, p.state, p.note,"
        " a.tracking_code FROM oss_pushes p LEFT JOIN applications a ON a.id = p.application_id"
        " WHERE p.state = ? ORDER BY p.id DESC LIMIT ?",
        (state, limit),
    ).fetchall()


def push_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT state, count(*) FROM oss_pushes GROUP BY state").fetchall())


def resolve_push(
    conn: sqlite3.Connection, push_id: int, tracking_code: str, actor: str, now: str
) -> str:
    """A person assigns an unmatched push to an application. Returns ok | no_push |
    no_application | not_waiting | nib_taken (the NIB is on an application of another NIK)."""
    push = conn.execute(
        "SELECT id, nib, state FROM oss_pushes WHERE id = ?", (push_id,)
    ).fetchone()
    if push is None or push["state"] != "unmatched":
        return "no_push"
    app = conn.execute(
        "SELECT id, status, nik FROM applications WHERE tracking_code = ?", (tracking_code,)
    ).fetchone()
    if app is None:
        return "no_application"
    if nib_taken(conn, push["nib"], (app["nik"],), app["id"]):
        return "nib_taken"
    try:
        _issue(conn, app["id"], push["nib"], actor, "NIB dari OSS dicocokkan oleh admin", now)
    except TransitionError:
        return "not_waiting"
    conn.execute(
        "UPDATE oss_pushes SET state = 'resolved', application_id = ?, resolved_by = ?,"
        " resolved_at = ? WHERE id = ?",
        (app["id"], actor, now, push_id),
    )
    return "ok"


# -- operator tasks (assisted mode) -----------------------------------------------------------
_TASK_SELECT = (
    "SELECT t.*, a.tracking_code, a.business_name, a.status AS app_status,"
    " u.full_name AS claimed_by_name FROM oss_tasks t"
    " JOIN applications a ON a.id = t.application_id"
    " LEFT JOIN users u ON u.id = t.claimed_by"
)


def open_tasks(conn: sqlite3.Connection, limit: int = 200) -> list[sqlite3.Row]:
    return conn.execute(
        _TASK_SELECT + " WHERE t.state = 'open' ORDER BY t.id LIMIT ?", (limit,)
    ).fetchall()


def task(conn: sqlite3.Connection, task_id: int) -> sqlite3.Row | None:
    return conn.execute(_TASK_SELECT + " WHERE t.id = ?", (task_id,)).fetchone()


def task_for_application(conn: sqlite3.Connection, application_id: int) -> sqlite3.Row | None:
    return conn.execute(
        _TASK_SELECT + " WHERE t.application_id = ? ORDER BY t.id DESC LIMIT 1",
        (application_id,),
    ).fetchone()


def open_task_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM oss_tasks WHERE state = 'open'").fetchone()[0]


def claim_task(
    conn: sqlite3.Connection, task_id: int, user_id: int, now: str, until: str
) -> bool:
    """Claim an open task for ``user_id``: one statement, so two operators cannot both win.

    A claim that lapsed (``claim_until`` passed) may be taken over; the holder may renew."""
    cursor = conn.execute(
        "UPDATE oss_tasks SET claimed_by = ?, claimed_at = ?, claim_until = ?"
        " WHERE id = ? AND state = 'open'"
        " AND (claimed_by IS NULL OR claimed_by = ? OR claim_until <= ?)",
        (user_id, now, until, task_id, user_id, now),
    )
    return cursor.rowcount == 1


def release_task(conn: sqlite3.Connection, task_id: int, user_id: int) -> bool:
    cursor = conn.execute(
        "UPDATE oss_tasks SET claimed_by = NULL, claimed_at = NULL, claim_until = NULL"
        " WHERE id = ? AND state = 'open' AND claimed_by = ?",
        (task_id, user_id),
    )
    return cursor.rowcount == 1


def _held(conn: sqlite3.Connection, task_id: int, user_id: int, now: str) -> sqlite3.Row | str:
    row = conn.execute("SELECT * FROM oss_tasks WHERE id = ?", (task_id,)).fetchone()
    if row is None or row["state"] != "open":
        return "closed"
    if row["claimed_by"] != user_id or (row["claim_until"] or "") <= now:
        return "not_claimed"
    return row


def finish_task(
    conn: sqlite3.Connection, task_id: int, user_id: int, nib: str, actor: str, reason: str,
    now: str,
) -> str:
    """The operator keyed the NIB OSS issued. Returns ok | closed | not_claimed | nib_taken."""
    held = _held(conn, task_id, user_id, now)
    if isinstance(held, str):
        return held
    app_id = held["application_id"]
    if nib_taken(conn, nib, (_nik_of(conn, app_id),), app_id):
        return "nib_taken"
    try:
        change_status(conn, app_id, Status.ISSUED, actor, reason, now, nib)
    except TransitionError:
        return "closed"
    conn.execute(
        "UPDATE oss_tasks SET state = 'done', finished_by = ?, finished_at = ?, nib = ?"
        " WHERE id = ?",
        (user_id, now, nib, task_id),
    )
    conn.execute(
        "UPDATE outbox SET state = 'done', done_at = ?, last_outcome = 'issued',"
        " last_error = NULL WHERE id = ?",
        (now, held["outbox_id"]),
    )
    return "ok"


def reject_task(
    conn: sqlite3.Connection, task_id: int, user_id: int, reason: str, actor: str, now: str
) -> str:
    """OSS refused the data in the portal. Returns ok | closed | not_claimed."""
    held = _held(conn, task_id, user_id, now)
    if isinstance(held, str):
        return held
    try:
        change_status(conn, held["application_id"], Status.NEEDS_FIX, actor, reason, now)
    except TransitionError:
        return "closed"
    conn.execute(
        "UPDATE oss_tasks SET state = 'rejected', finished_by = ?, finished_at = ?, reason = ?"
        " WHERE id = ?",
        (user_id, now, reason, task_id),
    )
    conn.execute(
        "UPDATE outbox SET state = 'needs_fix', done_at = ?, last_outcome = 'rejected'"
        " WHERE id = ?",
        (now, held["outbox_id"]),
    )
    return "ok"
