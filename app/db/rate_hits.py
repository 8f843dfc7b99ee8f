"""SQL for the stored abuse limits (``rate_hits``): a window per limit and hashed key."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain import ratelimit
from app.domain.ratelimit import Rule, Window


@dataclass(frozen=True, slots=True)
class Op:
    rule: Rule
    key_hash: str
    take_back: bool = False  # False: count one attempt; True: uncount the newest


def _get(conn: sqlite3.Connection, bucket: str, key_hash: str) -> Window | None:
    row = conn.execute(
        "SELECT window_start, count FROM rate_hits WHERE bucket = ? AND key_hash = ?",
        (bucket, key_hash)).fetchone()
    return Window(row[0], row[1]) if row else None


def _put(conn: sqlite3.Connection, rule: Rule, key_hash: str, window: Window) -> None:
    conn.execute(
        "INSERT INTO rate_hits (bucket, key_hash, window_start, count, expires_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(bucket, key_hash) DO UPDATE SET"
        " window_start = excluded.window_start, count = excluded.count,"
        " expires_at = excluded.expires_at",
        (rule.bucket, key_hash, window.start, window.count, ratelimit.closes(window, rule)))


def apply(conn: sqlite3.Connection, ops: Sequence[Op], now: float) -> list[float | None]:
    """Each operation in order, in this one transaction: for a hit, None when allowed or the
    seconds to wait; None for a take-back. Windows closed before ``now`` are deleted first."""
    conn.execute("DELETE FROM rate_hits WHERE expires_at <= ?", (now,))
    results: list[float | None] = []
    for op in ops:
        window = _get(conn, op.rule.bucket, op.key_hash)
        if op.take_back:
            if window is not None:
                _put(conn, op.rule, op.key_hash, ratelimit.take_back(window))
            results.append(None)
            continue
        after, wait = ratelimit.hit(window, now, op.rule)
        if after != window:
            _put(conn, op.rule, op.key_hash, after)
        results.append(wait)
    return results
