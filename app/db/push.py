"""SQL for Web Push (subscriptions, links, the durable job queue), WhatsApp hand-offs and
admin-editable settings. Every function runs inside the caller's transaction or read."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.db.applications import change_status
from app.domain.status import Status

CONSUMER = "push"


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: str
    urgency: str
    attempts: int


# -- subscriptions ------------------------------------------------------------------------

SubscribeOutcome = Literal["subscribed", "application_full", "client_full"]


def subscribe(conn: sqlite3.Connection, endpoint: str, p256dh: str, auth: str,
              user_id: int | None, application_id: int | None, now: str, client_key: str,
              max_per_application: int, max_per_client: int, client_since: str,
              kecamatan: str | None = None) -> SubscribeOutcome:
    """Store (or refresh the keys of) a subscription and link it to its owner: an officer,
    an application, or a kecamatan's rounds (the public schedule, docs/schedule.md).

    A new link is refused when its application already has ``max_per_application`` phones,
    or when ``client_key`` made ``max_per_client`` links since ``client_since``. Renewing a
    link that exists (new keys for the same endpoint) is always allowed.
    """
    # the one owner this link is for; the others stay NULL (never equal to anything)
    owner = ((user_id, None, None) if user_id is not None
             else (None, None, kecamatan) if kecamatan is not None
             else (None, application_id, None))
    existing = conn.execute(
        "SELECT 1 FROM push_links l JOIN push_subscriptions s ON s.id = l.subscription_id"
        " WHERE s.endpoint = ? AND (l.user_id = ? OR l.application_id = ? OR l.kecamatan = ?)",
        (endpoint, *owner)).fetchone()
    if existing is None:
        if application_id is not None and user_id is None and conn.execute(
                "SELECT count(*) FROM push_links WHERE application_id = ?",
                (application_id,)).fetchone()[0] >= max_per_application:
            return "application_full"
        if conn.execute(
                "SELECT count(*) FROM push_links WHERE client_key = ? AND created_at >= ?",
                (client_key, client_since)).fetchone()[0] >= max_per_client:
            return "client_full"
    conn.execute(
        "INSERT INTO push_subscriptions (endpoint, p256dh, auth, created_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT(endpoint) DO UPDATE SET"
        " p256dh = excluded.p256dh, auth = excluded.auth, failures = 0",
        (endpoint, p256dh, auth, now),
    )
    (sub_id,) = conn.execute(
        "SELECT id FROM push_subscriptions WHERE endpoint = ?", (endpoint,)
    ).fetchone()
    if user_id is not None:
        conn.execute(
            "INSERT OR IGNORE INTO push_links (subscription_id, user_id, created_at, client_key)"
            " VALUES (?, ?, ?, ?)", (sub_id, user_id, now, client_key))
    elif kecamatan is not None:
        conn.execute(
            "INSERT OR IGNORE INTO push_links (subscription_id, kecamatan, created_at, client_key)"
            " VALUES (?, ?, ?, ?)", (sub_id, kecamatan, now, client_key))
    else:
        conn.execute(
            "INSERT OR IGNORE INTO push_links (subscription_id, application_id, created_at,"
            " client_key) VALUES (?, ?, ?, ?)", (sub_id, application_id, now, client_key))
    return "subscribed"


def unsubscribe(conn: sqlite3.Connection, endpoint: str, user_id: int | None,
                application_id: int | None, kecamatan: str | None = None) -> bool:
    """Remove one owner's link; a subscription left with no link is deleted. True if found."""
    row = conn.execute("SELECT id FROM push_subscriptions WHERE endpoint = ?",
                       (endpoint,)).fetchone()
    if row is None:
        return False
    if user_id is not None:
        cur = conn.execute("DELETE FROM push_links WHERE subscription_id = ? AND user_id = ?",
                           (row[0], user_id))
    elif kecamatan is not None:
        cur = conn.execute("DELETE FROM push_links WHERE subscription_id = ? AND kecamatan = ?",
                           (row[0], kecamatan))
    else:
        cur = conn.execute(
            "DELETE FROM push_links WHERE subscription_id = ? AND application_id = ?",
            (row[0], application_id))
    left = conn.execute("SELECT count(*) FROM push_links WHERE subscription_id = ?",
                        (row[0],)).fetchone()[0]
    if left == 0:
        conn.execute("DELETE FROM push_subscriptions WHERE id = ?", (row[0],))
    return cur.rowcount > 0


