"""The push notifier: status events -> durable push jobs -> sends, in the background.

Each round: (1) in ONE transaction, read the status events after the "push" cursor, make a
job per subscriber and advance the cursor — a restart neither loses nor repeats one;
(2) lease the due jobs and send them in threads, a few at a time; (3) now and then, sweep
subscriptions that keep failing. Jobs live in ``push_jobs`` until delivered or given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from app.clock import iso, now_iso
from app.db import push as store
from app.db.connection import Database
from app.domain.backoff import full_jitter
from app.notify.messages import CITIZEN_STATUSES, OFFICER_STATUSES, payload_for
from app.notify.push import PushSender, SendResult, Subscription
from app.settings import Settings

log = logging.getLogger("jbm.notify")

BATCH = 64
SWEEP_EVERY_S = 3600.0




_RNG = random.Random()


def backoff_s(attempt: int, base: float, cap: float) -> float:
    """Full jitter (app/domain/backoff.py), at least 1/10 of base."""
    return max(base / 10, full_jitter(attempt, base, cap, _RNG))


class Notifier:
    def __init__(self, settings: Settings, db: Database, sender: PushSender,
                 survey_path: Callable[[int], str] | None = None) -> None:
        self.settings = settings
        self.survey_path = survey_path
        self.db = db
        self.sender = sender
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._limit = asyncio.Semaphore(settings.push_concurrency)
        self._last_sweep = 0.0
        self._waiting: list[tuple[store.JobResult, asyncio.Future[None]]] = []
        self._writing = False  # a group of results is being committed

    def start(self) -> None:
        if self.settings.push_notifier and self._task is None:
            self._task = asyncio.create_task(self._run(), name="push-notifier")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.sender.close()

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the notifier alive; the jobs are still in the table
                log.exception("push notifier round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.push_poll_s)
            self._wake.clear()

    def _payload(self, event: Any, status: str, audience: str
                 ) -> tuple[dict[str, Any], str] | None:
        return payload_for(event, status, audience, self.survey_path)

    async def run_once(self) -> dict[str, int]:
        """One round: fan out new events, deliver what is due, maybe sweep. Returns counts."""
        made = 0
        while await self.db.read(store.has_new_events):
            made += await self.db.write(store.fan_out, OFFICER_STATUSES, CITIZEN_STATUSES,
                                        self._payload, now_iso(), time.time())
        sent = await self.deliver_due()
        if time.monotonic() - self._last_sweep > SWEEP_EVERY_S:
            self._last_sweep = time.monotonic()
            await self.sweep()
        return {"jobs": made, **sent}

    async def deliver_due(self) -> dict[str, int]:
        counts = {"delivered": 0, "gone": 0, "retry": 0, "failed": 0}
        while True:
            jobs = await self.db.write(store.claim_due, time.time(),
                                       self.settings.push_lease_s, BATCH)
            if not jobs:
                return counts
            results = await asyncio.gather(*(self._send(job) for job in jobs))
            for outcome in results:
                counts[outcome] += 1

    async def _send(self, job: store.Job) -> str:
        sub = Subscription(job.endpoint, job.p256dh, job.auth)
        async with self._limit:
            result: SendResult = await asyncio.to_thread(
                self.sender.send, sub, job.payload.encode("utf-8"), job.urgency)
        outcome = result.outcome
        if outcome == "retry" and job.attempts >= self.settings.push_max_attempts:
            outcome = "failed"
        next_at = 0.0
        if outcome == "retry":
            wait = backoff_s(job.attempts - 1, self.settings.push_backoff_base_s,
                             self.settings.push_backoff_cap_s)
            if result.retry_after_s is not None:
                wait = max(wait, min(result.retry_after_s, self.settings.push_backoff_cap_s))
            next_at = time.time() + wait
        await self._record(store.JobResult(job, outcome, result.status, next_at))
        # No endpoint, payload or person in the log: the job id and the outcome only.
        log.info("push job %s: %s (%s)", job.id, outcome, result.status)
        return outcome

    async def _record(self, result: store.JobResult) -> None:
        """Return once ``result`` is committed. Group commit: results that come in while a
        write is running wait for it to end and then go together in the next transaction
        (with synchronous=FULL each commit is an fsync). No write running: this one starts
        it, and goes on writing until nothing is waiting."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((result, done))
        if not self._writing:
            self._writing = True
            try:
                while self._waiting:
                    group, self._waiting = self._waiting, []
                    try:
                        await self.db.write(store.record_results, [r for r, _ in group],
                                            now_iso())
                    except Exception as exc:  # these jobs stay leased: sent again later
                        for _, waiting in group:
                            if not waiting.done():  # done: its sender was cancelled
                                waiting.set_exception(exc)
                    else:
                        for _, waiting in group:
                            if not waiting.done():
                                waiting.set_result(None)
            finally:
                self._writing = False
        await done

    async def sweep(self) -> int:
        cutoff = iso(datetime.now(UTC) - timedelta(days=self.settings.push_sweep_days))
        swept = await self.db.write(store.sweep_subscriptions, cutoff,
                                    self.settings.push_sweep_failures)
        await self.db.write(store.purge_finished_jobs, cutoff)
        return swept

