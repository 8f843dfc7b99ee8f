"""The officer's applications: today's list, the capture form (/petugas/daftar), an
application (/petugas/permohonan/{code}), its receipt, the WhatsApp hand-off mark and the
correction of an application OSS sent back."""

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
from app.db.connection import Database
from app.db.users import User
from app.domain.application import form_values, read_form
from app.domain.errors import FieldError
from app.domain.tracking import normalize_tracking_code
from app.notify.service import NotifyService
from app.oss.pages import OssPages
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.routes.origin import public_base_url
from app.routes.pages import is_htmx, render, see_other
from app.routes.pwa import SHELL_CACHE
from app.security import require_officer
from app.services.intake import MSG_CONFLICT, IntakeService
from app.services.rounds import RoundsService
from app.settings import Settings


async def application_by_code(db: Database, code: str) -> Any:
    """The application with this tracking code, or 404 (a malformed code too)."""
    try:
        code = normalize_tracking_code(code)
    except FieldError as exc:
        raise NotFoundException() from exc
    row = await db.read(store.by_tracking_code, code)
    if row is None:
        raise NotFoundException()
    return row


def described(row: Any, kbli: KbliCatalog, regions: Regions) -> dict[str, Any]:
    """Names for the codes of an application: KBLI titles, kecamatan and desa."""
    codes = json.loads(row["kbli_json"])
    desa = regions.desa(row["desa"])
    return {
        "kbli": [(c, e.title if (e := kbli.get(c)) else "") for c in codes],
        "kecamatan_name": regions.kecamatan_name(row["kecamatan"]) or "",
        "desa_name": desa.name if desa else "",
    }


