"""Admin pages: OSS health (breaker, outages, queue, attempts, long waiters, pushed NIBs)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post

from app.domain.errors import FieldError
from app.domain.tracking import normalize_tracking_code
from app.routes.pages import render, see_other
from app.security import current_user, require_admin, services_of


class AdminOssController(Controller):
    path = "/admin"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], notice: str | None = None,
                    status_code: int = 200) -> Any:
        overview = await services_of(request).oss.overview()
        return render(request, "admin/oss.html", status_code, o=overview, notice=notice)

    @get("/oss", name="admin_oss")
    async def oss(self, request: Request[Any, Any, Any]) -> Any:
        return await self._page(request)

    @post("/oss/kiriman/{push_id:int}/cocokkan")
    async def resolve_push(self, request: Request[Any, Any, Any], push_id: int) -> Any:
        form = await request.form()
        try:
            code = normalize_tracking_code(str(form.get("tracking_code", ""))[:20])
        except FieldError:
            return await self._page(request, "Kode pelacakan tidak sah. Periksa lalu coba lagi.",
                                    422)
        user = current_user(request)
        assert user is not None
        message = await services_of(request).oss.resolve_push(push_id, code, user.username)
        if message:
            return await self._page(request, message, 422)
        return see_other(request, "/admin/oss")
