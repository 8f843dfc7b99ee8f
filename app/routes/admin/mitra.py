"""The partner agencies' services (/admin/mitra): name, what the applicant brings, the
number the agency issues, whether the agency needs the NIK, active, and their order."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery

from app.routes.deps import ActorDep, ReferralServiceDep
from app.routes.pages import render, see_other
from app.security import require_admin
from app.services.referrals import ReferralService

FORM_LIMITS = {"name": 200, "brings": 4000, "reference_label": 100, "needs_nik": 1,
               "active": 1, "position": 6}


class AdminMitraController(Controller):
    path = "/admin/mitra"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], referrals: ReferralService,
                    status_code: int = 200, editing: int | None = None,
                    values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, saved: bool = False) -> Any:
        return render(request, "admin/mitra.html", status_code,
                      services=await referrals.services(), editing=editing,
                      values=values or {}, errors=errors or {}, saved=saved)

    @get("", name="admin_mitra")
    async def mitra(self, request: Request[Any, Any, Any], referrals: ReferralServiceDep,
                    disimpan: FromQuery[str] = "") -> Any:
        return await self._page(request, referrals, saved=disimpan == "1")

    @post("/layanan/{service_id:int}")
    async def layanan(self, request: Request[Any, Any, Any], service_id: FromPath[int],
                      referrals: ReferralServiceDep, actor: ActorDep) -> Any:
        form = await request.form()
        values = {name: str(form.get(name, ""))[:limit] for name, limit in FORM_LIMITS.items()}
        errors = await referrals.update_service(actor, service_id, values)
        if errors:
            return await self._page(request, referrals, 422, service_id, values, errors)
        return see_other(request, f"/admin/mitra?disimpan=1#layanan-{service_id}")
