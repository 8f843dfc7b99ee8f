"""SQL for the OSS outbox: leasing due jobs, recording every attempt, resending after a fix.

A job is *leased* by setting ``lease_until``/``lease_owner``; a worker that dies leaves the
lease to expire, after which any worker may take the job again (and, not knowing whether
the dead worker's request reached OSS, marks it in doubt: the next attempt asks OSS for the
reference before sending). Every outcome is written in ONE transaction with its attempt row,
the job's new state and (via ``change_status``) the application's status, history and event.
A worker whose lease was taken over records its attempt but changes nothing else.

Statuses move only through ``applications.change_status``; the status column is never
written here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.db.applications import FORM_COLUMNS, TransitionError, change_status
from app.domain.status import WAITING_FOR_OSS, Status

ACTOR_SYSTEM = "sistem"
ACTOR_OSS = "OSS"

# Built from the constant column list, never from input.
_FORM_UPDATE = ", ".join(f"{column} = ?" for column in FORM_COLUMNS)


@dataclass(frozen=True, slots=True)
class LeasedJob:
    id: int
    application_id: int
    attempts: int  # attempts made before this one
    in_doubt: bool
    application: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    attempt: int
    started_at: str
    finished_at: str
    latency_ms: int
    outcome: str  # issued | rejected | unavailable | task
    error: str | None
    detail: str | None
    trial: bool
    worker: str


def lease(
    conn: sqlite3.Connection,
    now: str,
    until: str,
    owner: str,
    limit: int,
    submitted_reason: str | None,
) -> list[LeasedJob]:
    """Lease up to ``limit`` due jobs (oldest due first), inside the caller's transaction.

    A job whose previous lease expired without a result becomes in doubt. An application
    still ``received`` moves to ``submitted``; a job whose application no longer waits for
    OSS (cancelled, already issued by a push) is closed instead of leased.
    """
    if limit <= 0:
        return []
    ids = [
        row[0]
        for row in conn.execute(
            "UPDATE outbox SET lease_until = ?, lease_owner = ?,"
            " in_doubt = CASE WHEN lease_until IS NOT NULL THEN 1 ELSE in_doubt END"
            " WHERE id IN (SELECT id FROM outbox WHERE state = 'pending'"
            "   AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)"
            "   ORDER BY next_attempt_at, id LIMIT ?)"
            " RETURNING id",
            (until, owner, now, now, limit),
        ).fetchall()
    ]
    if not ids:
        return []
    rows = conn.execute(
        "SELECT o.id AS job_id, o.attempts AS job_attempts, o.in_doubt AS job_in_doubt, a.*"
        " FROM outbox o JOIN applications a ON a.id = o.application_id"
        " WHERE o.id IN (SELECT value FROM json_each(?)) ORDER BY o.next_attempt_at, o.id",
        (json.dumps(ids),),
    ).fetchall()
    jobs: list[LeasedJob] = []
    for row in rows:
        status = row["status"]
        if status == Status.RECEIVED:
            change_status(conn, row["id"], Status.SUBMITTED, ACTOR_SYSTEM, submitted_reason,
                          now)
        elif status != Status.SUBMITTED:
            _close(conn, row["job_id"], "cancelled" if status == Status.CANCELLED else "done", now,
                   f"application is {status}")
            continue
        application = {key: row[key] for key in row.keys() if not key.startswith("job_")}  # noqa: SIM118
        application["status"] = Status.SUBMITTED.value
        jobs.append(LeasedJob(row["job_id"], row["id"], row["job_attempts"],
                              bool(row["job_in_doubt"]), application))
    return jobs


def _close(conn: sqlite3.Connection, job_id: int, state: str, now: str, note: str) -> None:
    conn.execute(
        "UPDATE outbox SET state = ?, lease_until = NULL, lease_owner = NULL, done_at = ?,"
        " last_error = ? WHERE id = ?",
        (state, now, note, job_id),
    )


def _insert_attempt(
    conn: sqlite3.Connection, job_id: int, application_id: int, record: AttemptRecord
) -> None:
    conn.execute(
        "INSERT INTO oss_attempts (outbox_id, application_id, attempt, started_at, finished_at,"
        " latency_ms, outcome, error, detail, trial, worker) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (job_id, application_id, record.attempt, record.started_at, record.finished_at,
         record.latency_ms, record.outcome, record.error, record.detail, int(record.trial),
         record.worker),
    )


def _owned(conn: sqlite3.Connection, job_id: int, owner: str) -> sqlite3.Row | None:
    """The job with its application's status, if ``owner`` still holds its lease."""
    row = conn.execute(
        "SELECT o.id, o.application_id, o.state, o.lease_owner, a.status AS app_status,"
        " a.nib AS app_nib FROM outbox o JOIN applications a ON a.id = o.application_id"
        " WHERE o.id = ?",
        (job_id,),
    ).fetchone()
    if row is None or row["state"] != "pending" or row["lease_owner"] != owner:
        return None
    return row


