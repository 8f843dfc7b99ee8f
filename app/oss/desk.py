"""What the OSS operator does (assisted mode): claim a task, key the NIB OSS issued (checked
with checkNIB when credentials exist) or record OSS's refusal; and what an admin does with a
pushed NIB that matched no application."""

from __future__ import annotations

from datetime import timedelta

from app.clock import iso, utc_now
from app.db import oss as oss_store
from app.db.connection import Database
from app.oss.gateway import NibCheck
from app.oss.pia import parse_nib
from app.oss.service import OssService
from app.settings import Settings

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


class OperatorDesk:
    def __init__(self, settings: Settings, db: Database, link: OssService) -> None:
        self.settings = settings
        self._db = db
        self._link = link

    async def claim(self, task_id: int, user_id: int) -> bool:
        now = utc_now()
        until = now + timedelta(seconds=self.settings.oss_claim_s)
        return await self._db.write(oss_store.claim_task, task_id, user_id, iso(now),
                                    iso(until))

    async def release(self, task_id: int, user_id: int) -> bool:
        return await self._db.write(oss_store.release_task, task_id, user_id)

    async def check_nib(self, nib: str) -> NibCheck | None:
        """checkNIB when credentials are configured; None when they are not."""
        return await self._link.check_nib(nib)

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

    async def resolve_push(self, push_id: int, tracking_code: str, actor: str) -> str | None:
        result = await self._db.write(oss_store.resolve_push, push_id, tracking_code, actor,
                                      iso(utc_now()))
        return {
            "ok": None,
            "no_push": "Data kiriman OSS ini sudah diproses atau tidak ada.",
            "no_application": "Kode pelacakan tidak ditemukan. Periksa lalu coba lagi.",
            "not_waiting": "Permohonan ini tidak sedang menunggu NIB, jadi tidak dapat "
                           "dicocokkan.",
            "nib_taken": "NIB ini sudah tercatat pada permohonan dengan NIK lain, jadi tidak "
                         "dapat dicocokkan ke permohonan ini.",
        }[result]
