"""The forwarder: takes outbox jobs to OSS, exactly once per application, through outages.

One dispatcher task leases due jobs (``lease_until`` = now + lease: a worker that dies
strands nothing, its jobs come back when the lease expires) and starts one worker task per
job, never more than ``concurrency`` at a time. Each worker asks the circuit breaker (one
per process, shared by all workers) for a ticket, calls the gateway (paced by the gateway's
token bucket), frees its slot as soon as the call is over, and hands the outcome to the
committer, which writes every result waiting (attempt row, job, application status,
breaker changes) in ONE transaction (group commit, as intake does: with synchronous=FULL a
commit costs an fsync; each result under its own savepoint):

- issued -> application ``issued`` with the NIB, job done;
- rejected -> application ``needs_fix`` with OSS's reasons (after one attempt, no retry);
- unavailable -> retried after ``uniform(0, min(cap, base * 2**n))`` (or OSS's Retry-After,
  up to its cap), without a give-up; an ambiguous failure marks the job in doubt (look up,
  then create); when OSS answers again after an outage, every held job is due at once;
- handed off (assisted mode) -> an open operator task.

While the breaker is open nothing is leased; after the reset timeout one job is leased as
the trial. Runs inside the web app (lifespan) or alone: ``python -m app forward``
(``run_standalone``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import secrets
import signal
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.clock import iso, utc_now
from app.db import oss as oss_store
from app.db import outbox as store
from app.db.connection import Database
from app.domain.backoff import retry_delay
from app.oss.breaker import BreakerState, CircuitBreaker, Transition
from app.oss.gateway import HandedOff, Issued, OssGateway, Rejected, Unavailable
from app.oss.registration import build_registration

log = logging.getLogger(__name__)

REASON_HANDED_OFF = "Diserahkan ke operator OSS di kantor"




@dataclass(frozen=True, slots=True)
class ForwarderConfig:
    concurrency: int = 8
    lease_s: float = 120.0
    poll_s: float = 1.0
    backoff_base_s: float = 2.0
    backoff_cap_s: float = 600.0
    retry_after_cap_s: float = 300.0
    breaker_failures: int = 5
    breaker_reset_s: float = 60.0
    slow_call_s: float | None = 10.0
    submitted_reason: str | None = None  # history reason of received -> submitted


def rejection_reason(reasons: tuple[str, ...]) -> str:
    return "OSS menolak data: " + "; ".join(reasons)


class Forwarder:
    def __init__(
        self,
        db: Database,
        gateway: OssGateway,
        config: ForwarderConfig,
        kbli_title: Callable[[str], str],
        *,
        rng: random.Random | None = None,
        worker: str | None = None,
    ) -> None:
        self._db = db
        self.gateway = gateway
        self.config = config
        self._kbli_title = kbli_title
        self._rng = rng or random.Random()
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.breaker = CircuitBreaker(
            config.breaker_failures, config.breaker_reset_s, config.slow_call_s
        )
        self.stats: Counter[str] = Counter()
        self._inflight: set[asyncio.Task[None]] = set()  # calling OSS or being written
        self._calling = 0  # of those, calling OSS now: never more than ``concurrency``
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._committer: asyncio.Task[None] | None = None
        self._commits: asyncio.Queue[tuple[tuple[Any, ...], asyncio.Future[bool]]] = (
            asyncio.Queue())
        self._outage_checked = False

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        self._committer = asyncio.create_task(self._commit_loop(), name="oss-forwarder-commit")
        self._task = asyncio.create_task(self._run(), name="oss-forwarder")

    def wake(self) -> None:
        self._wake.set()

    @property
    def inflight(self) -> int:
        return len(self._inflight)

    async def stop(self, grace_s: float = 2.0) -> None:
        """Stop leasing, let running attempts finish for ``grace_s``, then cancel the rest
        (their jobs are given back, in doubt)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._inflight:
            _, pending = await asyncio.wait(set(self._inflight), timeout=grace_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=grace_s)
        if self._committer is not None:
            with contextlib.suppress(TimeoutError):  # results in hand are still written
                await asyncio.wait_for(self._commits.join(), timeout=grace_s)
            self._committer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._committer
            self._committer = None
        await self.gateway.aclose()

    # -- the dispatcher ------------------------------------------------------------------
    async def _run(self) -> None:
        await self._db.write(oss_store.save_breaker, "closed", iso(utc_now()), 0, self.worker,
                             iso(utc_now()))
        while True:
            try:
                await self._cycle()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database was busy, a bug: keep the forwarder alive
                log.exception("forwarder cycle failed")
                await asyncio.sleep(self.config.poll_s)

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))

    async def _cycle(self) -> None:
        config = self.config
        capacity = self.breaker.capacity()
        if capacity == 0:
            wait = self.breaker.retry_in()
            await self._sleep(min(wait, config.poll_s) if wait > 0 else config.poll_s)
            return
        if capacity is not None and self._calling:
            # not closed: the one trial is already out (or about to ask for its ticket)
            await self._sleep(config.poll_s)
            return
        room = config.concurrency - self._calling
        if capacity is not None:
            room = min(room, capacity)
        # lease in batches (one transaction for several jobs) unless the pipe is empty, and
        # let results waiting for their commit hold back new work when the disk is slow
        if (room <= 0 or (room < max(1, config.concurrency // 4) and self._calling)
                or len(self._inflight) >= 4 * config.concurrency):
            await self._sleep(config.poll_s)
            return
        now = utc_now()
        until = now + timedelta(seconds=config.lease_s)
        jobs = await self._db.write(store.lease, iso(now), iso(until), self.worker, room,
                                    config.submitted_reason)
        if not jobs:
            due = await self._db.read(store.next_due)
            wait = config.poll_s
            if due:
                wait = min(wait, max(0.001, (datetime.fromisoformat(due) - utc_now())
                                     .total_seconds()))
            await self._sleep(wait)
            return
        self.stats["leased"] += len(jobs)
        for job in jobs:
            self._calling += 1  # given back by the task when its call to OSS is over
            task = asyncio.create_task(self._attempt(job), name=f"oss-job-{job.id}")
            self._inflight.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._wake.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("forwarder attempt failed", exc_info=task.exception())

    # -- one attempt -----------------------------------------------------------------------
    async def _attempt(self, job: store.LeasedJob) -> None:
        calling = True

        def call_over() -> None:
            nonlocal calling
            if calling:
                calling = False
                self._calling -= 1
                self._wake.set()

        try:
            await self._attempt_call(job, call_over)
        finally:
            call_over()

    async def _attempt_call(self, job: store.LeasedJob, call_over: Callable[[], None]) -> None:
        ticket = self.breaker.acquire()
        if ticket is None:
            call_over()
            self.stats["refused_by_breaker"] += 1
            later = utc_now() + timedelta(seconds=max(self.breaker.retry_in(), 0.05))
            await self._commit((self._give_back, job.id, iso(later), False))
            return
        registration = build_registration(job.application, self._kbli_title)
        started = utc_now()
        try:
            outcome = await self.gateway.submit(registration, in_doubt=job.in_doubt)
        except asyncio.CancelledError:
            self.breaker.cancel(ticket)
            await asyncio.shield(
                self._db.write(self._complete_many, [(self._give_back, job.id, iso(utc_now()),
                                                      True)], [])
            )
            raise
        except Exception as exc:
            log.exception("gateway failed")
            outcome = Unavailable("internal", ambiguous=True, detail=type(exc).__name__)
        call_over()  # the slot is free for the next call while this result is written
        finished = utc_now()
        ok = not isinstance(outcome, Unavailable)
        self.breaker.record(ticket, ok, outcome.elapsed_s)
        self.stats[outcome.kind] += 1
        record = store.AttemptRecord(
            attempt=job.attempts + 1,
            started_at=iso(started),
            finished_at=iso(finished),
            latency_ms=round(outcome.elapsed_s * 1000),
            outcome=outcome.kind,
            error=outcome.reason if isinstance(outcome, Unavailable) else None,
            detail=_detail(outcome),
            trial=ticket.trial,
            worker=self.worker,
        )
        now = iso(finished)
        if isinstance(outcome, Issued):
            call: tuple[Any, ...] = (store.record_issued, job.id, job.application_id,
                                     self.worker, record, outcome.nib,
                                     json.dumps(outcome.permit, ensure_ascii=False), now)
        elif isinstance(outcome, Rejected):
            call = (store.record_rejected, job.id, job.application_id, self.worker, record,
                    rejection_reason(outcome.reasons), now)
        elif isinstance(outcome, HandedOff):
            call = (store.record_task, job.id, job.application_id, self.worker, record, now)
        else:
            delay = retry_delay(job.attempts, self.config.backoff_base_s,
                                self.config.backoff_cap_s, self._rng, outcome.retry_after,
                                self.config.retry_after_cap_s)
            call = (store.record_retry, job.id, job.application_id, self.worker, record,
                    iso(finished + timedelta(seconds=delay)), outcome.ambiguous, now)
        if ok and not self._outage_checked:
            # our first good answer: an outage (and held jobs) a previous process left
            self._outage_checked = True
            call = (self._close_stale_outage, call)
        if not await self._commit(call):
            self.stats["lease_lost"] += 1

    # -- writes (run on the database's writer thread, inside one transaction) --------------------
    def _transitions(self) -> list[tuple[Transition, datetime, datetime | None]]:
        """Breaker changes with their wall-clock times (the breaker keeps monotonic ones)."""
        now_wall, now_mono = utc_now(), time.monotonic()
        out = []
        for t in self.breaker.drain_transitions():
            at = now_wall - timedelta(seconds=now_mono - t.at)
            first = (now_wall - timedelta(seconds=now_mono - t.first_failure_at)
                     if t.first_failure_at is not None else None)
            out.append((t, at, first))
        return out

    def _persist(self, conn: Any, transitions: list[tuple[Transition, datetime,
                                                          datetime | None]]) -> None:
        oss_store.note_outage_queue(conn)  # before a closing transition ends the outage
        for t, at, first in transitions:
            oss_store.save_breaker(conn, t.after.value, iso(at), t.failures, self.worker,
                                   iso(utc_now()))
            if t.after is BreakerState.OPEN and t.before is BreakerState.CLOSED:
                oss_store.open_outage(conn, iso(first or at), iso(at),
                                      f"{t.failures} kegagalan berturut-turut", self.worker)
            elif t.after is BreakerState.CLOSED:
                oss_store.close_outage(conn, iso(at))
                self._bring_forward(conn)

    # -- group commit: every result waiting is written in ONE transaction ---------------------
    async def _commit(self, call: tuple[Any, ...]) -> bool:
        """Queue one write (its function first) and wait until it is committed."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._commits.put_nowait((call, future))
        return await future

    async def _commit_loop(self) -> None:
        while True:
            batch = [await self._commits.get()]
            while not self._commits.empty() and len(batch) < 256:
                batch.append(self._commits.get_nowait())
            try:
                results = await self._db.write(self._complete_many, [c for c, _ in batch],
                                               self._transitions())
            except Exception as exc:  # the jobs stay leased; their leases expire
                log.exception("forwarder commit failed")
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                    self._commits.task_done()
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    log.error("forwarder write failed", exc_info=result)
                    result = False  # the job stays leased until its lease expires
                if not future.done():
                    future.set_result(result)
            for _ in batch:
                self._commits.task_done()

    def _complete_many(self, conn: Any, calls: list[tuple[Any, ...]],
                       transitions: list[Any]) -> list[bool | BaseException]:
        results = store.each_isolated(conn, calls)
        self._persist(conn, transitions)
        return results

    def _close_stale_outage(self, conn: Any, call: tuple[Any, ...]) -> bool:
        """Our first good answer also ends an outage a previous process left open."""
        fn, *args = call
        applied = fn(conn, *args)
        if self.breaker.state is BreakerState.CLOSED:
            oss_store.close_outage(conn, iso(utc_now()))
            self._bring_forward(conn)
        return bool(applied)

    def _bring_forward(self, conn: Any) -> None:
        """OSS answers again: jobs held by an outage go now, not when their wait runs out."""
        moved = store.bring_forward(conn, iso(utc_now()))
        if moved:
            self.stats["brought_forward"] += moved
            log.info("OSS is back: %d held jobs brought forward", moved)

    def _give_back(self, conn: Any, job_id: int, next_at: str, in_doubt: bool) -> bool:
        return store.release(conn, job_id, self.worker, next_at, in_doubt)


def _detail(outcome: Any) -> str | None:
    if isinstance(outcome, Unavailable):
        return outcome.detail or None
    if isinstance(outcome, Rejected):
        return "; ".join(outcome.reasons)[:500]
    if isinstance(outcome, Issued) and outcome.found_by_lookup:
        return "found by reference lookup"
    return None


# -- building it from settings -------------------------------------------------------------------
def forwarder_config(settings: Any) -> ForwarderConfig:
    """The forwarder's settings. The lease always outlasts one attempt (a lookup and a send,
    each within connect + read timeouts), so a live worker never loses its job."""
    floor = 2 * (settings.oss_connect_timeout_s + settings.oss_read_timeout_s) + 1.0
    return ForwarderConfig(
        concurrency=settings.oss_concurrency,
        lease_s=max(settings.oss_lease_s, floor),
        poll_s=settings.oss_poll_s,
        backoff_base_s=settings.oss_backoff_base_s,
        backoff_cap_s=settings.oss_backoff_cap_s,
        retry_after_cap_s=settings.oss_retry_after_cap_s,
        breaker_failures=settings.oss_breaker_failures,
        breaker_reset_s=settings.oss_breaker_reset_s,
        slow_call_s=settings.oss_slow_call_s or None,
        submitted_reason=REASON_HANDED_OFF if settings.oss_mode == "assisted" else None,
    )


def build_gateway(settings: Any) -> OssGateway:
    from app.oss.assisted import AssistedGateway
    from app.oss.http_gateway import HttpGateway
    from app.oss.pacing import Pacer

    if settings.oss_mode == "assisted":
        return AssistedGateway()
    if not settings.oss_url:
        raise RuntimeError("JBM_OSS_URL is not set (needed for OSS mode http/simulator)")
    return HttpGateway(
        settings.oss_url,
        user_key=settings.oss_user_key,
        connect_timeout_s=settings.oss_connect_timeout_s,
        read_timeout_s=settings.oss_read_timeout_s,
        max_connections=settings.oss_concurrency,
        pacer=Pacer(settings.oss_rate_per_s, settings.oss_rate_burst),
        retry_after_cap_s=settings.oss_retry_after_cap_s,
    )


# -- running alone ---------------------------------------------------------------------------------
async def run_standalone(settings: Any) -> None:
    from app.db.connection import migrate_path
    from app.reference.kbli import KbliCatalog

    await asyncio.to_thread(migrate_path, settings.db_path)
    catalog = KbliCatalog.load()
    db = Database(settings.db_path)
    await db.open()
    forwarder = Forwarder(db, build_gateway(settings), forwarder_config(settings),
                          kbli_title(catalog))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    forwarder.start()
    log.info("forwarder %s started (mode %s)", forwarder.worker, settings.oss_mode)
    try:
        await stop.wait()
    finally:
        await forwarder.stop()
        await db.close()


def kbli_title(catalog: Any) -> Callable[[str], str]:
    def title(code: str) -> str:
        entry = catalog.get(code)
        return entry.title if entry else ""

    return title
