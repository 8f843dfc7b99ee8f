"""What to bring, in plain words (/syarat), and its poster for a village office wall."""

from __future__ import annotations

from typing import Any

import segno
from litestar import Controller, Request, get

from app.db import service_refs
from app.db.connection import Database
from app.domain.syarat import PARTNER_SERVICES, STEPS, thresholds
from app.routes.deps import DatabaseDep, SettingsDep
from app.routes.pages import render
from app.settings import Settings


class SyaratController(Controller):
    path = "/syarat"
    include_in_schema = False

    async def _context(self, db: Database, settings: Settings) -> dict[str, Any]:
        return {"steps": STEPS, "partners": PARTNER_SERVICES,
                "agencies": await db.read(service_refs.active_agencies),
                "page_url": f"{settings.base_url}/syarat", **thresholds()}

    @get("/", name="syarat")
    async def syarat(self, request: Request[Any, Any, Any], db: DatabaseDep,
                     settings: SettingsDep) -> Any:
        return render(request, "citizen/syarat.html", **await self._context(db, settings))

    @get("/poster", name="syarat_poster")
    async def poster(self, request: Request[Any, Any, Any], db: DatabaseDep,
                     settings: SettingsDep) -> Any:
        context = await self._context(db, settings)
        qr = segno.make(context["page_url"], error="m")
        return render(request, "citizen/syarat_poster.html",
                      qr_svg=qr.svg_inline(scale=6, dark="#000", light="#fff", border=2),
                      **context)
