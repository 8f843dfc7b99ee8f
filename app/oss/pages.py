"""What pages show about OSS: the officer's "why it waits" card, the operator's task list
and task page, the admin's health page. Reads only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.clock import WIB, iso, utc_now
from app.db import oss as oss_store
from app.db import outbox as outbox_store
from app.db.connection import Database
from app.domain.nik import mask_nik
from app.domain.status import WAITING_FOR_OSS, Status
from app.oss.pia import NIB_STATUS
from app.oss.registration import Section, operator_sections
from app.oss.waiting import (
    WaitView,
    citizen_outage_text,
    describe,
    duration_text,
    reason_text,
)
from app.reference.regions import Regions
from app.settings import Settings

BREAKER_LABELS = {
    "closed": "Normal (tertutup)",
    "open": "OSS gangguan (terbuka): pengiriman ditahan",
    "half_open": "Mencoba lagi (setengah terbuka)",
}


def attempt_label(outcome: str, error: str | None) -> str:
    if outcome == "unavailable":
        return f"Gagal: {reason_text(error)}"
    return {"issued": "NIB terbit", "rejected": "Ditolak OSS",
            "task": "Diserahkan ke operator OSS"}.get(outcome, outcome)


def _hour_label(utc_hour: str) -> str:
    moment = datetime.fromisoformat(utc_hour + ":00:00+00:00").astimezone(WIB)
    return moment.strftime("%d-%m %H:00")


@dataclass(frozen=True, slots=True)
class TaskPage:
    task: Any
    application: Any
    sections: list[Section]


class OssPages:
    def __init__(self, settings: Settings, db: Database, kbli_title: Any, regions: Regions,
                 forwarder_here: Any) -> None:
        self.settings = settings
        self._db = db
        self._title = kbli_title
        self._regions = regions
        self._forwarder_here = forwarder_here  # () -> bool

    # -- the officer ---------------------------------------------------------------------------
    def _view_rows(self, conn: Any, application_id: int
                   ) -> tuple[Any, Any, Any, Any, Any]:
        return (outbox_store.job_for_application(conn, application_id),
                outbox_store.attempts_for_application(conn, application_id),
                oss_store.task_for_application(conn, application_id),
                oss_store.breaker_row(conn),
                oss_store.ongoing_outage(conn))

    async def application_view(self, app: Mapping[str, Any]) -> dict[str, Any]:
        job, attempts, task, breaker, outage = await self._db.read(self._view_rows, app["id"])
        wait: WaitView = describe(
            app["status"], job, breaker, task, utc_now(),
            reset_timeout_s=self.settings.oss_breaker_reset_s,
            long_wait_s=self.settings.oss_long_wait_s,
            outage_started=outage["started_at"] if outage else None,
        )
        permit = json.loads(job["result_json"]) if job and job["result_json"] else None
        return {
            "wait": wait,
            "job": job,
            "attempts": [{"at": a["started_at"], "label": attempt_label(a["outcome"], a["error"]),
                          "latency_ms": a["latency_ms"], "number": a["attempt"]}
                         for a in attempts],
            "permit": permit,
            "nib_status": NIB_STATUS.get(permit.get("status_nib", "")) if permit else None,
            "can_fix": app["status"] == Status.NEEDS_FIX,
        }

    # -- the citizen ---------------------------------------------------------------------------
    def _citizen_rows(self, conn: Any, application_id: int) -> tuple[Any, Any]:
        return (outbox_store.job_for_application(conn, application_id),
                oss_store.ongoing_outage(conn))

    async def citizen_outage(self, app: Mapping[str, Any]) -> str | None:
        """A plain line for the citizen's status page when the application waits because
        OSS is down; None otherwise."""
        if app["status"] not in WAITING_FOR_OSS:
            return None
        job, outage = await self._db.read(self._citizen_rows, app["id"])
        if job is None or job["state"] != "pending" or outage is None:
            return None
        return citizen_outage_text(outage["started_at"], utc_now())

    # -- operator tasks (assisted mode) ------------------------------------------------------
    async def open_tasks(self) -> list[Any]:
        return await self._db.read(oss_store.open_tasks)

    def _task_rows(self, conn: Any, task_id: int) -> tuple[Any, Any]:
        task = oss_store.task(conn, task_id)
        app = None
        if task is not None:
            app = conn.execute("SELECT * FROM applications WHERE id = ?",
                               (task["application_id"],)).fetchone()
        return task, app

    async def task_page(self, task_id: int) -> TaskPage | None:
        task, app = await self._db.read(self._task_rows, task_id)
        if task is None or app is None:
            return None
        desa = self._regions.desa(app["desa"])
        sections = operator_sections(app, self._title, desa.name if desa else "",
                                     self._regions.kecamatan_name(app["kecamatan"]) or "")
        return TaskPage(task, app, sections)

    # -- the admin's health page -----------------------------------------------------------------
    def _overview_rows(self, conn: Any, now: str, long_before: str, day_ago: str
                       ) -> dict[str, Any]:
        return {
            "breaker": oss_store.breaker_row(conn),
            "outages": oss_store.outages(conn),
            "states": outbox_store.outbox_states(conn),
            "leased": outbox_store.leased_count(conn, now),
            "oldest": outbox_store.oldest_waiting(conn),
            "per_hour": outbox_store.attempts_per_hour(conn, day_ago),
            "long_waiters": outbox_store.long_waiters(conn, long_before),
            "long_count": outbox_store.long_waiter_count(conn, long_before),
            "unmatched": oss_store.pushes(conn, "unmatched"),
            "push_counts": oss_store.push_counts(conn),
            "open_tasks": oss_store.open_task_count(conn),
        }

    async def overview(self) -> dict[str, Any]:
        now = utc_now()
        rows = await self._db.read(
            self._overview_rows, iso(now),
            iso(now - timedelta(seconds=self.settings.oss_long_wait_s)),
            iso(now - timedelta(hours=24)),
        )
        outages = []
        for o in rows["outages"]:
            start = datetime.fromisoformat(o["started_at"])
            end = datetime.fromisoformat(o["ended_at"]) if o["ended_at"] else None
            outages.append({"start": o["started_at"], "end": o["ended_at"],
                            "duration": duration_text(((end or now) - start).total_seconds()),
                            "ongoing": end is None, "reason": o["reason"]})
        oldest = rows["oldest"]
        breaker = rows["breaker"]
        return {
            "mode": self.settings.oss_mode,
            "oss_url": self.settings.oss_url,
            "forwarder_here": self._forwarder_here(),
            "breaker": breaker,
            "breaker_label": BREAKER_LABELS.get(breaker["state"], breaker["state"])
            if breaker else "Belum ada data (forwarder belum berjalan)",
            "outages": outages,
            "queue": rows["states"].get("pending", 0),
            "leased": rows["leased"],
            "tasks": rows["open_tasks"],
            "states": rows["states"],
            "oldest": oldest,
            "oldest_age": duration_text((now - datetime.fromisoformat(oldest["created_at"]))
                                        .total_seconds()) if oldest else None,
            "per_hour": [{**dict(r), "label": _hour_label(r["hour"])} for r in rows["per_hour"]],
            "long_waiters": [
                {**dict(r), "age": duration_text(
                    (now - datetime.fromisoformat(r["created_at"])).total_seconds()),
                 "problem": "tugas operator OSS" if r["state"] == "task"
                 else reason_text(r["last_error"]) if r["last_error"] else "belum dicoba"}
                for r in rows["long_waiters"]
            ],
            "long_count": rows["long_count"],
            "long_wait": duration_text(self.settings.oss_long_wait_s),
            "unmatched": [
                {**dict(p), "nik_masked": mask_nik(p["nik"]) if p["nik"] else "—",
                 "kbli": ", ".join(json.loads(p["kbli_json"]))}
                for p in rows["unmatched"]
            ],
            "push_counts": rows["push_counts"],
        }