class PermohonanController(Controller):
    path = "/petugas"
    guards = [require_officer]  # noqa: RUF012
    include_in_schema = False

    @get("/", name="petugas")
    async def home(self, request: Request[Any, Any, Any], db: Database, user: User,
                   rounds: RoundsService) -> Any:
        rows = await db.read(store.for_officer_on_day, user.id, wib_today().isoformat())
        return render(request, "petugas/home.html", applications=rows, today=wib_today(),
                      my_rounds=await rounds.upcoming_for(user.id))

    # -- the capture form ----------------------------------------------------------------
    @get("/daftar", name="daftar")
    async def daftar_page(self, request: Request[Any, Any, Any], db: Database, regions: Regions,
                          kbli: KbliCatalog, rounds: RoundsService, user: User) -> Any:
        today = wib_today().isoformat()
        mine = [r for r in await rounds.upcoming_for(user.id) if r.row["day"] <= today]
        values: dict[str, str] = {}
        if mine:  # the round of today: its place is where the car is, and it is recorded
            here = mine[0].row
            values = {"round_id": str(here["id"]), "kecamatan": here["kecamatan"],
                      "desa": here["desa"] or ""}
        page = await self._form(request, db, regions, kbli, values, {}, 200,
                                round_view=mine[0] if mine else None)
        # The empty form is part of the offline app shell: no personal data in it.
        page.headers["Cache-Control"] = SHELL_CACHE
        return page

    @post("/daftar")
    async def daftar(self, request: Request[Any, Any, Any], intake: IntakeService, db: Database,
                     regions: Regions, kbli: KbliCatalog, user: User) -> Any:
        form = await request.form()
        values = read_form(form)
        client_id = str(form.get("client_id", ""))
        result = await intake.submit(user.id, user.username, client_id, values)
        if result.accepted:
            return see_other(request, f"/petugas/permohonan/{result.tracking_code}/tanda-terima")
        if result.status_code == 422:
            return await self._form(request, db, regions, kbli, values, result.errors, 422,
                                    client_id=client_id)
        notice = MSG_CONFLICT if result.status_code == 409 else result.message
        # A conflict or a broken key: keep what was typed, give the form a fresh key.
        return await self._form(request, db, regions, kbli, values, {},
                                422 if result.status_code < 500 else 503, notice=notice)

    async def _form(
        self, request: Request[Any, Any, Any], db: Database, regions: Regions,
        kbli: KbliCatalog, values: dict[str, str], errors: dict[str, str], status_code: int,
        client_id: str | None = None, notice: str | None = None, round_view: Any = None,
    ) -> Any:
        kecamatan = values.get("kecamatan") or ""
        chosen = [c for c in values.get("kbli", "").replace(",", " ").split() if c]
        context = {
            "values": values,
            "errors": errors,
            "notice": notice,
            "client_id": client_id or str(uuid.uuid4()),
            "kecamatan_list": regions.kecamatan(),
            "desa_list": regions.desa_of(kecamatan) if kecamatan else [],
            "regions": regions,
            "chosen_kbli": [e for c in chosen if (e := kbli.get(c))],
            "services": await db.read(store.services_by_agency),
            "round_view": round_view,
        }
        template = "petugas/_form.html" if is_htmx(request) else "petugas/daftar.html"
        return render(request, template, status_code, **context)

    # -- one application -------------------------------------------------------------------
    @get("/permohonan/{code:str}", name="permohonan")
    async def permohonan(self, request: Request[Any, Any, Any], code: str, db: Database,
                         oss_pages: OssPages, notify: NotifyService, kbli: KbliCatalog,
                         regions: Regions, settings: Settings) -> Any:
        row = await application_by_code(db, code)
        history = await db.read(store.history, row["id"])
        oss = await oss_pages.application_view(row)
        whatsapp = await notify.whatsapp_view(row, public_base_url(request, settings))
        return render(request, "petugas/permohonan.html", app=row, history=history, oss=oss,
                      whatsapp=whatsapp, **described(row, kbli, regions))

    @post("/permohonan/{code:str}/whatsapp-terkirim", name="whatsapp_terkirim")
    async def whatsapp_terkirim(self, request: Request[Any, Any, Any], code: str,
                                db: Database, notify: NotifyService, user: User) -> Any:
        """"Tandai terkirim lewat WhatsApp": issued -> notified, in the history."""
        row = await application_by_code(db, code)
        # Already marked (a double tap) or not issued: nothing to record, the page shows why.
        with contextlib.suppress(store.TransitionError):
            await notify.mark_whatsapp_sent(row["id"], user.username)
        return see_other(request, f"/petugas/permohonan/{row['tracking_code']}")

    @get("/permohonan/{code:str}/tanda-terima", name="tanda_terima")
    async def tanda_terima(self, request: Request[Any, Any, Any], code: str, db: Database,
                           settings: Settings, kbli: KbliCatalog, regions: Regions) -> Any:
        row = await application_by_code(db, code)
        status_url = f"{public_base_url(request, settings)}/cek?kode={row['tracking_code']}"
        qr = segno.make(status_url, error="m")
        return render(request, "petugas/tanda_terima.html", app=row, status_url=status_url,
                      qr_svg=qr.svg_inline(scale=5, dark="#000", light="#fff", border=2),
                      **described(row, kbli, regions))

    # -- correct an application OSS sent back, and send it again ----------------------------
    def _perbaiki_page(self, request: Request[Any, Any, Any], regions: Regions, app: Any,
                       values: dict[str, str], errors: dict[str, str], status_code: int) -> Any:
        groups = [(kec.name, regions.desa_of(kec.code)) for kec in regions.kecamatan()]
        return render(request, "petugas/perbaiki.html", status_code, app=app, values=values,
                      errors=errors, desa_groups=groups)

    @get("/permohonan/{code:str}/perbaiki", name="perbaiki")
    async def perbaiki_page(self, request: Request[Any, Any, Any], code: str, db: Database,
                            regions: Regions) -> Any:
        app = await application_by_code(db, code)
        if app["status"] != "needs_fix":  # nothing to fix: back to the application
            return see_other(request, f"/petugas/permohonan/{app['tracking_code']}")
        return self._perbaiki_page(request, regions, app, form_values(app), {}, 200)

    @post("/permohonan/{code:str}/perbaiki")
    async def perbaiki(self, request: Request[Any, Any, Any], code: str, db: Database,
                       intake: IntakeService, regions: Regions, user: User) -> Any:
        app = await application_by_code(db, code)
        values = read_form(await request.form())
        errors = await intake.resubmit(app, values, user.username)
        if errors:
            return self._perbaiki_page(request, regions, app, values, errors, 422)
        return see_other(request, f"/petugas/permohonan/{app['tracking_code']}")
