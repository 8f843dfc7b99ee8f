"""Status changes: the application, its append-only history and an event, in one go."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.db.applications import TransitionError, change_status
from app.db.connection import migrate, open_sync, run_transaction
from tests.support import ServerProcess, application, new_key, post_application


def test_change_status_writes_application_history_and_event(
    server: ServerProcess, officer
) -> None:
    key = new_key()
    assert post_application(officer, key, application()).status_code == 201
    (app_id,), = server.query("SELECT id FROM applications WHERE client_id = ?", key)
    conn = open_sync(server.db_path)
    try:
        before = run_transaction(conn, change_status, app_id, "submitted", "forwarder", None,
                                 "2026-11-29T02:00:00+00:00")
        assert before == "received"
        run_transaction(conn, change_status, app_id, "issued", "oss", "NIB terbit",
                        "2026-11-29T02:01:00+00:00", "1234567890123")
        with pytest.raises(TransitionError):
            run_transaction(conn, change_status, app_id, "received", "x", None, "t")
    finally:
        conn.close()
    assert server.query("SELECT status, nib FROM applications WHERE id = ?", app_id) == [
        ("issued", "1234567890123")
    ]
    assert [r[0] for r in server.query(
        "SELECT status FROM application_history WHERE application_id = ? ORDER BY id", app_id
    )] == ["received", "submitted", "issued"]
    assert [r[0] for r in server.query(
        "SELECT status FROM status_events WHERE application_id = ? ORDER BY id", app_id
    )] == ["received", "submitted", "issued"]


def test_history_is_append_only(tmp_path: Path) -> None:
    conn = open_sync(tmp_path / "db.sqlite3")
    migrate(conn)
    conn.execute("PRAGMA foreign_keys=OFF")  # a history row alone is enough here
    conn.execute("INSERT INTO application_history (application_id, status, actor, at)"
                 " VALUES (1, 'received', 'x', 't')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE application_history SET status = 'issued'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM application_history")
    conn.close()
