"""SQL for access checks: an application with what its scope depends on (app/domain/access.py)."""

from __future__ import annotations

import sqlite3

from app.db.applications import by_tracking_code
from app.domain.access import ApplicationScope, OperatorTask


def operator_task(row: sqlite3.Row) -> OperatorTask:
    """An ``oss_tasks`` row (or a row holding its columns) as access needs it."""
    return OperatorTask(row["state"] == "open", row["claimed_by"], row["finished_by"])


def application_with_scope(
    conn: sqlite3.Connection, code: str
) -> tuple[sqlite3.Row, ApplicationScope] | None:
    """The application with this tracking code and its access scope, in one read."""
    row = by_tracking_code(conn, code)
    if row is None:
        return None
    tasks = conn.execute(
        "SELECT state, claimed_by, finished_by FROM oss_tasks WHERE application_id = ?",
        (row["id"],),
    ).fetchall()
    team = frozenset(r[0] for r in conn.execute(
        "SELECT user_id FROM round_officers WHERE round_id = ?", (row["round_id"],)
    )) if row["round_id"] is not None else frozenset()
    return row, ApplicationScope(row["officer_id"], tuple(operator_task(t) for t in tasks),
                                 team)
