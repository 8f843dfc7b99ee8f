"""The admin's WhatsApp message template (/admin/pesan-whatsapp)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery

from app.notify import whatsapp
from app.notify.service import NotifyService
from app.routes.deps import NotifyServiceDep, UserDep
from app.routes.pages import render, see_other
from app.security import require_admin


class PesanWhatsappController(Controller):
    path = "/admin/pesan-whatsapp"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], notify: NotifyService, text: str,
                    error: str | None, status_code: int = 200, saved: bool = False) -> Any:
        preview = whatsapp.fill(text, "1234567890123", "Warung Contoh",
                                notify.status_link("ABCDEFG"),
                                notify.survey_link(1)) if not error else None
        return render(request, "admin/pesan_whatsapp.html", status_code, text=text,
                      error=error, preview=preview, saved=saved,
                      placeholders=whatsapp.PLACEHOLDERS)

    @get("/", name="pesan_whatsapp")
    async def edit(self, request: Request[Any, Any, Any], notify: NotifyServiceDep,
                   tersimpan: FromQuery[str] = "") -> Any:
        text = await notify.whatsapp_template()
        return await self._page(request, notify, text, None, saved=tersimpan == "1")

    @post("/")
    async def save(self, request: Request[Any, Any, Any], notify: NotifyServiceDep,
                   user: UserDep) -> Any:
        form = await request.form()
        text = str(form.get("template", ""))[: whatsapp.MAX_LENGTH * 2]
        error = whatsapp.validate_template(text)
        if error:
            return await self._page(request, notify, text, error, 422)
        await notify.set_whatsapp_template(text, user.username)
        return see_other(request, "/admin/pesan-whatsapp?tersimpan=1")