def is_subscribed(conn: sqlite3.Connection, endpoint: str, user_id: int | None,
                  application_id: int | None, kecamatan: str | None = None) -> bool:
    if kecamatan is not None:
        found = conn.execute(
            "SELECT 1 FROM push_links l JOIN push_subscriptions s ON s.id = l.subscription_id"
            " WHERE s.endpoint = ? AND l.kecamatan = ?", (endpoint, kecamatan)).fetchone()
        return found is not None
    row = conn.execute(
        "SELECT 1 FROM push_links l JOIN push_subscriptions s ON s.id = l.subscription_id"
        " WHERE s.endpoint = ? AND (l.user_id = ? OR l.application_id = ?)",
        (endpoint, user_id if user_id is not None else -1,
         application_id if user_id is None else -1),
    ).fetchone()
    return row is not None


def delete_subscription(conn: sqlite3.Connection, subscription_id: int) -> None:
    conn.execute("DELETE FROM push_subscriptions WHERE id = ?", (subscription_id,))


def sweep_subscriptions(conn: sqlite3.Connection, older_than: str, min_failures: int) -> int:
    """Delete subscriptions that kept failing and have not succeeded since ``older_than``."""
    cur = conn.execute(
        "DELETE FROM push_subscriptions WHERE failures >= ?"
        " AND coalesce(last_success_at, created_at) < ?",
        (min_failures, older_than),
    )
    return cur.rowcount


def purge_finished_jobs(conn: sqlite3.Connection, older_than: str) -> int:
    cur = conn.execute(
        "DELETE FROM push_jobs WHERE state IN ('done', 'failed') AND finished_at < ?",
        (older_than,))
    return cur.rowcount


# -- fan-out: status events -> jobs, with the cursor, in one transaction --------------------

Payloads = Callable[[sqlite3.Row, str, str], tuple[dict[str, Any], str] | None]


def fan_out(conn: sqlite3.Connection, officer_statuses: frozenset[str],
            citizen_statuses: frozenset[str], payload_for: Payloads, now: str,
            now_ts: float, limit: int = 500) -> int:
    """Turn the status events after the push cursor into jobs and advance the cursor.

    ``payload_for(application, status, audience)`` gives (payload, urgency) or None.
    Runs inside the caller's transaction: jobs and cursor are committed together, so a
    restart neither loses nor repeats a notification. Returns the number of jobs made.
    """
    row = conn.execute("SELECT last_id FROM event_cursors WHERE consumer = ?",
                       (CONSUMER,)).fetchone()
    last_id = row[0] if row else 0
    events = conn.execute(
        "SELECT e.id, e.status, a.id AS application_id, a.tracking_code, a.officer_id"
        " FROM status_events e JOIN applications a ON a.id = e.application_id"
        " WHERE e.id > ? ORDER BY e.id LIMIT ?", (last_id, limit)).fetchall()
    if not events:
        return 0
    made = 0
    for event in events:
        status = event["status"]
        targets: list[tuple[int, str]] = []
        if status in officer_statuses and event["officer_id"] is not None:
            targets += [(r[0], "officer") for r in conn.execute(
                "SELECT subscription_id FROM push_links WHERE user_id = ?",
                (event["officer_id"],))]
        if status in citizen_statuses:
            targets += [(r[0], "citizen") for r in conn.execute(
                "SELECT subscription_id FROM push_links WHERE application_id = ?",
                (event["application_id"],))]
        for sub_id, audience in targets:
            made_payload = payload_for(event, status, audience)
            if made_payload is None:
                continue
            payload, urgency = made_payload
            cur = conn.execute(
                "INSERT OR IGNORE INTO push_jobs (subscription_id, event_id, payload, urgency,"
                " next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (sub_id, event["id"], json.dumps(payload, ensure_ascii=False), urgency,
                 now_ts, now),
            )
            made += cur.rowcount
    conn.execute(
        "INSERT INTO event_cursors (consumer, last_id) VALUES (?, ?)"
        " ON CONFLICT(consumer) DO UPDATE SET last_id = excluded.last_id",
        (CONSUMER, events[-1]["id"]),
    )
    return made


def has_new_events(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT (SELECT coalesce(max(id), 0) FROM status_events) >"
        " coalesce((SELECT last_id FROM event_cursors WHERE consumer = ?), 0)", (CONSUMER,)
    ).fetchone()
    return bool(row[0])


# -- the job queue ------------------------------------------------------------------------

def claim_due(conn: sqlite3.Connection, now_ts: float, lease_s: float, limit: int) -> list[Job]:
    """Due jobs, leased: their next attempt moves to now + lease and attempts grows by one.

    If the process dies while sending, the job is due again when the lease ends. Only the
    oldest pending job of a subscription is taken, so a phone gets its notifications in
    order (a newer status never overtaken by an older one being retried).
    """
    rows = conn.execute(
        "SELECT j.id, j.subscription_id, s.endpoint, s.p256dh, s.auth, j.payload, j.urgency,"
        " j.attempts FROM push_jobs j JOIN push_subscriptions s ON s.id = j.subscription_id"
        " WHERE j.state = 'pending' AND j.next_attempt_at <= ?"
        " AND j.id = (SELECT min(k.id) FROM push_jobs k"
        "             WHERE k.subscription_id = j.subscription_id AND k.state = 'pending')"
        " ORDER BY j.next_attempt_at, j.id LIMIT ?", (now_ts, limit)).fetchall()
    if rows:
        conn.executemany(
            "UPDATE push_jobs SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
            [(now_ts + lease_s, r["id"]) for r in rows])
    return [Job(r["id"], r["subscription_id"], r["endpoint"], r["p256dh"], r["auth"],
                r["payload"], r["urgency"], r["attempts"] + 1) for r in rows]


