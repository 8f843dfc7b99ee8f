"""What the web app does with OSS: the forwarder's lifecycle, receiveNIB, the officer's view
and correction, operator tasks (assisted mode) and the admin's health page.

Controllers stay thin: they call one method here and render what it returns.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.clock import WIB, utc_now
from app.db import oss as oss_store
from app.db import outbox as outbox_store
from app.db.applications import FORM_COLUMNS, TransitionError, form_columns
from app.db.connection import Database
from app.domain.application import ApplicationInput
from app.domain.nik import mask_nik
from app.oss.forwarder import Forwarder, build_gateway, forwarder_config, iso, kbli_title
from app.oss.gateway import NibCheck
from app.oss.http_gateway import PiaClient
from app.oss.pia import (
    MSG_BAD_BODY,
    MSG_BAD_TOKEN,
    MSG_NO_NIB,
    MSG_NOT_CONFIGURED,
    MSG_RECEIVED,
    NIB_STATUS,
    parse_nib,
    read_pushed_nib,
    receive_answer,
    token_valid,
)
from app.oss.registration import Section, operator_sections
from app.oss.waiting import WaitView, describe, duration_text, reason_text

log = logging.getLogger(__name__)

MSG_NIB_FORMAT = "NIB harus 13 angka, sesuai yang tertera di OSS. Periksa lalu ketik ulang."
MSG_NIB_UNKNOWN = (
    "NIB ini tidak ditemukan di OSS (checkNIB). Periksa kembali angka NIB di portal OSS."
)
MSG_NIB_TAKEN = "NIB ini sudah tercatat untuk pelaku usaha lain. Periksa kembali angka NIB."
MSG_TASK_CLOSED = "Tugas ini sudah selesai atau ditutup. Muat ulang daftar tugas."
MSG_TASK_NOT_YOURS = (
    "Tugas ini belum Anda ambil atau waktu pengerjaannya sudah habis. Ambil tugas dulu."
)
MSG_TASK_TAKEN = "Tugas ini sedang dikerjakan operator lain. Pilih tugas lain."
MSG_REASON_SHORT = "Tulis alasan penolakan dari OSS (minimal 5 karakter)."
MSG_REFERRED = (
    "Dengan data ini usaha harus dilayani di kantor DPMPTSP (lebih dari dua KBLI atau skala "
    "di atas Kecil), jadi tidak dapat dikirim ulang dari sini."
)
MSG_NOT_NEEDS_FIX = "Permohonan ini tidak sedang menunggu perbaikan."

FIELD_LABELS = {
    "nik": "NIK", "name": "nama", "sex": "jenis kelamin", "birth_date": "tanggal lahir",
    "phone": "nomor WhatsApp", "email": "email", "npwp": "NPWP", "business_name": "nama usaha",
    "kecamatan": "kecamatan", "desa": "desa", "rt": "RT", "rw": "RW", "street": "alamat",
    "kbli_json": "KBLI", "capital": "modal", "workers_male": "tenaga kerja laki-laki",
    "workers_female": "tenaga kerja perempuan", "scale": "skala usaha",
}
BREAKER_LABELS = {
    "closed": "Normal (tertutup)",
    "open": "OSS gangguan (terbuka): pengiriman ditahan",
    "half_open": "Mencoba lagi (setengah terbuka)",
}


def form_values(app: Mapping[str, Any]) -> dict[str, str]:
    """An application row as the correction form shows it."""
    return {
        "nik": app["nik"], "name": app["name"], "phone": app["phone"],
        "email": app["email"] or "", "no_email": "" if app["email"] else "on",
        "npwp": app["npwp"] or "", "business_name": app["business_name"],
        "kecamatan": app["kecamatan"], "desa": app["desa"], "rt": app["rt"], "rw": app["rw"],
        "street": app["street"], "kbli": ", ".join(json.loads(app["kbli_json"])),
        "capital": str(app["capital"]), "workers_male": str(app["workers_male"]),
        "workers_female": str(app["workers_female"]),
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


class OssService:
    def __init__(self, settings: Any, db: Database, kbli: Any, regions: Any,
                 intake: Any) -> None:
        self.settings = settings
        self._db = db
        self._kbli = kbli
        self._regions = regions
        self._intake = intake
        self._title = kbli_title(kbli)
        self.forwarder: Forwarder | None = None
        self._checker: PiaClient | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        settings = self.settings
        if settings.oss_user_key and settings.pia_base_url:
            self._checker = PiaClient(settings.pia_base_url, user_key=settings.oss_user_key,
                                      connect_timeout_s=settings.oss_connect_timeout_s,
                                      read_timeout_s=min(settings.oss_read_timeout_s, 15.0))
        if settings.oss_forwarder:
            self.forwarder = Forwarder(self._db, build_gateway(settings),
                                       forwarder_config(settings), self._title)
            self.forwarder.start()

    async def stop(self) -> None:
        if self.forwarder is not None:
            await self.forwarder.stop()
            self.forwarder = None
        if self._checker is not None:
            await self._checker.aclose()
            self._checker = None

    def _wake(self) -> None:
        if self.forwarder is not None:
            self.forwarder.wake()

    # -- receiveNIB ----------------------------------------------------------------------------
    async def receive_nib(self, token: str | None, raw: bytes) -> tuple[int, dict[str, Any]]:
        settings = self.settings
        if not (settings.pia_username and settings.pia_password):
            return 503, receive_answer(False, MSG_NOT_CONFIGURED)
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            return 400, receive_answer(False, MSG_BAD_BODY)
        data = body.get("dataNIB") if isinstance(body, dict) else None
        pushed = read_pushed_nib(data)
        if pushed is None:
            return 400, receive_answer(False, MSG_NO_NIB)
        now = utc_now()
        if not token_valid(token, settings.pia_username, settings.pia_password, pushed.nib, now):
            log.warning("receiveNIB refused: wrong token")
            return 401, receive_answer(False, MSG_BAD_TOKEN)
        result = await self._db.write(oss_store.apply_push, pushed,
                                      json.dumps(data, ensure_ascii=False), iso(now))
        log.info("receiveNIB push %s: %s", result.push_id, result.match.kind)
        return 200, receive_answer(True, MSG_RECEIVED)

    # -- the officer ---------------------------------------------------------------------------
    def _view_rows(self, conn: Any, application_id: int) -> tuple[Any, Any, Any, Any]:
        return (outbox_store.job_for_application(conn, application_id),
                outbox_store.attempts_for_application(conn, application_id),
                oss_store.task_for_application(conn, application_id),
                oss_store.breaker_row(conn))

    async def application_view(self, app: Mapping[str, Any]) -> dict[str, Any]:
        job, attempts, task, breaker = await self._db.read(self._view_rows, app["id"])
        wait: WaitView = describe(
            app["status"], job, breaker, task, utc_now(),
            reset_timeout_s=self.settings.oss_breaker_reset_s,
            long_wait_s=self.settings.oss_long_wait_s,
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
            "can_fix": app["status"] == "needs_fix",
        }

    def validate_correction(self, app: Mapping[str, Any], raw: Mapping[str, Any]
                            ) -> dict[str, str] | tuple[dict[str, Any], list[str]]:
        """The corrected columns and the names of what changed, or errors per field."""
        if app["status"] != "needs_fix":
            return {"_": MSG_NOT_NEEDS_FIX}
        checked = self._intake.validate(raw)
        if not isinstance(checked, ApplicationInput):
            return checked
        if checked.referral_reason:
            return {"_": MSG_REFERRED}
        form = form_columns(checked)
        changed = [FIELD_LABELS[c] for c in FORM_COLUMNS if str(form[c]) != str(app[c])]
        return form, changed

    async def resubmit(self, app: Mapping[str, Any], raw: Mapping[str, Any], actor: str
                       ) -> dict[str, str] | None:
        """Save the officer's correction and send the application to OSS again (a new
        attempt under the same reference). Returns errors per field, or None."""
        checked = self.validate_correction(app, raw)
        if isinstance(checked, dict):
            return checked
        form, changed = checked
        reason = ("Data diperbaiki petugas dan dikirim ulang ke OSS"
                  + (f" (diubah: {', '.join(changed)})" if changed else " (tanpa perubahan)"))
        try:
            await self._db.write(outbox_store.resubmit, app["id"], form, actor, reason,
                                 iso(utc_now()))
        except TransitionError:
            return {"_": MSG_NOT_NEEDS_FIX}
        self._wake()
        return None

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

    async def claim(self, task_id: int, user_id: int) -> bool:
        now = utc_now()
        until = now + timedelta(seconds=self.settings.oss_claim_s)
        return await self._db.write(oss_store.claim_task, task_id, user_id, iso(now),
                                    iso(until))

    async def release(self, task_id: int, user_id: int) -> bool:
        return await self._db.write(oss_store.release_task, task_id, user_id)

    async def check_nib(self, nib: str) -> NibCheck | None:
        """checkNIB when credentials are configured; None when they are not."""
        if self._checker is None:
            return None
        return await self._checker.check_nib(nib)

    async def finish(self, task_id: int, user_id: int, actor: str, raw_nib: str
                     ) -> str | None:
        """Key the NIB OSS issued. Returns a message for the operator, or None when done."""
        held = await self._held(task_id, user_id)
        if held:
            return held
        nib = parse_nib(raw_nib)
        if nib is None:
            return MSG_NIB_FORMAT
        reason = "NIB dimasukkan operator OSS"
        check = await self.check_nib(nib)
        if check is not None:
            if check.state == "unknown":
                return MSG_NIB_UNKNOWN
            reason += (" (diverifikasi dengan checkNIB)" if check.state == "valid"
                       else " (belum diverifikasi: OSS tidak menjawab checkNIB)")
        result = await self._db.write(oss_store.finish_task, task_id, user_id, nib, actor,
                                      reason, iso(utc_now()))
        return {"ok": None, "closed": MSG_TASK_CLOSED, "not_claimed": MSG_TASK_NOT_YOURS,
                "nib_taken": MSG_NIB_TAKEN}[result]

    async def _held(self, task_id: int, user_id: int) -> str | None:
        """Why ``user_id`` may not finish the task now, or None (checked again on write)."""
        task = await self._db.read(oss_store.task, task_id)
        if task is None or task["state"] != "open":
            return MSG_TASK_CLOSED
        if task["claimed_by"] != user_id or (task["claim_until"] or "") <= iso(utc_now()):
            return MSG_TASK_NOT_YOURS
        return None

    async def reject(self, task_id: int, user_id: int, actor: str, raw_reason: str
                     ) -> str | None:
        text = " ".join(raw_reason.split())[:500]
        if len(text) < 5:
            return MSG_REASON_SHORT
        result = await self._db.write(oss_store.reject_task, task_id, user_id,
                                      f"OSS menolak data (portal OSS): {text}", actor,
                                      iso(utc_now()))
        return {"ok": None, "closed": MSG_TASK_CLOSED, "not_claimed": MSG_TASK_NOT_YOURS}[result]

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
            "forwarder_here": self.forwarder is not None,
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

    async def resolve_push(self, push_id: int, tracking_code: str, actor: str) -> str | None:
        result = await self._db.write(oss_store.resolve_push, push_id, tracking_code, actor,
                                      iso(utc_now()))
        return {
            "ok": None,
            "no_push": "Data kiriman OSS ini sudah diproses atau tidak ada.",
            "no_application": "Kode pelacakan tidak ditemukan. Periksa lalu coba lagi.",
            "not_waiting": "Permohonan ini tidak sedang menunggu NIB, jadi tidak dapat "
                           "dicocokkan.",
        }[result]
