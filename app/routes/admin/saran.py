"""The admin's inbox of complaints and suggestions (/admin/saran): assign, reply, close,
the SP4N-LAPOR! number, the 5-working-day clock and the WhatsApp hand-off of a reply."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from app.domain.complaints import CATEGORY_LABELS, STATUSES, read_lapor_number, read_reply
from app.domain.errors import FieldError
from app.domain.tracking import format_tracking_code
from app.notify import whatsapp
from app.routes.deps import ComplaintServiceDep, UserDep
from app.routes.pages import render, see_other
from app.security import actor_of, require_admin
from app.services import audit
from app.services.complaints import ComplaintService


def reply_message(code: str, reply: str) -> str:
    return (f"Jawaban DPMPTSP Kabupaten Blitar atas saran {format_tracking_code(code)}: "
            f"{reply}")


class AdminSaranController(Controller):
    path = "/admin/saran"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    @get("/", name="admin_saran")
    async def inbox(self, request: Request[Any, Any, Any], complaints: ComplaintServiceDep) -> Any:
        found = await complaints.inbox()
        rows = list(zip(found, await complaints.clocks(found), strict=True))
        return render(request, "admin/saran.html", rows=rows, statuses=STATUSES,
                      categories=CATEGORY_LABELS)

    async def _detail(self, request: Request[Any, Any, Any], complaints: ComplaintService,
                      code: str, errors: dict[str, str] | None = None,
                      values: dict[str, str] | None = None, status_code: int = 200) -> Any:
        row = await complaints.by_code(code)
        if row is None:
            raise NotFoundException("Saran tidak ditemukan.")
        wa = (whatsapp.wa_link(row["phone"], reply_message(row["code"], row["reply"]))
              if row["phone"] and row["reply"] else None)
        clock, = await complaints.clocks([row])
        return render(request, "admin/saran_detail.html", status_code, c=row, clock=clock,
                      staff=await complaints.staff(), wa_link=wa,
                      statuses=STATUSES, categories=CATEGORY_LABELS, errors=errors or {},
                      values=values or {})

    @get("/{code:str}", name="admin_saran_detail")
    async def detail(self, request: Request[Any, Any, Any], code: FromPath[str],
                     complaints: ComplaintServiceDep) -> Any:
        return await self._detail(request, complaints, code[:10])

    @post("/{code:str}/tugaskan")
    async def assign(self, request: Request[Any, Any, Any], code: FromPath[str],
                     complaints: ComplaintServiceDep) -> Any:
        form = await request.form()
        raw = str(form.get("user_id", ""))[:12]
        staff = {int(r["id"]) for r in await complaints.staff()}
        user_id = int(raw) if raw.isdigit() and int(raw) in staff else None
        if await complaints.assign(code[:10], user_id):
            await audit.log(complaints.db, actor_of(request), audit.COMPLAINT_ASSIGN,
                            "complaint", code[:10], f"user {user_id}" if user_id else "none")
        return see_other(request, f"/admin/saran/{code[:10]}")

    @post("/{code:str}/jawab")
    async def reply(self, request: Request[Any, Any, Any], code: FromPath[str],
                    complaints: ComplaintServiceDep, user: UserDep) -> Any:
        form = await request.form()
        raw = str(form.get("reply", ""))[:4000]
        try:
            text = read_reply(raw)
        except FieldError as exc:
            return await self._detail(request, complaints, code[:10], {"reply": exc.message},
                                      {"reply": raw}, 422)
        if await complaints.reply(code[:10], text, user.username):
            await audit.log(complaints.db, actor_of(request), audit.COMPLAINT_REPLY,
                            "complaint", code[:10])
        return see_other(request, f"/admin/saran/{code[:10]}")

    @post("/{code:str}/tutup")
    async def close(self, request: Request[Any, Any, Any], code: FromPath[str],
                    complaints: ComplaintServiceDep) -> Any:
        if await complaints.close(code[:10]):
            await audit.log(complaints.db, actor_of(request), audit.COMPLAINT_CLOSE,
                            "complaint", code[:10])
        return see_other(request, f"/admin/saran/{code[:10]}")

    @post("/{code:str}/lapor")
    async def lapor(self, request: Request[Any, Any, Any], code: FromPath[str],
                    complaints: ComplaintServiceDep) -> Any:
        form = await request.form()
        raw = str(form.get("lapor_number", ""))[:100]
        try:
            number = read_lapor_number(raw)
        except FieldError as exc:
            return await self._detail(request, complaints, code[:10],
                                      {"lapor_number": exc.message}, {"lapor_number": raw}, 422)
        if await complaints.set_lapor(code[:10], number):
            await audit.log(complaints.db, actor_of(request), audit.COMPLAINT_LAPOR,
                            "complaint", code[:10])
        return see_other(request, f"/admin/saran/{code[:10]}")
