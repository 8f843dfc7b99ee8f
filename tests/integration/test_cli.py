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
