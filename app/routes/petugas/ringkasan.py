"""The officer's summary of the day (/petugas/ringkasan): today's status changes of their
own applications."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from litestar import Controller, Request, get

from app.clock import WIB, iso, wib_today
from app.routes.deps import NotifyServiceDep, UserDep
from app.routes.pages import is_htmx, render
from app.security import require_officer


class RingkasanController(Controller):
    path = "/petugas"
    guards = [require_officer]  # noqa: RUF012
    include_in_schema = False

    @get("/ringkasan", name="ringkasan")
    async def ringkasan(self, request: Request[Any, Any, Any], notify: NotifyServiceDep,
                        user: UserDep) -> Any:
        """Today's (WIB) status changes of the officer's applications, by status."""
        today = wib_today()
        start = datetime.combine(today, time(0), WIB).astimezone(UTC)
        end = start + timedelta(days=1)
        rows = await notify.officer_summary(user.id, iso(start), iso(end))
        template = "petugas/_ringkasan.html" if is_htmx(request) else "petugas/ringkasan.html"
        return render(request, template, counts=rows, today=today)
