"""Reminders for phones following a kecamatan's rounds (docs/schedule.md): once when a new
round there is published, the evening before a round (from 18.00 WIB), and once when a
round there is moved or cancelled.

One run is ONE transaction: compare each round that has not ended with what was last
announced about it, record notices, and queue a push job per following phone in the
durable queue (app/db/push.py's push_jobs); the notifier delivers them. Time is a
parameter (``now``): the web app passes the clock, tests and ``python -m app reminders
--now`` pass theirs, and nothing sleeps.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from app.clock import iso, utc_now
from app.db import reminders as store
from app.db import schedule as rounds
from app.db.connection import Database
from app.domain.schedule import (
    Announced,
    PublicRound,
    change_kind,
    first_publish_due,
    notice_payload,
    reminder_due,
)
from app.reference.regions import Regions
from app.services.periodic import Periodic
from app.services.schedule import to_public
from app.settings import Settings

URGENCY = {"published": "normal", "reminder": "normal", "moved": "high", "cancelled": "high"}
FIRST = "first"  # the key of a round's one "published" notice (UNIQUE round, kind, key)


@dataclass(frozen=True, slots=True)
class RunResult:
    notices: int  # reminders and change notices recorded
    jobs: int  # push jobs queued for them


def run(conn: sqlite3.Connection, regions: Regions, now: datetime) -> RunResult:
    """One run in the caller's transaction."""
    stamp = iso(now)
    notices = jobs = 0

    def public(round_id: int) -> PublicRound:
        row = rounds.public_round(conn, round_id)
        assert row is not None
        return to_public(row, rounds.agencies_of(conn, [round_id])[round_id], regions)

    def notify(item: PublicRound, kind: str, key: str) -> None:
        nonlocal notices, jobs
        made = store.add_notice(conn, item.id, kind, key, item.kecamatan,
                                notice_payload(kind, item), URGENCY[kind], stamp,
                                now.timestamp())
        notices += 1
        jobs += made

    for row in store.watched(conn, stamp):
        current = Announced(row["sequence"], row["status"], row["starts_at"], row["ends_at"],
                            row["place"])
        before = None if row["a_sequence"] is None else Announced(
            row["a_sequence"], row["a_status"], row["a_starts_at"], row["a_ends_at"],
            row["a_place"])
        remind = (row["status"] == "published"
                  and reminder_due(date.fromisoformat(row["day"]),
                                   datetime.fromisoformat(row["starts_at"]), now)
                  and not store.has_notice(conn, row["id"], "reminder", row["day"]))
        kind = change_kind(before, current)
        if kind is not None:
            notify(public(row["id"]), kind, str(row["sequence"]))
        # A new round: said once; published the evening before, its reminder (going out in
        # this same run, with the same date, time and place) says it alone.
        elif first_publish_due(before, current, now) and not remind:
            notify(public(row["id"]), "published", FIRST)
        if before != current:
            store.set_announced(conn, row["id"], current, stamp)
        if remind:
            notify(public(row["id"]), "reminder", row["day"])
    return RunResult(notices, jobs)


def _said(result: RunResult) -> str | None:
    return f"{result.notices} notices, {result.jobs} push jobs" if result.notices else None


class RoundReminders:
    """The background task started in the app's lifespan (off with
    ``JBM_ROUND_REMINDERS=off``): a run every ``round_reminders_interval_s``."""

    def __init__(self, settings: Settings, db: Database, regions: Regions,
                 wake_notifier: Callable[[], None]) -> None:
        self.settings = settings
        self.db = db
        self.regions = regions
        self.wake_notifier = wake_notifier
        self._periodic = Periodic("round-reminders", settings.round_reminders_interval_s,
                                  self.run_once, _said)

    def start(self) -> None:
        if self.settings.round_reminders:
            self._periodic.start()

    async def stop(self) -> None:
        await self._periodic.stop()

    async def run_once(self, now: datetime | None = None) -> RunResult:
        result = await self.db.write(run, self.regions, now or utc_now())
        if result.jobs:
            self.wake_notifier()
        return result
