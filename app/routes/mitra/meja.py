"""The partner agency's desk (/mitra): its referrals per round and overall, one referral
with what the agency needs, the outcome it records, and for the trademark service the UMK
recommendation letter.

A mitra account belongs to one agency (users.agency_id) and sees only that agency's
referrals: another agency's referral answers 404 like an unknown one. Admins pass the
guard and choose the agency (``?instansi=ID``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from app.clock import wib_today
from app.db import applications as app_store
from app.db.connection import Database
from app.db.users import User
from app.domain.access import ADMIN, MITRA, can_see_referral
from app.domain.referrals import STATUS_LABELS, TRADEMARK_SERVICE, brings_list
from app.http_errors import user_error
from app.reference.kbli import KbliCatalog
from app.routes.deps import (
    ActorDep,
    DatabaseDep,
    KbliCatalogDep,
    ReferralServiceDep,
    RegionsDep,
    UserDep,
)
from app.routes.pages import render, see_other
from app.routes.petugas.permohonan import audit_nik_view
from app.security import Actor, require_roles
from app.services.referrals import (
    OUTCOME_CHOICES,
    ReferralService,
    kbli_titles,
    letter_context,
)

MSG_NO_AGENCY = ("Akun mitra Anda belum terhubung ke instansi, jadi belum ada rujukan yang "
                 "bisa ditampilkan. Hubungi admin kantor.")
NIK_PAGE = "meja mitra"
FORM_LIMITS = {"status": 20, "reference_number": 200, "note": 2000}


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) <= 9 else None


async def _agency_of(user: User, referrals: ReferralService, chosen: str) -> tuple[int, Any]:
    """The agency whose desk this is, and every agency (the admin's picker)."""
    agencies = await referrals.agencies()
    if user.role == ADMIN:
        wanted = _int(chosen)
        found = next((a for a in agencies if a["id"] == wanted), agencies[0])
        return int(found["id"]), agencies
    if user.agency_id is None:
        raise user_error(403, "no_agency", MSG_NO_AGENCY)
    return user.agency_id, agencies


async def _visible(referrals: ReferralService, user: User, referral_id: int) -> Any:
    row = await referrals.referral(referral_id)
    if row is None or not can_see_referral(user, user.agency_id, row["agency_id"]):
        raise NotFoundException()
    return row


class MitraController(Controller):
    path = "/mitra"
    guards = [require_roles(MITRA)]  # noqa: RUF012
    include_in_schema = False

    @get("/", name="mitra")
    async def home(self, request: Request[Any, Any, Any], referrals: ReferralServiceDep,
                   regions: RegionsDep, kbli: KbliCatalogDep, user: UserDep,
                   status: FromQuery[str] = "", sesi: FromQuery[str] = "",
                   halaman: FromQuery[str] = "1", instansi: FromQuery[str] = "") -> Any:
        agency_id, agencies = await _agency_of(user, referrals, instansi)
        status = status if status in STATUS_LABELS else ""
        round_id = _int(sesi)
        page = max(1, min(_int(halaman) or 1, 10_000))
        desk = await referrals.desk(agency_id, status or None, round_id, page)
        query = {"status": status, "sesi": str(round_id or ""),
                 "instansi": str(agency_id) if user.role == ADMIN else ""}
        return render(request, "mitra/home.html", desk=desk, statuses=STATUS_LABELS,
                      rounds=await referrals.rounds(agency_id), query=query,
                      base=urlencode({k: v for k, v in query.items() if v}),
                      agency=next(a for a in agencies if a["id"] == agency_id),
                      agencies=agencies if user.role == ADMIN else [],
                      regions=regions, titles=lambda j: kbli_titles(j, kbli))

    async def _detail(self, request: Request[Any, Any, Any], db: Database, actor: Actor,
                      kbli: KbliCatalog, row: Any, status_code: int = 200,
                      values: dict[str, str] | None = None,
                      errors: dict[str, str] | None = None, done: bool = False) -> Any:
        if row["needs_nik"]:  # the full NIK is on this page: who saw it is recorded
            await audit_nik_view(db, actor, row["application_id"], NIK_PAGE)
        values = values or {"status": row["status"] if row["status"] != "requested" else "",
                            "reference_number": row["reference_number"] or "",
                            "note": row["note"] or ""}
        return render(request, "mitra/rujukan.html", status_code, r=row,
                      kbli=kbli_titles(row["kbli_json"], kbli), brings=brings_list(row["brings"]),
                      statuses=STATUS_LABELS, outcomes=OUTCOME_CHOICES, values=values,
                      errors=errors or {}, done=done,
                      letter=row["service_code"] == TRADEMARK_SERVICE)

    @get("/rujukan/{referral_id:int}", name="mitra_rujukan")
    async def rujukan(self, request: Request[Any, Any, Any], referral_id: FromPath[int],
                      db: DatabaseDep, referrals: ReferralServiceDep, kbli: KbliCatalogDep,
                      user: UserDep, actor: ActorDep, selesai: FromQuery[str] = "") -> Any:
        row = await _visible(referrals, user, referral_id)
        return await self._detail(request, db, actor, kbli, row, done=selesai == "1")

    @post("/rujukan/{referral_id:int}")
    async def catat(self, request: Request[Any, Any, Any], referral_id: FromPath[int],
                    db: DatabaseDep, referrals: ReferralServiceDep, kbli: KbliCatalogDep,
                    user: UserDep, actor: ActorDep) -> Any:
        row = await _visible(referrals, user, referral_id)
        form = await request.form()
        values = {name: str(form.get(name, ""))[:limit] for name, limit in FORM_LIMITS.items()}
        errors = await referrals.record(actor, row, values)
        if errors:
            return await self._detail(request, db, actor, kbli, row, 422, values, errors)
        return see_other(request, f"/mitra/rujukan/{referral_id}?selesai=1")

    @get("/rujukan/{referral_id:int}/surat-merek", name="mitra_surat_merek")
    async def surat_merek(self, request: Request[Any, Any, Any], referral_id: FromPath[int],
                          db: DatabaseDep, referrals: ReferralServiceDep, kbli: KbliCatalogDep,
                          regions: RegionsDep, user: UserDep) -> Any:
        """The UMK recommendation letter, from the desk of the trademark service's agency
        (Dinas Koperasi)."""
        row = await _visible(referrals, user, referral_id)
        if row["service_code"] != TRADEMARK_SERVICE:
            raise NotFoundException()
        app = await db.read(app_store.by_tracking_code, row["tracking_code"])
        return render(request, "petugas/surat_merek.html",
                      back=f"/mitra/rujukan/{referral_id}",
                      **letter_context(app, kbli, regions, wib_today()))