Outcome = Literal["delivered", "gone", "retry", "failed"]


@dataclass(frozen=True, slots=True)
class JobResult:
    """One send's outcome, to be written; ``next_at`` (unix seconds) matters for a retry."""
    job: Job
    outcome: Outcome
    status: int  # HTTP status, 0 for a network error or a send never made
    next_at: float = 0.0


def record_results(conn: sqlite3.Connection, results: Sequence[JobResult], now: str) -> None:
    """Write the outcomes of many sends in the caller's ONE transaction (the notifier's
    group commit): delivered -> done; gone -> subscription deleted (its jobs with it);
    retry -> due again at ``next_at``; failed -> given up."""
    for r in results:
        if r.outcome == "delivered":
            job_delivered(conn, r.job, r.status, now)
        elif r.outcome == "gone":
            delete_subscription(conn, r.job.subscription_id)
        elif r.outcome == "retry":
            job_retry(conn, r.job, r.status, r.next_at, now)
        else:
            job_failed(conn, r.job, r.status, now)


def job_delivered(conn: sqlite3.Connection, job: Job, status: int, now: str) -> None:
    conn.execute("UPDATE push_jobs SET state = 'done', last_status = ?, finished_at = ?"
                 " WHERE id = ?", (status, now, job.id))
    conn.execute("UPDATE push_subscriptions SET last_success_at = ?, failures = 0"
                 " WHERE id = ?", (now, job.subscription_id))


def job_retry(conn: sqlite3.Connection, job: Job, status: int, next_at: float, now: str) -> None:
    conn.execute("UPDATE push_jobs SET last_status = ?, next_attempt_at = ? WHERE id = ?",
                 (status, next_at, job.id))
    _failed_once(conn, job, now)


def job_failed(conn: sqlite3.Connection, job: Job, status: int, now: str) -> None:
    conn.execute("UPDATE push_jobs SET state = 'failed', last_status = ?, finished_at = ?"
                 " WHERE id = ?", (status, now, job.id))
    _failed_once(conn, job, now)


def _failed_once(conn: sqlite3.Connection, job: Job, now: str) -> None:
    conn.execute("UPDATE push_subscriptions SET failures = failures + 1, last_failure_at = ?"
                 " WHERE id = ?", (now, job.subscription_id))


def next_due(conn: sqlite3.Connection) -> float | None:
    row = conn.execute("SELECT min(next_attempt_at) FROM push_jobs WHERE state = 'pending'"
                       ).fetchone()
    return row[0]


def queue_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {r[0]: r[1] for r in conn.execute(
        "SELECT state, count(*) FROM push_jobs GROUP BY state")}


# -- settings and WhatsApp ------------------------------------------------------------------

def get_setting(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM app_settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_setting(conn: sqlite3.Connection, key: str, value: str, actor: str, now: str) -> None:
    conn.execute(
        "INSERT INTO app_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
        " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        (key, value, now, actor))


WHATSAPP_REASON = "Dikabari lewat WhatsApp"


def record_whatsapp_handoff(conn: sqlite3.Connection, application_id: int, actor: str,
                            now: str) -> str:
    """issued -> notified (history row and status event via change_status) plus the hand-off
    record, in one transaction. Returns the status the application had."""
    before = change_status(conn, application_id, Status.NOTIFIED, actor, WHATSAPP_REASON, now)
    conn.execute("INSERT INTO whatsapp_handoffs (application_id, actor, at) VALUES (?, ?, ?)",
                 (application_id, actor, now))
    return before


def whatsapp_handoffs(conn: sqlite3.Connection, application_id: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT actor, at FROM whatsapp_handoffs WHERE application_id = ?"
                        " ORDER BY id", (application_id,)).fetchall()


def officer_day_summary(conn: sqlite3.Connection, officer_id: int, start: str,
                        end: str) -> list[tuple[str, int]]:
    """Status changes of the officer's applications between two UTC instants, by status."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT e.status, count(*) FROM status_events e"
        " JOIN applications a ON a.id = e.application_id"
        " WHERE a.officer_id = ? AND e.at >= ? AND e.at < ? GROUP BY e.status ORDER BY 2 DESC",
        (officer_id, start, end))]

