"""The OSS operator's queue in assisted mode (/petugas/oss-tugas): claim a task, key the NIB
OSS issued, or record OSS's refusal."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from app.db.access import operator_task
from app.db.connection import Database
from app.db.users import User
from app.domain.access import can_see_task
from app.oss.desk import MSG_TASK_TAKEN, OperatorDesk
from app.oss.pages import OssPages, TaskPage
from app.routes.deps import (
    ActorDep,
    DatabaseDep,
    OperatorDeskDep,
    OssPagesDep,
    SettingsDep,
    UserDep,
)
from app.routes.pages import render, see_other
from app.security import Actor, require_operator
from app.services import audit
from app.settings import Settings


async def visible_task(oss_pages: OssPages, user: User, task_id: int) -> TaskPage:
    """The task's page if ``user`` may see it; 404 otherwise, as for an unknown task."""
    page = await oss_pages.task_page(task_id)
    if page is None or not can_see_task(user, operator_task(page.task)):
        raise NotFoundException()
    return page


class OssTugasController(Controller):
    path = "/petugas/oss-tugas"
    guards = [require_operator]  # noqa: RUF012
    include_in_schema = False

    @get("/", name="oss_tugas")
    async def tasks(self, request: Request[Any, Any, Any], oss_pages: OssPagesDep,
                    settings: SettingsDep, user: UserDep) -> Any:
        return await self._tasks(request, oss_pages, settings, user, None, 200)

    async def _tasks(self, request: Request[Any, Any, Any], oss_pages: OssPages,
                     settings: Settings, user: User, notice: str | None,
                     status_code: int) -> Any:
        tasks = await oss_pages.open_tasks()
        return render(request, "petugas/oss_tugas.html", status_code, tasks=tasks,
                      notice=notice, mode=settings.oss_mode, me=user.id)

    async def _task(self, request: Request[Any, Any, Any], oss_pages: OssPages, db: Database,
                    actor: Actor, user: User, task_id: int, notice: str | None,
                    status_code: int, nib: str = "", reason: str = "") -> Any:
        """The task page: it shows the full NIK, so each view goes to the audit log."""
        page = await visible_task(oss_pages, user, task_id)
        await audit.log(db, actor, audit.NIK_VIEW, "application", str(page.application["id"]),
                        f"tugas operator OSS {task_id}")
        return render(request, "petugas/oss_tugas_satu.html", status_code, page=page,
                      task=page.task, app=page.application, notice=notice, me=user.id,
                      nib=nib, reason=reason)

    @get("/{task_id:int}", name="oss_tugas_satu")
    async def task(self, request: Request[Any, Any, Any], task_id: FromPath[int],
                   oss_pages: OssPagesDep, db: DatabaseDep, actor: ActorDep, user: UserDep) -> Any:
        return await self._task(request, oss_pages, db, actor, user, task_id, None, 200)

    @post("/{task_id:int}/ambil")
    async def claim(self, request: Request[Any, Any, Any], task_id: FromPath[int],
                    oss_desk: OperatorDeskDep, oss_pages: OssPagesDep, settings: SettingsDep,
                    user: UserDep) -> Any:
        if await oss_desk.claim(task_id, user.id):
            return see_other(request, f"/petugas/oss-tugas/{task_id}")
        return await self._tasks(request, oss_pages, settings, user, MSG_TASK_TAKEN, 409)

    @post("/{task_id:int}/lepas")
    async def release(self, request: Request[Any, Any, Any], task_id: FromPath[int],
                      oss_desk: OperatorDeskDep, user: UserDep) -> Any:
        await oss_desk.release(task_id, user.id)
        return see_other(request, "/petugas/oss-tugas")

    @post("/{task_id:int}/selesai")
    async def finish(self, request: Request[Any, Any, Any], task_id: FromPath[int],
                     oss_desk: OperatorDeskDep, oss_pages: OssPagesDep, settings: SettingsDep,
                     db: DatabaseDep, actor: ActorDep, user: UserDep) -> Any:
        nib = str((await request.form()).get("nib", ""))[:40]
        return await self._close(request, task_id, oss_desk, oss_pages, settings, db, actor,
                                 user, oss_desk.finish, nib, {"nib": nib})

    @post("/{task_id:int}/tolak")
    async def reject(self, request: Request[Any, Any, Any], task_id: FromPath[int],
                     oss_desk: OperatorDeskDep, oss_pages: OssPagesDep, settings: SettingsDep,
                     db: DatabaseDep, actor: ActorDep, user: UserDep) -> Any:
        reason = str((await request.form()).get("reason", ""))[:600]
        return await self._close(request, task_id, oss_desk, oss_pages, settings, db, actor,
                                 user, oss_desk.reject, reason, {"reason": reason})

    async def _close(self, request: Request[Any, Any, Any], task_id: int,
                     oss_desk: OperatorDesk, oss_pages: OssPages, settings: Settings,
                     db: Database, actor: Actor, user: User, action: Any, typed: str,
                     keep: dict[str, str]) -> Any:
        """Finish or reject a task: back to the application when done, else the task page
        again with the operator's message and what they typed (the queue, with the message,
        once someone else closed it: its page is no longer theirs to see)."""
        page = await oss_pages.task_page(task_id)
        if page is None:
            raise NotFoundException()
        message = await action(task_id, user.id, user.username, typed)
        if message:
            try:
                return await self._task(request, oss_pages, db, actor, user, task_id, message,
                                        422, **keep)
            except NotFoundException:
                return await self._tasks(request, oss_pages, settings, user, message, 409)
        return see_other(request, f"/petugas/permohonan/{page.application['tracking_code']}")