def _finish(
    conn: sqlite3.Connection, job_id: int, state: str, outcome: str, now: str,
    error: str | None = None, result_json: str | None = None,
) -> None:
    conn.execute(
        "UPDATE outbox SET state = ?, attempts = attempts + 1, lease_until = NULL,"
        " lease_owner = NULL, in_doubt = 0, last_attempt_at = ?, last_outcome = ?,"
        " last_error = ?, done_at = ?, result_json = coalesce(?, result_json) WHERE id = ?",
        (state, now, outcome, error, now, result_json, job_id),
    )


def record_issued(
    conn: sqlite3.Connection, job_id: int, application_id: int, owner: str,
    record: AttemptRecord, nib: str, permit_json: str, now: str,
) -> bool:
    """OSS issued ``nib``: the application becomes ``issued``, the job ``done``."""
    _insert_attempt(conn, job_id, application_id, record)
    row = _owned(conn, job_id, owner)
    if row is None:
        return False
    status = row["app_status"]
    note = None
    if status in WAITING_FOR_OSS:
        change_status(conn, application_id, Status.ISSUED, ACTOR_OSS, "NIB terbit", now, nib)
    elif row["app_nib"] and row["app_nib"] != nib:
        note = "OSS issued another NIB than the one recorded"
    _finish(conn, job_id, "cancelled" if status == Status.CANCELLED else "done", "issued", now,
            note, permit_json)
    return True


def record_rejected(
    conn: sqlite3.Connection, job_id: int, application_id: int, owner: str,
    record: AttemptRecord, reason: str, now: str,
) -> bool:
    """OSS rejected the data: the application becomes ``needs_fix`` with OSS's reasons."""
    _insert_attempt(conn, job_id, application_id, record)
    row = _owned(conn, job_id, owner)
    if row is None:
        return False
    if row["app_status"] in WAITING_FOR_OSS:
        change_status(conn, application_id, Status.NEEDS_FIX, ACTOR_OSS, reason, now)
        _finish(conn, job_id, "needs_fix", "rejected", now, None)
    else:
        _finish(conn, job_id, "done", "rejected", now, f"application is {row['app_status']}")
    return True


def record_retry(
    conn: sqlite3.Connection, job_id: int, application_id: int, owner: str,
    record: AttemptRecord, next_attempt_at: str, ambiguous: bool, now: str,
) -> bool:
    """OSS was unavailable: the job waits until ``next_attempt_at`` (no give-up)."""
    _insert_attempt(conn, job_id, application_id, record)
    if _owned(conn, job_id, owner) is None:
        return False
    conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL,"
        " lease_owner = NULL, in_doubt = max(in_doubt, ?), last_attempt_at = ?,"
        " last_outcome = 'unavailable', last_error = ? WHERE id = ?",
        (next_attempt_at, int(ambiguous), now, record.error, job_id),
    )
    return True


