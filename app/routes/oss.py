"""OSS routes: receiveNIB (served to OSS's PIA spec), the officer's correction and resend,
and the OSS operator's task pages (assisted mode)."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException

from app.db import applications as store
from app.domain.errors import FieldError
from app.domain.tracking import normalize_tracking_code
from app.oss.service import MSG_TASK_TAKEN, form_values
from app.routes.pages import render, see_other
from app.security import current_user, require_officer, services_of

JSON = "application/json"
FIX_FIELDS = (
    "nik", "name", "phone", "email", "npwp", "business_name", "desa", "rt", "rw", "street",
    "kbli", "capital", "workers_male", "workers_female",
)


class PiaController(Controller):
    """Called by OSS, not by people: no session, no CSRF token (``/api/`` is exempt); the
    SHA1 token in header ``Token`` is the authentication."""

    path = "/api/oss"
    include_in_schema = False

    @post("/receiveNIB", status_code=200)
    async def receive_nib(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        raw = await request.body()
        status, answer = await services_of(request).oss.receive_nib(
            request.headers.get("token"), raw
        )
        return Response(content=json.dumps(answer).encode(), status_code=status, media_type=JSON)


async def _application(request: Request[Any, Any, Any], code: str) -> Any:
    try:
        code = normalize_tracking_code(code)
    except FieldError as exc:
        raise NotFoundException() from exc
    row = await services_of(request).db.read(store.by_tracking_code, code)
    if row is None:
        raise NotFoundException()
    return row


def _user(request: Request[Any, Any, Any]) -> Any:
    user = current_user(request)
    assert user is not None
    return user


class OssOfficerController(Controller):
    path = "/petugas"
    guards = [require_officer]  # noqa: RUF012
    include_in_schema = False

    # -- correct a rejected application and send it again --------------------------------------
    def _fix_page(self, request: Request[Any, Any, Any], app: Any, values: dict[str, str],
                  errors: dict[str, str], status_code: int) -> Any:
        services = services_of(request)
        regions = services.regions
        groups = [(kec.name, regions.desa_of(kec.code)) for kec in regions.kecamatan()]
        return render(request, "petugas/oss_fix.html", status_code, app=app, values=values,
                      errors=errors, desa_groups=groups)

    @get("/permohonan/{code:str}/perbaiki", name="oss_fix")
    async def fix_page(self, request: Request[Any, Any, Any], code: str) -> Any:
        app = await _application(request, code)
        if app["status"] != "needs_fix":  # nothing to fix: back to the application
            return see_other(request, f"/petugas/permohonan/{app['tracking_code']}")
        return self._fix_page(request, app, form_values(app), {}, 200)

    @post("/permohonan/{code:str}/perbaiki")
    async def fix(self, request: Request[Any, Any, Any], code: str) -> Any:
        app = await _application(request, code)
        form = await request.form()
        values = {name: str(form.get(name, ""))[:500] for name in FIX_FIELDS}
        values["no_email"] = "on" if form.get("no_email") else ""
        errors = await services_of(request).oss.resubmit(app, values, _user(request).username)
        if errors:
            return self._fix_page(request, app, values, errors, 422)
        return see_other(request, f"/petugas/permohonan/{app['tracking_code']}")

    # -- the OSS operator's tasks -------------------------------------------------------------
    @get("/oss-tugas", name="oss_tasks")
    async def tasks(self, request: Request[Any, Any, Any]) -> Any:
        return await self._tasks(request, None, 200)

    async def _tasks(self, request: Request[Any, Any, Any], notice: str | None,
                     status_code: int) -> Any:
        services = services_of(request)
        tasks = await services.oss.open_tasks()
        return render(request, "petugas/oss_tasks.html", status_code, tasks=tasks,
                      notice=notice, mode=services.settings.oss_mode, me=_user(request).id)

    async def _task(self, request: Request[Any, Any, Any], task_id: int, notice: str | None,
                    status_code: int, nib: str = "", reason: str = "") -> Any:
        page = await services_of(request).oss.task_page(task_id)
        if page is None:
            raise NotFoundException()
        return render(request, "petugas/oss_task.html", status_code, page=page,
                      task=page.task, app=page.application, notice=notice,
                      me=_user(request).id, nib=nib, reason=reason)

    @get("/oss-tugas/{task_id:int}", name="oss_task")
    async def task(self, request: Request[Any, Any, Any], task_id: int) -> Any:
        return await self._task(request, task_id, None, 200)

    @post("/oss-tugas/{task_id:int}/ambil")
    async def claim(self, request: Request[Any, Any, Any], task_id: int) -> Any:
        if await services_of(request).oss.claim(task_id, _user(request).id):
            return see_other(request, f"/petugas/oss-tugas/{task_id}")
        return await self._tasks(request, MSG_TASK_TAKEN, 409)

    @post("/oss-tugas/{task_id:int}/lepas")
    async def release(self, request: Request[Any, Any, Any], task_id: int) -> Any:
        await services_of(request).oss.release(task_id, _user(request).id)
        return see_other(request, "/petugas/oss-tugas")

    @post("/oss-tugas/{task_id:int}/selesai")
    async def finish(self, request: Request[Any, Any, Any], task_id: int) -> Any:
        form = await request.form()
        nib = str(form.get("nib", ""))[:40]
        user = _user(request)
        services = services_of(request)
        page = await services.oss.task_page(task_id)
        if page is None:
            raise NotFoundException()
        message = await services.oss.finish(task_id, user.id, user.username, nib)
        if message:
            return await self._task(request, task_id, message, 422, nib=nib)
        return see_other(request, f"/petugas/permohonan/{page.application['tracking_code']}")

    @post("/oss-tugas/{task_id:int}/tolak")
    async def reject(self, request: Request[Any, Any, Any], task_id: int) -> Any:
        form = await request.form()
        reason = str(form.get("reason", ""))[:600]
        user = _user(request)
        services = services_of(request)
        page = await services.oss.task_page(task_id)
        if page is None:
            raise NotFoundException()
        message = await services.oss.reject(task_id, user.id, user.username, reason)
        if message:
            return await self._task(request, task_id, message, 422, reason=reason)
        return see_other(request, f"/petugas/permohonan/{page.application['tracking_code']}")
