"""The survey kiosk on an officer's phone at the round (/petugas/survei-kiosk).

The page holds no personal data, so the service worker keeps it for offline use
(app/pwa.py SHELL_PAGES); answers wait in the phone's own queue (sw/survey.js) and go to
POST /api/survei when the server can be reached.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, get

from app.clock import wib_today
from app.db import service_refs
from app.domain.ikm import ELEMENTS, PROFILE
from app.routes.deps import DatabaseDep, RegionsDep
from app.routes.pages import render
from app.routes.pwa import SHELL_CACHE
from app.security import require_officer

ROUND_DAYS = 7  # the rounds the kiosk offers: this week's, before and after today


class SurveiKioskController(Controller):
    path = "/petugas"
    guards = [require_officer]  # noqa: RUF012
    include_in_schema = False

    @get("/survei-kiosk", name="survei_kiosk")
    async def kiosk(self, request: Request[Any, Any, Any], db: DatabaseDep,
                    regions: RegionsDep) -> Any:
        today = wib_today()
        rounds = await db.read(service_refs.recent_rounds,
                               (today - timedelta(days=ROUND_DAYS)).isoformat(),
                               (today + timedelta(days=ROUND_DAYS)).isoformat())
        page = render(request, "petugas/survei_kiosk.html", elements=ELEMENTS,
                      profile_options=PROFILE, kecamatan=regions.kecamatan(), rounds=rounds,
                      values={}, errors={})
        page.headers["Cache-Control"] = SHELL_CACHE
        return page
