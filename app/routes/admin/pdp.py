"""The data protection officer's desk (/admin/pdp): data-subject requests, their 3 x 24-hour
clock, the access bundle download and erasure. The NIK travels only in POST bodies and the
download; pages show it masked."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from app.clock import WIB, utc_now, wib_today
from app.db.connection import Database
from app.domain.access import DPO
from app.domain.subject_requests import CHANNELS, KINDS, STATUSES, validate_new, validate_status
from app.routes.deps import ActorDep, DatabaseDep
from app.routes.pages import render, see_other
from app.security import require_roles
from app.services.privacy import PrivacyDesk, overdue

# Shown after a change (the key is in the redirect, never the text).
DONE = {
    "dicatat": "Permintaan sudah dicatat. Tenggat jawaban 3 × 24 jam sejak diterima.",
    "status": "Status permintaan sudah diubah.",
    "dihapus": "Data permohonan NIK ini sudah dianonimkan.",
    "kosong": "Tidak ada permohonan dengan NIK ini yang perlu dianonimkan.",
}
FORM_LIMIT = 1100
MSG_REDACTED = ("Permintaan ini sudah lama ditutup: NIK dan nama pemohon kini hanya disimpan "
                "tersamar sebagai riwayat, jadi permintaan ini tidak bisa diproses lagi. Bila "
                "subjek data mengajukan lagi, catat permintaan baru.")


def _form(form: Any, *names: str) -> dict[str, str]:
    return {name: str(form.get(name, ""))[:FORM_LIMIT] for name in names}


class PdpController(Controller):
    path = "/admin/pdp"
    guards = [require_roles(DPO)]  # noqa: RUF012
    include_in_schema = False

    async def _list(self, request: Request[Any, Any, Any], db: Database, status_code: int = 200,
                    values: dict[str, str] | None = None, errors: dict[str, str] | None = None
                    ) -> Any:
        rows = await PrivacyDesk(db).requests()
        now = utc_now()
        default = {"received_at": now.astimezone(WIB).strftime("%Y-%m-%dT%H:%M"),
                   "kind": "akses", "channel": "loket"}
        # The NIK typed is never sent back in the page: the DPO types it again.
        shown = {**default, **{k: v for k, v in (values or {}).items() if k != "nik"}}
        return render(request, "admin/pdp.html", status_code, rows=rows,
                      overdue={r["id"]: overdue(r, now) for r in rows}, kinds=KINDS,
                      statuses=STATUSES, channels=CHANNELS, values=shown, errors=errors or {})

    async def _detail(self, request: Request[Any, Any, Any], db: Database, request_id: int,
                      status_code: int = 200, **context: Any) -> Any:
        desk = PrivacyDesk(db)
        row = await desk.request(request_id)
        if row is None:
            return render(request, "error.html", 404, message="Permintaan tidak ditemukan.",
                          code=404)
        context.setdefault("errors", {})
        # A request reduced to its history (docs/privacy.md) has no NIK to look up.
        held = [] if row["redacted_at"] else await desk.holdings(row["nik"])
        return render(request, "admin/pdp_request.html", status_code, r=row,
                      is_overdue=overdue(row, utc_now()), held=held, kinds=KINDS,
                      statuses=STATUSES, channels=CHANNELS, redacted_note=MSG_REDACTED,
                      **context)

    async def _redacted(self, request: Request[Any, Any, Any], db: Database, request_id: int
                        ) -> Any | None:
        """The answer to an action on a request reduced to its history, else None."""
        row = await PrivacyDesk(db).request(request_id)
        if row is None or not row["redacted_at"]:
            return None
        return await self._detail(request, db, request_id, 409,
                                  errors={"redacted": MSG_REDACTED})

    @get("", name="admin_pdp")
    async def index(self, request: Request[Any, Any, Any], db: DatabaseDep) -> Any:
        return await self._list(request, db)

    @post("")
    async def create(self, request: Request[Any, Any, Any], db: DatabaseDep,
                     actor: ActorDep) -> Any:
        values = _form(await request.form(), "kind", "nik", "requester_name", "channel",
                       "received_at", "note")
        result = validate_new(values, utc_now(), wib_today())
        if isinstance(result, dict):
            return await self._list(request, db, 422, values, result)
        request_id = await PrivacyDesk(db).record(actor, result, utc_now())
        return see_other(request, f"/admin/pdp/{request_id}?selesai=dicatat")

    @get("/{request_id:int}", name="admin_pdp_request")
    async def detail(self, request: Request[Any, Any, Any], db: DatabaseDep,
                     request_id: FromPath[int], selesai: FromQuery[str | None] = None) -> Any:
        return await self._detail(request, db, request_id, done=DONE.get(selesai or ""))

    @post("/{request_id:int}/status")
    async def set_status(self, request: Request[Any, Any, Any], db: DatabaseDep, actor: ActorDep,
                         request_id: FromPath[int]) -> Any:
        values = _form(await request.form(), "status", "reason")
        if (refused := await self._redacted(request, db, request_id)) is not None:
            return refused
        problem = validate_status(values["status"], values["reason"])
        if problem:
            return await self._detail(request, db, request_id, 422, errors={"status": problem})
        reason = values["reason"].strip() if values["status"] == "ditolak" else None
        if not await PrivacyDesk(db).set_status(actor, request_id, values["status"], reason,
                                                utc_now()):
            return await self._detail(request, db, request_id)  # the 404 page
        return see_other(request, f"/admin/pdp/{request_id}?selesai=status")

    @post("/{request_id:int}/akses")
    async def access(self, request: Request[Any, Any, Any], db: DatabaseDep, actor: ActorDep,
                     request_id: FromPath[int]) -> Any:
        if (refused := await self._redacted(request, db, request_id)) is not None:
            return refused
        content = await PrivacyDesk(db).access_bundle(actor, request_id, utc_now())
        if content is None:
            return await self._detail(request, db, request_id)
        return Response(
            content=content, media_type="application/json", status_code=200,
            headers={"Content-Disposition":
                     f'attachment; filename="paket-akses-permintaan-{request_id}.json"',
                     "Cache-Control": "no-store"})

    @post("/{request_id:int}/hapus")
    async def erase(self, request: Request[Any, Any, Any], db: DatabaseDep, actor: ActorDep,
                    request_id: FromPath[int]) -> Any:
        if (refused := await self._redacted(request, db, request_id)) is not None:
            return refused
        row = await PrivacyDesk(db).request(request_id)
        if row is None or row["kind"] != "penghapusan":
            return await self._detail(request, db, request_id, 409, errors={
                "erase": "Penghapusan hanya untuk permintaan berjenis penghapusan."})
        result = await PrivacyDesk(db).erase(actor, request_id, utc_now())
        if result is None:
            return await self._detail(request, db, request_id)
        if result.refused:
            return await self._detail(request, db, request_id, 409,
                                      errors={"erase": result.refused})
        done = "dihapus" if result.codes else "kosong"
        return see_other(request, f"/admin/pdp/{request_id}?selesai={done}")
