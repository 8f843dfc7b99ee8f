"""One response per application, and the kiosk's idempotency key, in the real schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.db.connection import migrate_path, run_transaction
from app.db.surveys import NewResponse, Scope, insert_response, sums


def _response(client_id: str, application_id: int | None, score: int = 4) -> NewResponse:
    return NewResponse(client_id, f"hash-{score}", "link" if application_id else "kiosk",
                       application_id, None, "35.05.01", None, (score,) * 9,
                       {"gender": None, "age_group": None, "education": None,
                        "occupation": None})


def test_one_response_per_application_and_per_key(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    migrate_path(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = OFF")  # no application rows in this unit test

    def put(new: NewResponse) -> str:
        return run_transaction(conn, insert_response, new, "2026-11-30", "2026-11-30T01:00")

    assert put(_response("key-aaaaaaaa", 7)) == "created"
    assert put(_response("key-aaaaaaaa", 7)) == "replay"  # the same submit again
    assert put(_response("key-bbbbbbbb", 7, 1)) == "answered"  # a second answer: refused
    assert put(_response("key-aaaaaaaa", 7, 2)) == "conflict"  # the key with other answers
    assert put(_response("key-cccccccc", None)) == "created"  # kiosk answers: no application
    assert put(_response("key-dddddddd", None)) == "created"
    count, totals = sums(conn, Scope("2026-01-01", "2026-12-31"))
    assert count == 3 and totals == (12,) * 9
    conn.close()
