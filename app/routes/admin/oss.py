"""The admin's OSS health page (/admin/oss): breaker, outages, queue, attempts, long
waiters, and pushed NIBs that matched no application."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath

from app.domain.errors import FieldError
from app.domain.tracking import normalize_tracking_code
from app.oss.pages import OssPages
from app.routes.deps import OperatorDeskDep, OssPagesDep, UserDep
from app.routes.pages import render, see_other
from app.security import require_admin

MSG_BAD_CODE = "Kode pelacakan tidak sah. Periksa lalu coba lagi."


class AdminOssController(Controller):
    path = "/admin/oss"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], oss_pages: OssPages,
                    notice: str | None = None, status_code: int = 200) -> Any:
        overview = await oss_pages.overview()
        return render(request, "admin/oss.html", status_code, o=overview, notice=notice)

    @get("/", name="admin_oss")
    async def oss(self, request: Request[Any, Any, Any], oss_pages: OssPagesDep) -> Any:
        return await self._page(request, oss_pages)

    @post("/kiriman/{push_id:int}/cocokkan")
    async def resolve_push(self, request: Request[Any, Any, Any], push_id: FromPath[int],
                           oss_pages: OssPagesDep, oss_desk: OperatorDeskDep, user: UserDep) -> Any:
        form = await request.form()
        try:
            code = normalize_tracking_code(str(form.get("tracking_code", ""))[:20])
        except FieldError:
            return await self._page(request, oss_pages, MSG_BAD_CODE, 422)
        message = await oss_desk.resolve_push(push_id, code, user.username)
        if message:
            return await self._page(request, oss_pages, message, 422)
        return see_other(request, "/admin/oss")