def record_task(
    conn: sqlite3.Connection, job_id: int, application_id: int, owner: str,
    record: AttemptRecord, now: str,
) -> bool:
    """Assisted mode: the job becomes an open operator task."""
    _insert_attempt(conn, job_id, application_id, record)
    if _owned(conn, job_id, owner) is None:
        return False
    conn.execute(
        "INSERT INTO oss_tasks (application_id, outbox_id, created_at) SELECT ?, ?, ?"
        " WHERE NOT EXISTS (SELECT 1 FROM oss_tasks WHERE application_id = ? AND state = 'open')",
        (application_id, job_id, now, application_id),
    )
    conn.execute(
        "UPDATE outbox SET state = 'task', attempts = attempts + 1, lease_until = NULL,"
        " lease_owner = NULL, last_attempt_at = ?, last_outcome = 'task', last_error = NULL"
        " WHERE id = ?",
        (now, job_id),
    )
    return True


def each_isolated(
    conn: sqlite3.Connection, calls: Sequence[tuple[Any, ...]]
) -> list[bool | BaseException]:
    """Run ``fn(conn, *args)`` for each ``(fn, *args)`` inside the caller's transaction, each
    under its own savepoint: one that fails is undone alone (its result is the exception)
    and the others still commit together (the forwarder's group commit)."""
    results: list[bool | BaseException] = []
    for fn, *args in calls:
        conn.execute("SAVEPOINT one_call")
        try:
            results.append(bool(fn(conn, *args)))
        except Exception as exc:
            conn.execute("ROLLBACK TO one_call")
            results.append(exc)
        conn.execute("RELEASE one_call")
    return results


def release(
    conn: sqlite3.Connection, job_id: int, owner: str, next_attempt_at: str, in_doubt: bool
) -> bool:
    """Give a leased job back without an attempt (breaker refused, or shutting down)."""
    cursor = conn.execute(
        "UPDATE outbox SET lease_until = NULL, lease_owner = NULL, next_attempt_at = ?,"
        " in_doubt = max(in_doubt, ?) WHERE id = ? AND state = 'pending' AND lease_owner = ?",
        (next_attempt_at, int(in_doubt), job_id, owner),
    )
    return cursor.rowcount == 1


def bring_forward(conn: sqlite3.Connection, now: str) -> int:
    """OSS is healthy again: every pending job held for later (backoff, Retry-After, the
    breaker) is due now, oldest first as leasing takes them. The forwarder's concurrency
    and token bucket spread the calls within the rate limit. Returns how many moved."""
    cursor = conn.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?"
        " AND (lease_until IS NULL OR lease_until <= ?)",
        (now, now, now),
    )
    return cursor.rowcount


def next_due(conn: sqlite3.Connection) -> str | None:
    """When the earliest pending job becomes due (or its lease expires)."""
    row = conn.execute(
        "SELECT min(max(next_attempt_at, coalesce(lease_until, ''))) FROM outbox"
        " WHERE state = 'pending'"
    ).fetchone()
    return row[0] if row else None


def pending_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]


# -- the officer's correction ----------------------------------------------------------------
def resubmit(
    conn: sqlite3.Connection,
    application_id: int,
    form: Mapping[str, Any],
    actor: str,
    reason: str,
    now: str,
) -> None:
    """Save the corrected data of a ``needs_fix`` application and queue it for OSS again.

    The reference (client id) stays the same, so OSS sees a new attempt of the same
    registration. The idempotency record (request hash, first answer) is not touched: it
    describes the request the phone sent, and a replay of that request still gets its answer.
    """
    row = conn.execute(
        "SELECT status FROM applications WHERE id = ?", (application_id,)
    ).fetchone()
    if row is None or row[0] != Status.NEEDS_FIX:
        raise TransitionError("only an application that needs a fix can be resent")
    conn.execute(
        f"UPDATE applications SET {_FORM_UPDATE}, updated_at = ? WHERE id = ?",  # noqa: S608
        (*(form[column] for column in FORM_COLUMNS), now, application_id),
    )
    change_status(conn, application_id, Status.RECEIVED, actor, reason, now)
    cursor = conn.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = ?, lease_until = NULL,"
        " lease_owner = NULL, last_error = NULL, done_at = NULL WHERE application_id = ?",
        (now, application_id),
    )
    if cursor.rowcount == 0:
        conn.execute(
            "INSERT INTO outbox (application_id, next_attempt_at, created_at) VALUES (?, ?, ?)",
            (application_id, now, now),
        )


