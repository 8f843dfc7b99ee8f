"""The officer's pages: today's list, the capture form, an application and its receipt."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException

from app.clock import wib_today
from app.db import applications as store
from app.domain.errors import FieldError
from app.domain.tracking import normalize_tracking_code
from app.routes.pages import is_htmx, render, see_other
from app.routes.pwa import SHELL_CACHE
from app.security import current_user, require_officer, services_of
from app.services.intake import MSG_CONFLICT

FORM_TEXT_FIELDS = (
    "nik", "name", "phone", "email", "npwp", "business_name", "kecamatan", "desa", "rt", "rw",
    "street", "kbli", "capital", "workers_male", "workers_female",
)


def _form_values(form: Any) -> dict[str, str]:
    values = {name: str(form.get(name, ""))[:500] for name in FORM_TEXT_FIELDS}
    values["no_email"] = "on" if form.get("no_email") else ""
    return values


class OfficerController(Controller):
    path = "/petugas"
    guards = [require_officer]  # noqa: RUF012
    include_in_schema = False

    @get("/", name="officer_home")
    async def home(self, request: Request[Any, Any, Any]) -> Any:
        services = services_of(request)
        user = current_user(request)
        assert user is not None
        rows = await services.db.read(store.for_officer_on_day, user.id, wib_today().isoformat())
        return render(request, "petugas/home.html", applications=rows, today=wib_today())

    @get("/daftar", name="capture")
    async def capture_page(self, request: Request[Any, Any, Any]) -> Any:
        page = self._form(request, {}, {}, 200)
        # The empty form is part of the offline app shell: no personal data in it.
        page.headers["Cache-Control"] = SHELL_CACHE
        return page

    @post("/daftar")
    async def capture(self, request: Request[Any, Any, Any]) -> Any:
        services = services_of(request)
        user = current_user(request)
        assert user is not None
        form = await request.form()
        values = _form_values(form)
        client_id = str(form.get("client_id", ""))
        result = await services.intake.submit(user.id, user.username, client_id, values)
        if result.status_code in (200, 201) and result.tracking_code:
            return see_other(request, f"/petugas/permohonan/{result.tracking_code}/tanda-terima")
        body = json.loads(result.body)
        if result.status_code == 422:
            return self._form(request, values, body.get("errors", {}), 422, client_id=client_id)
        notice = MSG_CONFLICT if result.status_code == 409 else body.get("message")
        # A conflict or a broken key: keep what was typed, give the form a fresh key.
        return self._form(request, values, {}, 422 if result.status_code < 500 else 503,
                          notice=notice)

    def _form(
        self, request: Request[Any, Any, Any], values: dict[str, str], errors: dict[str, str],
        status_code: int, client_id: str | None = None, notice: str | None = None,
    ) -> Any:
        services = services_of(request)
        kecamatan = values.get("kecamatan") or ""
        chosen = [c for c in values.get("kbli", "").replace(",", " ").split() if c]
        context = {
            "values": values,
            "errors": errors,
            "notice": notice,
            "client_id": client_id or str(uuid.uuid4()),
            "kecamatan_list": services.regions.kecamatan(),
            "desa_list": services.regions.desa_of(kecamatan) if kecamatan else [],
            "regions": services.regions,
            "chosen_kbli": [e for c in chosen if (e := services.kbli.get(c))],
        }
        template = "petugas/_form.html" if is_htmx(request) else "petugas/capture.html"
        return render(request, template, status_code, **context)

    async def _application(self, request: Request[Any, Any, Any], code: str) -> Any:
        try:
            code = normalize_tracking_code(code)
        except FieldError as exc:
            raise NotFoundException() from exc
        services = services_of(request)
        row = await services.db.read(store.by_tracking_code, code)
        if row is None:
            raise NotFoundException()
        return row

    @get("/permohonan/{code:str}", name="application_detail")
    async def detail(self, request: Request[Any, Any, Any], code: str) -> Any:
        services = services_of(request)
        row = await self._application(request, code)
        history = await services.db.read(store.history, row["id"])
        oss = await services.oss.application_view(row)
        whatsapp = await services.notify.whatsapp_view(row)
        return render(request, "petugas/detail.html", app=row, history=history, oss=oss,
                      whatsapp=whatsapp, **self._described(request, row))

    @post("/permohonan/{code:str}/whatsapp-terkirim", name="whatsapp_sent")
    async def whatsapp_sent(self, request: Request[Any, Any, Any], code: str) -> Any:
        """"Tandai terkirim lewat WhatsApp": issued -> notified, in the history."""
        services = services_of(request)
        user = current_user(request)
        assert user is not None
        row = await self._application(request, code)
        # Already marked (a double tap) or not issued: nothing to record, the page shows why.
        with contextlib.suppress(store.TransitionError):
            await services.notify.mark_whatsapp_sent(row["id"], user.username)
        return see_other(request, f"/petugas/permohonan/{row['tracking_code']}")

    @get("/permohonan/{code:str}/tanda-terima", name="receipt")
    async def receipt(self, request: Request[Any, Any, Any], code: str) -> Any:
        services = services_of(request)
        row = await self._application(request, code)
        status_url = f"{services.settings.base_url}/cek?kode={row['tracking_code']}"
        qr = segno.make(status_url, error="m")
        return render(request, "petugas/receipt.html", app=row, status_url=status_url,
                      qr_svg=qr.svg_inline(scale=5, dark="#000", light="#fff", border=2),
                      **self._described(request, row))

    def _described(self, request: Request[Any, Any, Any], row: Any) -> dict[str, Any]:
        services = services_of(request)
        codes = json.loads(row["kbli_json"])
        desa = services.regions.desa(row["desa"])
        return {
            "kbli": [(c, e.title if (e := services.kbli.get(c)) else "") for c in codes],
            "kecamatan_name": services.regions.kecamatan_name(row["kecamatan"]) or "",
            "desa_name": desa.name if desa else "",
        }
