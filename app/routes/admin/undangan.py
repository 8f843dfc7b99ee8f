"""The admin's inbox of invitations (/admin/undangan): accept into a draft round, propose
another date, or decline; then hand the reply over on WhatsApp."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery

from app.domain.invitations import STATUS_LABELS, show_code
from app.domain.phone import mask_phone
from app.routes.deps import ActorDep, InvitationServiceDep
from app.routes.pages import render, see_other
from app.security import require_admin
from app.services.invitations import InvitationService

DONE = {"usul": "Usulan tanggal sudah disimpan.", "tolak": "Penolakan sudah disimpan."}


class AdminUndanganController(Controller):
    path = "/admin/undangan"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    @get("", name="admin_undangan")
    async def undangan(self, request: Request[Any, Any, Any], invitations: InvitationServiceDep,
                       status: FromQuery[str] = "") -> Any:
        chosen = status if status in STATUS_LABELS else None
        rows = await invitations.inbox(chosen)
        return render(request, "admin/undangan.html", rows=rows, labels=STATUS_LABELS,
                      chosen=chosen or "", show_code=show_code, mask_phone=mask_phone,
                      regions=invitations.regions)

    async def _one(self, request: Request[Any, Any, Any], invitations: InvitationService,
                   invitation_id: int, status_code: int = 200, **context: Any) -> Any:
        row = await invitations.get(invitation_id)
        if row is None:
            return render(request, "error.html", 404, message="Undangan tidak ditemukan.",
                          code=404)
        context.setdefault("errors", {})
        context.setdefault("values", {})
        return render(request, "admin/undangan_satu.html", status_code, inv=row,
                      dates=invitations.dates(row), labels=STATUS_LABELS,
                      code=show_code(row["code"]), whatsapp=invitations.whatsapp(row),
                      regions=invitations.regions, **context)

    @get("/{invitation_id:int}", name="admin_undangan_satu")
    async def satu(self, request: Request[Any, Any, Any], invitation_id: FromPath[int],
                   invitations: InvitationServiceDep, selesai: FromQuery[str] = "") -> Any:
        return await self._one(request, invitations, invitation_id, done=DONE.get(selesai))

    @post("/{invitation_id:int}/terima")
    async def terima(self, request: Request[Any, Any, Any], invitation_id: FromPath[int],
                     invitations: InvitationServiceDep, actor: ActorDep) -> Any:
        result = await invitations.accept(invitation_id, actor)
        if isinstance(result, dict):
            return await self._one(request, invitations, invitation_id, 422, errors=result)
        # the draft round is prefilled: the admin checks it, chooses agencies, publishes
        return see_other(request, f"/admin/jadwal/{result}/ubah")

    @post("/{invitation_id:int}/usulkan")
    async def usulkan(self, request: Request[Any, Any, Any], invitation_id: FromPath[int],
                      invitations: InvitationServiceDep, actor: ActorDep) -> Any:
        form = await request.form()
        errors = await invitations.propose(invitation_id, form.get("proposed_day"),
                                           form.get("message"), actor)
        if errors:
            values = {k: str(form.get(k, ""))[:500] for k in ("proposed_day", "message")}
            return await self._one(request, invitations, invitation_id, 422, errors=errors,
                                   values=values)
        return see_other(request, f"/admin/undangan/{invitation_id}?selesai=usul")

    @post("/{invitation_id:int}/tolak")
    async def tolak(self, request: Request[Any, Any, Any], invitation_id: FromPath[int],
                    invitations: InvitationServiceDep, actor: ActorDep) -> Any:
        form = await request.form()
        errors = await invitations.decline(invitation_id, form.get("reason"), actor)
        if errors:
            return await self._one(request, invitations, invitation_id, 422, errors=errors,
                                   values={"reason": str(form.get("reason", ""))[:500]})
        return see_other(request, f"/admin/undangan/{invitation_id}?selesai=tolak")
