"""Abuse limits kept in SQLite (``rate_hits``), so a restart gives nobody a fresh quota.

``StoredLimits`` holds the table's writer side: attempts arriving together are committed
together, in order, in one transaction (one fsync for many requests, like the
pre-registration writer). ``Limiter`` is one limit (a ``Rule``) with the in-memory
``RateLimiter``'s calls, awaited. Keys (tracking codes, client addresses) are stored only
as an HMAC keyed with a key derived from the app's secret.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable

from app.db import rate_hits as store
from app.db.connection import Database
from app.domain.ratelimit import Rule


class StoredLimits:
    def __init__(self, db: Database, secret: str,
                 clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._key = hashlib.sha256(f"rate-limit:{secret}".encode()).digest()
        self._clock = clock  # wall-clock: the windows outlive the process
        self._waiting: list[tuple[store.Op, asyncio.Future[float | None]]] = []
        self._writer: asyncio.Task[None] | None = None  # held: a bare task may be collected

    def limiter(self, rule: Rule) -> Limiter:
        return Limiter(self, rule)

    def key_hash(self, rule: Rule, key: str) -> str:
        return hmac.new(self._key, f"{rule.bucket}:{key}".encode(),
                        hashlib.sha256).hexdigest()[:32]

    async def run(self, op: store.Op) -> float | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[float | None] = loop.create_future()
        self._waiting.append((op, future))
        if self._writer is None:
            self._writer = loop.create_task(self._write_waiting())
        return await future

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    results = await self._db.write(store.apply, [op for op, _ in batch],
                                                   self._clock())
                except Exception as exc:  # every waiting attempt hears of it
                    for _, future in batch:
                        future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    future.set_result(result)
        finally:
            self._writer = None


class Limiter:
    """One stored limit: ``await hit(key)`` counts an attempt (None: allowed, else the
    seconds to wait); ``await take_back(key)`` uncounts the newest one."""

    def __init__(self, limits: StoredLimits, rule: Rule) -> None:
        self._limits = limits
        self.rule = rule

    async def hit(self, key: str) -> float | None:
        return await self._limits.run(store.Op(self.rule, self._limits.key_hash(self.rule, key)))

    async def take_back(self, key: str) -> None:
        await self._limits.run(store.Op(self.rule, self._limits.key_hash(self.rule, key),
                                        take_back=True))
