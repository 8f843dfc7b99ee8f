"""The command line: migrations recorded once, users created with argon2id hashes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

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
