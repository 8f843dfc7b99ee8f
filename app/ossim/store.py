"""The simulator's register of issued NIBs: one per reference, for ever, in SQLite."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class NibStore:
    """NIBs by reference in SQLite (WAL): one per reference, for ever, across restarts and
    even across two simulators sharing the file."""

    def __init__(self, path: Path, rng: random.Random) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._rng = rng
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # a killed process loses nothing
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS nibs (reference TEXT PRIMARY KEY, nib TEXT NOT NULL"
            " UNIQUE, oss_id TEXT NOT NULL, issued_at TEXT NOT NULL, nik TEXT NOT NULL,"
            " npwp TEXT, record_json TEXT NOT NULL, source TEXT NOT NULL)"
        )

    def close(self) -> None:
        self._conn.close()

    def by_reference(self, reference: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT record_json FROM nibs WHERE reference = ?", (reference,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def by_nib(self, nib: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT record_json FROM nibs WHERE nib = ?", (nib,)).fetchone()
        return json.loads(row[0]) if row else None

    def by_npwp(self, npwp: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT record_json FROM nibs WHERE npwp = ? ORDER BY rowid LIMIT 1", (npwp,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def issue(
        self, reference: str, nik: str, npwp: str | None, source: str,
        make_record: Callable[[str, str, datetime], dict[str, Any]],
    ) -> tuple[dict[str, Any], bool]:
        """The record for ``reference``, issuing a new NIB if it has none. (record, new?)"""
        existing = self.by_reference(reference)
        if existing is not None:
            return existing, False
        for _ in range(20):
            now = datetime.now(UTC)
            nib = str(self._rng.randrange(10**12, 10**13))
            oss_id = "P-" + now.strftime("%Y%m%d%H%M%S") + f"{self._rng.randrange(10**9):09d}"
            record = make_record(nib, oss_id, now)
            try:
                self._conn.execute(
                    "INSERT INTO nibs (reference, nib, oss_id, issued_at, nik, npwp,"
                    " record_json, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (reference, nib, oss_id, now.isoformat(), nik, npwp, json.dumps(record),
                     source),
                )
            except sqlite3.IntegrityError:
                existing = self.by_reference(reference)
                if existing is not None:  # another simulator on the same file was first
                    return existing, False
                continue  # the random NIB was taken: draw another
            return record, True
        raise RuntimeError("could not draw a free NIB")

    def count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM nibs").fetchone()[0]

    def all(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._conn.execute(
            "SELECT reference, nib FROM nibs ORDER BY rowid")]