# -- what the pages show -------------------------------------------------------------------------
def job_for_application(conn: sqlite3.Connection, application_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM outbox WHERE application_id = ?", (application_id,)
    ).fetchone()


def attempts_for_application(
    conn: sqlite3.Connection, application_id: int, limit: int = 20
) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT attempt, started_at, latency_ms, outcome, error, trial FROM oss_attempts"
        " WHERE application_id = ? ORDER BY id DESC LIMIT ?",
        (application_id, limit),
    ).fetchall()


def outbox_states(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())


def leased_count(conn: sqlite3.Connection, now: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM outbox WHERE state = 'pending' AND lease_until > ?", (now,)
    ).fetchone()[0]


def oldest_waiting(conn: sqlite3.Connection) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT o.created_at, o.attempts, o.last_error, a.tracking_code FROM outbox o"
        " JOIN applications a ON a.id = o.application_id WHERE o.state IN ('pending', 'task')"
        " ORDER BY o.created_at, o.id LIMIT 1"
    ).fetchone()


def long_waiters(conn: sqlite3.Connection, before: str, limit: int = 100) -> list[sqlite3.Row]:
    """Jobs still waiting that were created before ``before`` (flagged on the admin page)."""
    return conn.execute(
        "SELECT o.created_at, o.attempts, o.state, o.last_error, o.next_attempt_at,"
        " a.tracking_code, a.business_name FROM outbox o"
        " JOIN applications a ON a.id = o.application_id"
        " WHERE o.state IN ('pending', 'task') AND o.created_at < ?"
        " ORDER BY o.created_at, o.id LIMIT ?",
        (before, limit),
    ).fetchall()


def long_waiter_count(conn: sqlite3.Connection, before: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM outbox WHERE state IN ('pending', 'task') AND created_at < ?",
        (before,),
    ).fetchone()[0]


def attempts_per_hour(conn: sqlite3.Connection, since: str) -> list[sqlite3.Row]:
    """Attempts grouped by UTC hour since ``since``: total and per outcome."""
    return conn.execute(
        "SELECT substr(started_at, 1, 13) AS hour, count(*) AS total,"
        " sum(outcome = 'issued') AS issued, sum(outcome = 'unavailable') AS unavailable,"
        " sum(outcome = 'rejected') AS rejected, sum(outcome = 'task') AS task"
        " FROM oss_attempts WHERE started_at >= ? GROUP BY hour ORDER BY hour DESC",
        (since,),
    ).fetchall()


def close_for_application(
    conn: sqlite3.Connection, application_id: int, now: str, note: str
) -> None:
    """The application got its NIB another way (a push, an operator): the job is done."""
    conn.execute(
        "UPDATE outbox SET state = 'done', lease_until = NULL, lease_owner = NULL,"
        " done_at = ?, last_error = ? WHERE application_id = ? AND state IN ('pending', 'task')",
        (now, note, application_id),
    )


def by_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> list[sqlite3.Row]:
    marks = ", ".join("?" * len(ids))
    return conn.execute(
        f"SELECT * FROM outbox WHERE id IN ({marks})", list(ids)  # noqa: S608
    ).fetchall()
