"""The command line: migrations recorded once, users created with argon2id hashes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT


def run(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "JBM_DATA_DIR": str(data_dir), **env}, check=False,
    )


def test_migrate_applies_each_migration_once_and_sets_pragmas(tmp_path: Path) -> None:
    first = run(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    assert "0001_init.sql" in first.stdout
    again = run(tmp_path, "migrate")
    assert "up to date" in again.stdout
    conn = sqlite3.connect(tmp_path / "jbm.sqlite3")
    versions = [row[0] for row in conn.execute("SELECT version FROM schema_migrations")]
    assert versions == sorted(set(versions)) and versions[0] == 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_create_user_and_seed_demo(tmp_path: Path) -> None:
    created = run(tmp_path, "create-user", "rina", "--name", "Rina Petugas", "--role", "officer",
                  JBM_NEW_PASSWORD="rahasia-panjang")
    assert created.returncode == 0, created.stderr
    short = run(tmp_path, "create-user", "budi", "--name", "Budi", JBM_NEW_PASSWORD="pendek")
    assert short.returncode == 2
    assert "minimal 12 karakter" in short.stderr
    common = run(tmp_path, "create-user", "budi", "--name", "Budi",
                 JBM_NEW_PASSWORD="password123456")
    assert common.returncode == 2
    assert "terlalu umum" in common.stderr
    seeded = run(tmp_path, "seed-demo")
    assert "petugas / petugas-blitar" in seeded.stdout
    conn = sqlite3.connect(tmp_path / "jbm.sqlite3")
    rows = dict(conn.execute("SELECT username, password_hash FROM users"))
    conn.close()
    assert set(rows) == {"rina", "petugas", "admin"}
    assert all(h.startswith("$argon2id$") for h in rows.values())
    assert "rahasia-panjang" not in "".join(rows.values())


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    from app.settings import Settings

    settings = Settings(data_dir=tmp_path)
    key = settings.resolved_secret_key()
    assert len(key) >= 48
    assert Settings(data_dir=tmp_path).resolved_secret_key() == key
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


def test_data_directory_and_database_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run(data, "migrate").returncode == 0
    assert mode(data) == "0o700"
    assert mode(data / "jbm.sqlite3") == "0o600"

    # Whatever the umask of the process opening it, the WAL is as private as the database.
    from app.db.connection import open_sync

    old_umask = os.umask(0o022)
    try:
        conn = open_sync(tmp_path / "other" / "jbm.sqlite3")
        conn.execute("CREATE TABLE t (x)")
        assert mode(tmp_path / "other") == "0o700"
        for name in ("jbm.sqlite3", "jbm.sqlite3-wal", "jbm.sqlite3-shm"):
            assert mode(tmp_path / "other" / name) == "0o600", name
        conn.close()
    finally:
        os.umask(old_umask)


def test_a_world_readable_database_is_made_private_on_open(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    (tmp_path / "jbm.sqlite3").chmod(0o644)
    assert run(tmp_path, "migrate").returncode == 0
    assert mode(tmp_path / "jbm.sqlite3") == "0o600"


def test_seed_demo_is_refused_on_an_https_server(tmp_path: Path) -> None:
    refused = run(tmp_path, "seed-demo", JBM_BASE_URL="https://jbm.blitarkab.go.id")
    assert refused.returncode == 2
    assert "seed-demo ditolak" in refused.stderr and "create-user" in refused.stderr
    assert "petugas-blitar" not in refused.stdout
    assert not (tmp_path / "jbm.sqlite3").exists()


def test_user_commands_end_sessions_and_are_audited(tmp_path: Path) -> None:
    assert run(tmp_path, "seed-demo").returncode == 0
    assert run(tmp_path, "create-user", "dewi", "--name", "Dewi", "--role", "oss_operator",
               JBM_NEW_PASSWORD="rahasia-panjang").returncode == 0
    db = tmp_path / "jbm.sqlite3"

    def query(sql: str, *params: object) -> list[tuple[object, ...]]:
        conn = sqlite3.connect(db)
        try:
            with conn:
                return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def sign_in() -> None:  # a session as a login leaves it
        query("INSERT INTO sessions SELECT hex(randomblob(32)), id, 0, 0, 9e9 FROM users"
              " WHERE username = 'dewi'")

    def sessions() -> int:
        return query("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id"
                     " WHERE u.username = 'dewi'")[0][0]

    sign_in()
    sign_in()
    assert run(tmp_path, "user", "revoke-sessions", "dewi").returncode == 0
    assert sessions() == 0
    sign_in()
    assert run(tmp_path, "user", "set-role", "dewi", "mitra").returncode == 0
    assert sessions() == 0
    sign_in()
    weak = run(tmp_path, "user", "set-password", "dewi", JBM_NEW_PASSWORD="dewi")
    assert weak.returncode == 2 and sessions() == 1
    before = query("SELECT password_hash FROM users WHERE username = 'dewi'")
    assert run(tmp_path, "user", "set-password", "dewi",
               JBM_NEW_PASSWORD="jalan-raya-wlingi").returncode == 0
    assert sessions() == 0
    assert query("SELECT password_hash FROM users WHERE username = 'dewi'") != before
    sign_in()
    assert run(tmp_path, "user", "disable", "dewi").returncode == 0
    assert sessions() == 0
    assert query("SELECT role, active FROM users WHERE username = 'dewi'") == [("mitra", 0)]
    assert run(tmp_path, "user", "enable", "dewi").returncode == 0
    assert query("SELECT active FROM users WHERE username = 'dewi'") == [(1,)]

    unknown = run(tmp_path, "user", "disable", "tidak-ada")
    assert unknown.returncode == 1 and "tidak ditemukan" in unknown.stderr
    last_admin = run(tmp_path, "user", "disable", "admin")
    assert last_admin.returncode == 1 and "satu admin aktif" in last_admin.stderr
    assert query("SELECT active FROM users WHERE username = 'admin'") == [(1,)]

    actions = [row[0] for row in query(
        "SELECT route FROM audit_log WHERE target_id ="
        " (SELECT CAST(id AS TEXT) FROM users WHERE username = 'dewi') ORDER BY id")]
    assert actions == ["python -m app create-user", "python -m app user revoke-sessions",
                       "python -m app user set-role", "python -m app user set-password",
                       "python -m app user disable", "python -m app user enable"]


def test_migration_0006_keeps_users_sessions_and_push_links(tmp_path: Path,
                                                           monkeypatch) -> None:
    """The users table is rebuilt for the new roles; nothing that refers to it is lost."""
    from app.db import connection

    every = connection._migrations()
    monkeypatch.setattr(connection, "_migrations", lambda: [m for m in every if m[0] < 6])
    conn = connection.open_sync(tmp_path / "old.sqlite3")
    connection.migrate(conn)
    conn.execute("INSERT INTO users (username, full_name, password_hash, role, created_at)"
                 " VALUES ('lama', 'Lama', 'h', 'officer', '2025-01-01')")
    conn.execute("INSERT INTO sessions VALUES ('t', 1, 0, 0, 9e9)")
    conn.execute("INSERT INTO push_subscriptions (endpoint, p256dh, auth, created_at)"
                 " VALUES ('https://push.example/1', 'k', 'a', '2025-01-01')")
    conn.execute("INSERT INTO push_links (subscription_id, user_id, created_at)"
                 " VALUES (1, 1, '2025-01-01')")
    monkeypatch.setattr(connection, "_migrations", lambda: every)
    assert "0006_accounts_audit.sql" in connection.migrate(conn)
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM push_links").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.execute("UPDATE users SET role = 'dpo'")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE users SET role = 'raja'")
    conn.close()
