"""The stored limits on a real SQLite file: parallel attempts committed together still
stop at the limit, a take-back uncounts one, closed windows are deleted, keys are keyed
hashes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.db.connection import Database, migrate_path
from app.domain.ratelimit import Rule
from app.services.limits import StoredLimits

RULE = Rule("lookup_code", limit=3, window_s=60)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def _scenario(path: Path) -> None:
    db = Database(path)
    await db.open()
    clock = Clock()
    limits = StoredLimits(db, "secret-a", clock)
    code = limits.limiter(RULE)
    try:
        # ten guesses at once: one transaction, in order, three pass
        waits = await asyncio.gather(*(code.hit("ABCDEFG") for _ in range(10)))
        assert [w is None for w in waits] == [True] * 3 + [False] * 7
        assert all(w == 60.0 for w in waits[3:])
        await code.take_back("ABCDEFG")  # a right answer
        assert await code.hit("ABCDEFG") is None
        assert await code.hit("ABCDEFG") == 60.0
        assert await code.hit("HJKMNPQ") is None  # another key, its own window

        rows = await db.read(lambda c: c.execute(
            "SELECT bucket, key_hash, count FROM rate_hits ORDER BY count").fetchall())
        assert [(r[0], r[2]) for r in rows] == [("lookup_code", 1), ("lookup_code", 3)]
        assert rows[1][1] == limits.key_hash(RULE, "ABCDEFG") != StoredLimits(
            db, "secret-b").key_hash(RULE, "ABCDEFG")  # keyed with the secret
        assert all("ABCDEFG" not in r[1] and "HJKMNPQ" not in r[1] for r in rows)

        clock.now += 60  # both windows closed: the next write deletes them
        assert await code.hit("HJKMNPQ") is None
        left = await db.read(lambda c: c.execute(
            "SELECT key_hash, window_start FROM rate_hits").fetchall())
        assert [tuple(r) for r in left] == [(limits.key_hash(RULE, "HJKMNPQ"), clock.now)]
    finally:
        await db.close()


def test_stored_limits_on_a_real_database(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    migrate_path(path)
    asyncio.run(_scenario(path))
