"""The officer's applications: today's list, the capture form (/petugas/daftar), an
application (/petugas/permohonan/{code}), its receipt, the WhatsApp hand-off mark, its
referrals to partner agencies (and the UMK letter for a trademark filing) and the
correction of an application OSS sent back."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from app.clock import wib_today
from app.db import applications as store
from app.db.access import application_with_scope
from app.db.connection import Database
from app.db.users import User
from app.domain.access import (
    OFFICER,
    OSS_OPERATOR,
    ApplicationScope,
    can_change_application,
    can_see_application,
)
from app.domain.application import form_values, read_form
from app.domain.errors import FieldError
from app.domain.referrals import TRADEMARK_SERVICE
from app.domain.status import Status
from app.domain.tracking import normalize_tracking_code
from app.http_errors import user_error
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.routes.application_fields import field_choices
from app.routes.deps import (
    ActorDep,
    DatabaseDep,
    IntakeServiceDep,
    KbliCatalogDep,
    NotifyServiceDep,
    OssPagesDep,
    ReferralServiceDep,
    RegionsDep,
    RoundsServiceDep,
    SettingsDep,
    UserDep,
)
from app.routes.origin import public_base_url
from app.routes.pages import is_htmx, render, see_other
from app.routes.pwa import SHELL_CACHE
from app.security import Actor, require_login, require_officer, require_roles
from app.services import audit
from app.services.intake import MSG_CONFLICT
from app.services.referrals import citizen_view, letter_context

# The roles that may open an application at all; which one, and whether they may change
# it, is app/domain/access.py's answer (an operator who sees it is refused a change: 403).
READERS = require_roles(OFFICER, OSS_OPERATOR)
MSG_READ_ONLY = ("Anda hanya dapat melihat permohonan ini. Petugas yang mendaftarkannya atau "
                 "admin yang dapat mengubahnya.")


async def visible_application(db: Database, user: User, code: str
                              ) -> tuple[Any, ApplicationScope]:
    """The application with this tracking code and its scope, if ``user`` may see it.
    Unknown, malformed and someone else's all answer 404: a code's existence is not revealed
    (app/domain/access.py)."""
    try:
        code = normalize_tracking_code(code)
    except FieldError as exc:
        raise NotFoundException() from exc
    found = await db.read(application_with_scope, code)
    if found is None or not can_see_application(user, found[1]):
        raise NotFoundException()
    return found


async def application_for(db: Database, user: User, code: str, *, change: bool = False) -> Any:
    """The application if ``user`` may see it and, with ``change``, act on it (else 403)."""
    row, scope = await visible_application(db, user, code)
    if change and not can_change_application(user, scope):
        raise user_error(403, "read_only", MSG_READ_ONLY)
    return row


async def audit_nik_view(db: Database, actor: Actor, application_id: int, page: str) -> None:
    """A page showing an application's full NIK was served: who, when, which application,
    from which route and client (the actor). Never the NIK itself."""
    await audit.log(db, actor, audit.NIK_VIEW, "application", str(application_id), page)


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
    """Officers (their own applications), OSS operators (reading the applications of their
    tasks) and admins. Each handler names its roles; the scope of one application is
    checked by ``application_for``."""

    path = "/petugas"
    guards = [require_login]  # noqa: RUF012
    include_in_schema = False

    @get("/", name="petugas", guards=[require_officer])
    async def home(self, request: Request[Any, Any, Any], db: DatabaseDep, user: UserDep,
                   rounds: RoundsServiceDep, sesi: FromQuery[int | None] = None) -> Any:
        """Today's applications, or (``?sesi=ID``) those taken at one round."""
        chosen = await rounds.get(sesi) if sesi is not None else None
        if chosen is not None:
            rows = await db.read(store.for_officer_in_round, user.id, chosen.id)
        else:
            rows = await db.read(store.for_officer_on_day, user.id, wib_today().isoformat())
        return render(request, "petugas/home.html", applications=rows, today=wib_today(),
                      my_rounds=await rounds.upcoming_for(user.id), chosen_round=chosen)

    # -- the capture form ----------------------------------------------------------------
    @get("/daftar", name="daftar", guards=[require_officer])
    async def daftar_page(self, request: Request[Any, Any, Any], db: DatabaseDep,
                          regions: RegionsDep, kbli: KbliCatalogDep, rounds: RoundsServiceDep,
                          settings: SettingsDep, user: UserDep) -> Any:
        today = wib_today().isoformat()
        mine = [r for r in await rounds.upcoming_for(user.id) if r.row["day"] <= today]
        values: dict[str, str] = {}
        if mine:  # the round of today: its place is where the car is, and it is recorded
            here = mine[0].row
            values = {"round_id": str(here["id"]), "kecamatan": here["kecamatan"],
                      "desa": here["desa"] or ""}
        page = await self._form(request, db, regions, kbli, values, {}, 200,
                                round_view=mine[0] if mine else None,
                                status_base=public_base_url(request, settings))
        # The empty form is part of the offline app shell: no personal data in it.
        page.headers["Cache-Control"] = SHELL_CACHE
        return page

    @post("/daftar", guards=[require_officer])
    async def daftar(self, request: Request[Any, Any, Any], intake: IntakeServiceDep,
                     db: DatabaseDep, regions: RegionsDep, kbli: KbliCatalogDep,
                     settings: SettingsDep, user: UserDep) -> Any:
        form = await request.form()
        values = read_form(form)
        client_id = str(form.get("client_id", ""))
        result = await intake.submit(user.id, user.username, client_id, values)
        if result.accepted:
            return see_other(request, f"/petugas/permohonan/{result.tracking_code}/tanda-terima")
        if result.status_code == 422:
            return await self._form(request, db, regions, kbli, values, result.errors, 422,
                                    client_id=client_id,
                                    status_base=public_base_url(request, settings))
        notice = MSG_CONFLICT if result.status_code == 409 else result.message
        # A conflict or a broken key: keep what was typed, give the form a fresh key.
        return await self._form(request, db, regions, kbli, values, {},
                                422 if result.status_code < 500 else 503, notice=notice,
                                status_base=public_base_url(request, settings))

    async def _form(
        self, request: Request[Any, Any, Any], db: Database, regions: Regions,
        kbli: KbliCatalog, values: dict[str, str], errors: dict[str, str], status_code: int,
        client_id: str | None = None, notice: str | None = None, round_view: Any = None,
        status_base: str = "",
    ) -> Any:
        context = {
            "values": values,
            "errors": errors,
            "notice": notice,
            "client_id": client_id or str(uuid.uuid4()),
            **field_choices(values, regions, kbli),
            "services": await db.read(store.services_by_agency),
            "round_view": round_view,
            "status_base": status_base,  # the phone's receipt QR: {base}/cek?kode=CODE
        }
        template = "petugas/_form.html" if is_htmx(request) else "petugas/daftar.html"
        return render(request, template, status_code, **context)

    # -- one application -------------------------------------------------------------------
    @get("/permohonan/{code:str}", name="permohonan", guards=[READERS])
    async def permohonan(self, request: Request[Any, Any, Any], code: FromPath[str],
                         db: DatabaseDep, oss_pages: OssPagesDep, notify: NotifyServiceDep,
                         kbli: KbliCatalogDep, regions: RegionsDep, settings: SettingsDep,
                         user: UserDep, actor: ActorDep, referrals: ReferralServiceDep) -> Any:
        row, scope = await visible_application(db, user, code)
        history = await db.read(store.history, row["id"])
        oss = await oss_pages.application_view(row)
        # The hand-off is for those who may act on it: an operator only reads the page.
        whatsapp = (await notify.whatsapp_view(row, public_base_url(request, settings))
                    if can_change_application(user, scope) else None)
        referral_rows = await referrals.for_application(row["id"])
        have = {r["service_code"] for r in referral_rows}
        # the services it can still be referred to, for those who may change it
        more = ([(agency, [s for s in rows if s["code"] not in have])
                 for agency, rows in await db.read(store.services_by_agency)]
                if can_change_application(user, scope) else [])
        await audit_nik_view(db, actor, row["id"], "halaman permohonan")
        return render(request, "petugas/permohonan.html", app=row, history=history, oss=oss,
                      whatsapp=whatsapp, referred=citizen_view(referral_rows, full=True),
                      more_services=[(a, rows) for a, rows in more if rows],
                      letter=TRADEMARK_SERVICE in have, **described(row, kbli, regions))

    @post("/permohonan/{code:str}/layanan-mitra", name="layanan_mitra", guards=[READERS])
    async def layanan_mitra(self, request: Request[Any, Any, Any], code: FromPath[str],
                            db: DatabaseDep, referrals: ReferralServiceDep, user: UserDep) -> Any:
        """Refer the application to more partner services; those it has stay unchanged."""
        row = await application_for(db, user, code, change=True)
        form = await request.form()
        known = set(await db.read(store.service_codes))
        ticked = [c for c in dict.fromkeys(str(v)[:40] for v in form.getall("referrals", []))
                  if c in known][:50]
        await referrals.add(row["id"], ticked, user.username)
        return see_other(request, f"/petugas/permohonan/{row['tracking_code']}#rujukan")

    @get("/permohonan/{code:str}/surat-merek", name="surat_merek", guards=[READERS])
    async def surat_merek(self, request: Request[Any, Any, Any], code: FromPath[str],
                          db: DatabaseDep, referrals: ReferralServiceDep, kbli: KbliCatalogDep,
                          regions: RegionsDep, user: UserDep) -> Any:
        """The UMK recommendation letter for the application's trademark referral."""
        row = await application_for(db, user, code)
        codes = {r["service_code"] for r in await referrals.for_application(row["id"])}
        if TRADEMARK_SERVICE not in codes:
            raise NotFoundException()
        return render(request, "petugas/surat_merek.html",
                      back=f"/petugas/permohonan/{row['tracking_code']}#rujukan",
                      **letter_context(row, kbli, regions, wib_today()))

    @post("/permohonan/{code:str}/whatsapp-terkirim", name="whatsapp_terkirim",
          guards=[READERS])
    async def whatsapp_terkirim(self, request: Request[Any, Any, Any], code: FromPath[str],
                                db: DatabaseDep, notify: NotifyServiceDep, user: UserDep) -> Any:
        """"Tandai terkirim lewat WhatsApp": issued -> notified, in the history."""
        row = await application_for(db, user, code, change=True)
        # Already marked (a double tap) or not issued: nothing to record, the page shows why.
        with contextlib.suppress(store.TransitionError):
            await notify.mark_whatsapp_sent(row["id"], user.username)
        return see_other(request, f"/petugas/permohonan/{row['tracking_code']}")

    @get("/permohonan/{code:str}/tanda-terima", name="tanda_terima", guards=[READERS])
    async def tanda_terima(self, request: Request[Any, Any, Any], code: FromPath[str],
                           db: DatabaseDep, settings: SettingsDep, kbli: KbliCatalogDep,
                           regions: RegionsDep, user: UserDep) -> Any:
        row = await application_for(db, user, code)  # the receipt masks the NIK
        status_url = f"{public_base_url(request, settings)}/cek?kode={row['tracking_code']}"
        qr = segno.make(status_url, error="m")
        return render(request, "petugas/tanda_terima.html", app=row, status_url=status_url,
                      qr_svg=qr.svg_inline(scale=5, dark="#000", light="#fff", border=2),
                      **described(row, kbli, regions))

    # -- correct an application OSS sent back, and send it again ----------------------------
    def _perbaiki_page(self, request: Request[Any, Any, Any], regions: Regions,
                       kbli: KbliCatalog, app: Any, values: dict[str, str],
                       errors: dict[str, str], status_code: int) -> Any:
        # the capture form's fields without the partner services (a correction keeps them)
        return render(request, "petugas/perbaiki.html", status_code, app=app, values=values,
                      errors=errors, services=[], **field_choices(values, regions, kbli))

    @get("/permohonan/{code:str}/perbaiki", name="perbaiki", guards=[READERS])
    async def perbaiki_page(self, request: Request[Any, Any, Any], code: FromPath[str],
                            db: DatabaseDep, regions: RegionsDep, kbli: KbliCatalogDep,
                            user: UserDep, actor: ActorDep) -> Any:
        app = await application_for(db, user, code, change=True)
        if app["status"] != Status.NEEDS_FIX:  # nothing to fix: back to the application
            return see_other(request, f"/petugas/permohonan/{app['tracking_code']}")
        await audit_nik_view(db, actor, app["id"], "perbaikan permohonan")
        return self._perbaiki_page(request, regions, kbli, app, form_values(app), {}, 200)

    @post("/permohonan/{code:str}/perbaiki", guards=[READERS])
    async def perbaiki(self, request: Request[Any, Any, Any], code: FromPath[str], db: DatabaseDep,
                       intake: IntakeServiceDep, regions: RegionsDep, kbli: KbliCatalogDep,
                       user: UserDep) -> Any:
        app = await application_for(db, user, code, change=True)
        values = read_form(await request.form())
        errors = await intake.resubmit(app, values, user.username)
        if errors:
            return self._perbaiki_page(request, regions, kbli, app, values, errors, 422)
        return see_other(request, f"/petugas/permohonan/{app['tracking_code']}")
