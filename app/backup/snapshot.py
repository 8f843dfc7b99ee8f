"""One-off snapshots and restores into a fresh data directory, each checked for integrity.

A snapshot is a directory: ``jbm.sqlite3`` (a consistent copy made with ``VACUUM INTO``
while the app may be writing) and the key files the data directory holds (the session
secret and the Web Push VAPID key: without the same VAPID key, citizens' phones stop
getting notifications). A restore takes a snapshot (its directory or database file) or a
Litestream replica (a directory or a ``file://``, ``s3://`` or ``sftp://`` URL; the
configured one by default) and writes a new data directory, never over an existing one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.backup.litestream import BackupError, restore_replica
from app.notify.push import KEY_FILE as VAPID_KEY_FILE
from app.settings import Settings

KEY_FILES = ("secret_key", VAPID_KEY_FILE)


@dataclass(frozen=True)
class Check:
    """What a restored or snapshot database holds, and whether SQLite finds it whole."""

    database: Path
    integrity: list[str]  # PRAGMA integrity_check: ["ok"] when whole
    schema_version: int
    applications: int
    last_application_at: str | None

    @property
    def ok(self) -> bool:
        return self.integrity == ["ok"]


def check(database: Path) -> Check:
    conn = sqlite3.connect(database)
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        version = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        count, last = conn.execute(
            "SELECT count(*), max(created_at) FROM applications").fetchone()
    except sqlite3.DatabaseError as exc:
        return Check(database, [f"tidak terbaca: {exc}"], 0, 0, None)
    finally:
        conn.close()
    return Check(database, integrity, int(version or 0), int(count), last)


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)


def _new_private_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _copy_keys(source_dir: Path, target_dir: Path) -> list[str]:
    copied = []
    for name in KEY_FILES:
        if (source_dir / name).is_file():
            _new_private_file(target_dir / name)
            shutil.copyfile(source_dir / name, target_dir / name)
            copied.append(name)
    return copied


def _require_empty(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} sudah berisi sesuatu: pulihkan ke direktori baru "
                          "yang kosong (data lama tidak pernah ditimpa).")


def take_snapshot(settings: Settings, target: Path | None = None) -> Check:
    """Copy the database (consistently, while the app runs) and the key files."""
    source = settings.db_path
    if not source.is_file():
        raise BackupError(f"Basis data {source} tidak ada.")
    if target is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = settings.data_dir / "backups" / f"jbm-{stamp}"
    _require_empty(target)
    _private_dir(target)
    database = Settings(data_dir=target).db_path
    _new_private_file(database)  # VACUUM INTO accepts an empty file: ours, mode 0600
    conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("VACUUM INTO ?", (str(database),))
    finally:
        conn.close()
    _copy_keys(settings.data_dir, target)
    return check(database)


def _copy_database(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    _new_private_file(target)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} bukan salinan basis data yang terbaca: {exc}") from exc
    finally:
        dst.close()
        src.close()


def restore(settings: Settings, source: str | None, target: Path) -> tuple[Check, list[str]]:
    """Restore ``source`` (default: the configured replica) into the new data directory
    ``target``. Returns the check of the restored database and the key files copied."""
    _require_empty(target)
    origin = Path(source) if source and "://" not in source else None
    if origin is not None and not origin.exists():
        raise BackupError(f"Sumber {source} tidak ada.")
    _private_dir(target)
    database = Settings(data_dir=target).db_path
    keys: list[str] = []
    try:
        if origin is not None and origin.is_file():  # a snapshot's database file
            _copy_database(origin, database)
            keys = _copy_keys(origin.parent, target)
        elif origin is not None and (origin / database.name).is_file():  # a snapshot dir
            _copy_database(origin / database.name, database)
            keys = _copy_keys(origin, target)
        else:  # a Litestream replica: a directory, a URL, or the configured one
            url = origin.resolve().as_uri() if origin is not None else source
            restore_replica(settings, url or settings.replica_url, database)
            database.chmod(0o600)
    except BaseException:
        for entry in target.iterdir():  # it was empty: leave it so
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        raise
    return check(database), keys
