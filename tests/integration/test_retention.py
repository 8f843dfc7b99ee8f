"""The retention job on a real SQLite file: exactly the expired rows are blanked or deleted,
the rest are left as they were; once from the command line, and in the running app."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.clock import iso
from app.db.connection import migrate_path, open_sync, run_transaction
from app.services import audit
from app.services.retention import RetentionResult, apply
from app.settings import Settings
from tests.support import ROOT, ServerProcess

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
NIK = "3505014507900012"


def days_ago(days: float, now: datetime = NOW) -> str:
    return iso(now - timedelta(days=days))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    path = tmp_path / "data" / "jbm.sqlite3"
    path.parent.mkdir()
    migrate_path(path)
    conn = open_sync(path)
    yield conn
    conn.close()


def add_application(conn: sqlite3.Connection, app_id: int, status: str, updated_at: str) -> None:
    conn.execute(
        "INSERT INTO applications (id, client_id, request_hash, response_json, tracking_code,"
        " status, nik, name, sex, birth_date, phone, business_name, kecamatan, desa, rt, rw,"
        " street, kbli_json, capital, workers_male, workers_female, scale, created_at,"
        " created_day, updated_at) VALUES (?, ?, 'h', '{}', ?, ?, ?, 'Siti Aminah', 'P',"
        " '1990-07-05', '6281234567890', 'Warung', '35.05.01', '35.05.01.2001', '3', '2',"
        " 'Jl. Mawar 5', '[\"56102\"]', 15000000, 0, 2, 'mikro', ?, '2026-01-01', ?)",
        (app_id, f"client-{app_id}", f"CODE{app_id}", status, NIK, updated_at, updated_at))


def add_push(conn: sqlite3.Connection, push_id: int, received_at: str,
             application_id: int | None = None) -> None:
    conn.execute(
        "INSERT INTO oss_pushes (id, received_at, nib, nik, kbli_json, state, application_id,"
        " payload_json) VALUES (?, ?, ?, ?, '[\"56102\"]', ?, ?, ?)",
        (push_id, received_at, f"91200000000{push_id}", NIK,
         "matched" if application_id else "unmatched", application_id,
         f'{{"nik": "{NIK}", "nama": "Siti Aminah"}}'))


def add_subscription(conn: sqlite3.Connection, sub_id: int, *links: tuple[str, int]) -> None:
    conn.execute("INSERT INTO push_subscriptions (id, endpoint, p256dh, auth, created_at)"
                 " VALUES (?, ?, 'k', 'a', ?)",
                 (sub_id, f"https://push.example/{sub_id}", days_ago(200)))
    for kind, owner in links:
        column = "user_id" if kind == "officer" else "application_id"
        conn.execute(f"INSERT INTO push_links (subscription_id, {column}, created_at)"
                     " VALUES (?, ?, ?)", (sub_id, owner, days_ago(200)))


def build(conn: sqlite3.Connection, now: datetime) -> None:
    conn.execute("INSERT INTO users (id, username, full_name, password_hash, role, created_at)"
                 " VALUES (1, 'petugas', 'Petugas Demo', 'x', 'officer', ?)", (days_ago(400),))
    add_application(conn, 1, "notified", days_ago(40, now))  # ended long ago
    add_application(conn, 2, "submitted", days_ago(40, now))  # still waiting for OSS
    add_application(conn, 3, "issued", days_ago(10, now))  # ended recently
    add_push(conn, 1, days_ago(100, now))  # expired, unmatched
    add_push(conn, 2, days_ago(91, now), application_id=1)  # expired, matched
    add_push(conn, 3, days_ago(89, now))  # within the period
    for handoff_id, age in ((1, 95), (2, 5)):
        conn.execute("INSERT INTO whatsapp_handoffs (id, application_id, actor, at)"
                     " VALUES (?, 1, 'Petugas Demo', ?)", (handoff_id, days_ago(age, now)))
    add_subscription(conn, 1, ("citizen", 1))  # only an ended application: goes
    add_subscription(conn, 2, ("citizen", 1), ("citizen", 3))  # keeps application 3
    add_subscription(conn, 3, ("officer", 1), ("citizen", 1))  # the officer's link stays
    add_subscription(conn, 4, ("citizen", 2))  # still waiting: stays


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        "pushes": [tuple(r) for r in conn.execute(
            "SELECT id, nik, payload_json, nib, state, application_id, redacted_at IS NOT NULL"
            " FROM oss_pushes ORDER BY id")],
        "handoffs": [tuple(r) for r in conn.execute(
            "SELECT id, application_id, actor, at FROM whatsapp_handoffs ORDER BY id")],
        "links": [tuple(r) for r in conn.execute(
            "SELECT subscription_id, user_id, application_id FROM push_links ORDER BY id")],
        "subs": [r[0] for r in conn.execute("SELECT id FROM push_subscriptions ORDER BY id")],
    }


def test_only_expired_rows_are_blanked_or_deleted(db: sqlite3.Connection) -> None:
    run_transaction(db, build, NOW)
    actor = audit.cli_actor("retention")
    result = run_transaction(db, apply, Settings(), NOW, actor)
    assert result == RetentionResult(push_payloads=2, whatsapp_handoffs=1, push_links=3,
                                     push_subscriptions=1)
    after = snapshot(db)
    payload = f'{{"nik": "{NIK}", "nama": "Siti Aminah"}}'
    assert after["pushes"] == [
        (1, None, "{}", "912000000001", "unmatched", None, 1),
        (2, None, "{}", "912000000002", "matched", 1, 1),  # the match stays for statistics
        (3, NIK, payload, "912000000003", "unmatched", None, 0),
    ]
    assert after["handoffs"] == [(1, 1, "[dihapus]", days_ago(95)),
                                 (2, 1, "Petugas Demo", days_ago(5))]
    assert after["links"] == [(2, None, 3), (3, 1, None), (4, None, 2)]
    assert after["subs"] == [2, 3, 4]
    assert db.execute("SELECT count(*) FROM applications").fetchone()[0] == 3
    entries = db.execute("SELECT action, route, detail FROM audit_log").fetchall()
    assert [tuple(e) for e in entries] == [("retention.run", "python -m app retention",
                                            result.summary())]

    # A second run finds nothing more, and a day later nothing new has expired either.
    assert not run_transaction(db, apply, Settings(), NOW, actor).changed
    assert not run_transaction(db, apply, Settings(), NOW + timedelta(hours=23), actor).changed
    assert snapshot(db) == after
    # Two more days: push 3 passes 90 days.
    later = run_transaction(db, apply, Settings(), NOW + timedelta(days=2), actor)
    assert later == RetentionResult(1, 0, 0, 0)
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 2


def test_command_line_run_honours_the_settings(db: sqlite3.Connection, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    run_transaction(db, build, now)
    env = {"JBM_DATA_DIR": str(tmp_path / "data"), "JBM_RETENTION_PUSH_PAYLOAD_DAYS": "95",
           "JBM_RETENTION_WHATSAPP_DAYS": "3", "JBM_RETENTION_PUSH_LINKS_DAYS": "60"}
    done = subprocess.run([sys.executable, "-m", "app", "retention"], cwd=ROOT,
                          env={**_base_env(), **env}, capture_output=True, text=True,
                          check=True)
    assert ("payload receiveNIB dikosongkan 1, serah-terima WhatsApp dikosongkan 2, "
            "tautan push warga dihapus 0, langganan push dihapus 0") in done.stdout
    assert NIK not in done.stdout + done.stderr
    after = snapshot(db)
    assert [(p[0], p[1]) for p in after["pushes"]] == [(1, None), (2, NIK), (3, NIK)]
    assert [h[2] for h in after["handoffs"]] == ["[dihapus]", "[dihapus]"]
    assert len(after["links"]) == 6


def test_the_running_app_applies_retention(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    migrate_path(data / "jbm.sqlite3")
    conn = open_sync(data / "jbm.sqlite3")
    try:
        run_transaction(conn, build, datetime.now(UTC))
    finally:
        conn.close()
    server = ServerProcess(data).start()
    try:
        deadline = time.monotonic() + 15
        while server.query("SELECT count(*) FROM oss_pushes WHERE redacted_at IS NOT NULL"
                           ) != [(2,)]:
            assert time.monotonic() < deadline, "the app did not run the retention job"
            time.sleep(0.1)
        assert server.query("SELECT id FROM push_subscriptions ORDER BY id") == [(2,), (3,),
                                                                               (4,)]
    finally:
        server.stop()


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("JBM_")}
