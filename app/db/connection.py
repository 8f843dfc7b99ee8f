"""SQLite connections, pragmas and schema migrations.

Two aiosqlite connections: one writer, one reader (WAL lets reads run beside a write).
Every write is a whole transaction run as ONE call on the writer's thread
(``Database.write``): ``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any error.
Because aiosqlite runs one call at a time per connection, two transactions can never
interleave, and a transaction costs one thread hop however many statements it has.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # The phone deletes an item once we acknowledge it: an acknowledged commit must survive
    # power loss, which WAL only promises with synchronous=FULL.
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


def apply_pragmas(conn: sqlite3.Connection) -> None:
    for pragma in PRAGMAS:
        conn.execute(pragma)


def make_private(path: Path) -> None:
    """The database holds NIKs: its directory is made 0700 when created here, and the file,
    its WAL and shared memory are 0600 (SQLite gives the WAL the database file's mode)."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        path.parent.chmod(0o700)  # whatever the umask
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)


def open_sync(path: Path) -> sqlite3.Connection:
    """A stdlib connection with the project's pragmas (CLI, migrations, tests, benchmarks)."""
    make_private(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    apply_pragmas(conn)
    return conn


def run_transaction(conn: sqlite3.Connection, fn: Callable[..., T], *args: Any) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn, *args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("app.db.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


# A migration that rebuilds a table others refer to (SQLite's "12-step" ALTER) starts with
# this line: it runs with foreign keys off, and is checked with foreign_key_check before
# its COMMIT.
FOREIGN_KEYS_OFF = "-- migrate: foreign_keys=off"


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the numbered ``.sql`` files not yet recorded, each in its own transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    applied = []
    for version, name, sql in _migrations():
        if version in done:
            continue
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rebuild = sql.startswith(FOREIGN_KEYS_OFF)
        script = (
            f"BEGIN IMMEDIATE;\n{sql}\n"
            f"INSERT INTO schema_migrations VALUES ({version}, '{name}', '{now}');"
        )
        if rebuild:
            conn.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
        try:
            conn.executescript(script)
            if rebuild and conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                raise sqlite3.IntegrityError(f"{name} leaves broken foreign keys")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            if rebuild:
                conn.execute("PRAGMA foreign_keys=ON")
        applied.append(name)
    return applied


def migrate_path(path: Path) -> list[str]:
    conn = open_sync(path)
    try:
        return migrate(conn)
    finally:
        conn.close()


class Database:
    """The app's two connections. Use ``write`` for transactions, ``read`` for queries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self._writer = await self._connect()
        self._reader = await self._connect()

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        return conn

    async def close(self) -> None:
        for conn in (self._writer, self._reader):
            if conn is not None:
                await conn.close()
        self._writer = self._reader = None

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` as one ``BEGIN IMMEDIATE`` transaction on the writer."""
        assert self._writer is not None, "database is not open"
        # aiosqlite's documented calls each cost a thread hop; ``_execute`` runs a whole
        # callable on the connection's own thread, so a transaction is one hop.
        return await self._writer._execute(run_transaction, self._writer._conn, fn, *args)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(conn, *args)`` (queries only) on the reader's thread in one hop."""
        assert self._reader is not None, "database is not open"
        return await self._reader._execute(fn, self._reader._conn, *args)
