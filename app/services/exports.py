"""Exports that take a while (XLSX of every application, or referral): a background job per request
whose progress the page polls every second (htmx), then offers the file.

The workbook is written by XlsxWriter in constant_memory mode (row by row, flushed to
disk) from a connection of the job's own that reads CHUNK rows at a time by id: memory
stays flat whatever the number of rows. Files live in ``<data_dir>/exports`` (0700,
0600) for an hour, for their owner only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter

from app.db import referrals as referral_store
from app.db import statistics as store
from app.db.connection import open_sync
from app.domain.statistics import StatFilter
from app.reference.regions import Regions
from app.services import referrals as referral_export
from app.services import statistics as stats

log = logging.getLogger(__name__)

KEEP_S = 3600
SHEETS = {"permohonan": "Permohonan", "bulanan": "Bulanan", "rujukan": "Rujukan"}
XLSX_OPTIONS = {"constant_memory": True, "strings_to_formulas": False,
                "strings_to_urls": False, "strings_to_numbers": False}


@dataclass(slots=True)
class ExportJob:
    id: str
    owner: int
    kind: str  # "permohonan" | "bulanan" | "rujukan"
    total: int
    filename: str
    path: Path
    started: float
    done: int = 0
    state: str = "running"  # running | done | failed

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


class ExportJobs:
    def __init__(self, db_path: Path, data_dir: Path, regions: Regions) -> None:
        self.db_path = db_path
        self.directory = data_dir / "exports"
        self.regions = regions
        self._jobs: dict[str, ExportJob] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _purge(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self._jobs.items()):
            if job.state != "running" and now - job.started > KEEP_S:
                with contextlib.suppress(FileNotFoundError):
                    job.path.unlink()
                del self._jobs[job_id]

    def running_for(self, owner: int) -> ExportJob | None:
        return next((j for j in self._jobs.values()
                     if j.owner == owner and j.state == "running"), None)

    def get(self, job_id: str, owner: int) -> ExportJob | None:
        """The job, only for the admin who started it."""
        self._purge()
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def start(self, kind: str, f: StatFilter, full_nik: bool, owner: int, total: int
              ) -> ExportJob:
        self._purge()
        self.directory.mkdir(mode=0o700, exist_ok=True)
        job_id = secrets.token_urlsafe(16)
        stamp = time.strftime("%Y%m%d-%H%M")
        job = ExportJob(job_id, owner, kind, total,
                        f"{kind}-{f.month_from}-{f.month_to}-{stamp}.xlsx",
                        self.directory / f"{job_id}.xlsx", time.monotonic())
        self._jobs[job_id] = job
        task = asyncio.create_task(asyncio.to_thread(self._write, job, f, full_nik))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    def _write(self, job: ExportJob, f: StatFilter, full_nik: bool) -> None:
        fd = os.open(job.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        conn = open_sync(self.db_path)
        try:
            workbook = xlsxwriter.Workbook(str(job.path), XLSX_OPTIONS)
            sheet = workbook.add_worksheet(SHEETS[job.kind])
            bold = workbook.add_format({"bold": True})
            if job.kind == "permohonan":
                self._applications(conn, sheet, bold, job, f, full_nik)
            elif job.kind == "rujukan":
                self._referrals(conn, sheet, bold, job, f)
            else:
                sheet.write_row(0, 0, stats.MONTHLY_HEADER, bold)
                for i, row in enumerate(stats.monthly_rows(
                        stats.panel_monthly(conn, f, self.regions)), start=1):
                    sheet.write_row(i, 0, row)
                    job.done = i
            workbook.close()
            job.state = "done"
        except Exception:
            log.exception("export %s failed", job.kind)
            job.state = "failed"
            with contextlib.suppress(FileNotFoundError):
                job.path.unlink()
        finally:
            conn.close()

    def _referrals(self, conn: Any, sheet: Any, bold: Any, job: ExportJob, f: StatFilter
                   ) -> None:
        rows = referral_export.ExportRows(self.regions)
        sheet.write_row(0, 0, referral_export.EXPORT_HEADER, bold)
        line, after = 1, 0
        while chunk := referral_store.export_chunk(conn, f, after, stats.CHUNK):
            after = chunk[-1][0]
            for row in chunk:
                sheet.write_row(line, 0, rows.cells(row))
                line += 1
            job.done = line - 1

    def _applications(self, conn: Any, sheet: Any, bold: Any, job: ExportJob,
                      f: StatFilter, full_nik: bool) -> None:
        rows = stats.ExportRows(self.regions, full_nik)
        sheet.write_row(0, 0, stats.EXPORT_HEADER, bold)
        line, after = 1, 0
        while True:
            chunk = store.export_chunk(conn, f, after, stats.CHUNK)
            if not chunk:
                return
            after = chunk[-1][0]
            for row in chunk:
                sheet.write_row(line, 0, rows.cells(row))
                line += 1
            job.done = line - 1
