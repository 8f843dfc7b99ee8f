"""SQL for the failed-login buckets (``login_throttle``): kept so a restart forgets nothing."""

from __future__ import annotations

import sqlite3

from app.domain.throttle import Bucket


def get_bucket(conn: sqlite3.Connection, scope: str, key_hash: str) -> Bucket:
    row = conn.execute(
        "SELECT failures, window_start, locked_until, lockouts, last_failure"
        " FROM login_throttle WHERE scope = ? AND key_hash = ?",
        (scope, key_hash),
    ).fetchone()
    return Bucket(*row) if row else Bucket()


def put_bucket(conn: sqlite3.Connection, scope: str, key_hash: str, bucket: Bucket) -> None:
    conn.execute(
        "INSERT INTO login_throttle (scope, key_hash, failures, window_start, locked_until,"
        " lockouts, last_failure) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(scope, key_hash) DO UPDATE SET failures=excluded.failures,"
        " window_start=excluded.window_start, locked_until=excluded.locked_until,"
        " lockouts=excluded.lockouts, last_failure=excluded.last_failure",
        (scope, key_hash, bucket.failures, bucket.window_start, bucket.locked_until,
         bucket.lockouts, bucket.last_failure),
    )


def delete_bucket(conn: sqlite3.Connection, scope: str, key_hash: str) -> None:
    conn.execute("DELETE FROM login_throttle WHERE scope = ? AND key_hash = ?", (scope, key_hash))


def forget_before(conn: sqlite3.Connection, before: float) -> None:
    """Drop buckets that are quiet and unlocked since ``before`` (they would start afresh)."""
    conn.execute(
        "DELETE FROM login_throttle WHERE last_failure < ? AND locked_until < ?",
        (before, before),
    )
