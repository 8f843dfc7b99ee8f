"""The officer's phone: the outbox queue (/petugas/antrian), its settings and checks
(/petugas/pengaturan), the officers' offline page (/petugas/offline) and the import of
exported queues (/petugas/impor).

The queue and settings pages hold no personal data: their lists are drawn on the phone
from its own IndexedDB, so the service worker may keep them for offline use.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post

from app.domain.json_input import BadJson, TooDeep, parse_json
from app.pwa import AppShell
from app.routes.deps import IntakeServiceDep, ServicesDep, UserDep
from app.routes.pages import render
from app.routes.pwa import SHELL_CACHE
from app.security import require_officer

MAX_IMPORT_ITEMS = 2000
MSG_IMPORT_FILE = "Pilih file antrian (.json) hasil ekspor dari HP petugas."
MSG_IMPORT_BAD = (
    "File tidak bisa dibaca. Pastikan file adalah hasil “Ekspor antrian” dari aplikasi."
)


def _shell(request: Request[Any, Any, Any], template: str, **context: Any) -> Any:
    page = render(request, template, **context)
    page.headers["Cache-Control"] = SHELL_CACHE
    return page


class HpController(Controller):
    path = "/petugas"
    guards = [require_officer]  # noqa: RUF012
    include_in_schema = False

    @get("/antrian", name="antrian")
    async def antrian(self, request: Request[Any, Any, Any]) -> Any:
        return _shell(request, "petugas/antrian.html")

    @get("/pengaturan", name="pengaturan")
    async def pengaturan(self, request: Request[Any, Any, Any], services: ServicesDep) -> Any:
        shell: AppShell = services.shell
        return _shell(request, "petugas/pengaturan.html", version=shell.version)

    @get("/offline", name="petugas_offline")
    async def offline(self, request: Request[Any, Any, Any]) -> Any:
        """What the worker shows an officer for a page that needs signal."""
        return _shell(request, "petugas/offline.html")

    @get("/impor", name="impor")
    async def impor_page(self, request: Request[Any, Any, Any]) -> Any:
        return render(request, "petugas/impor.html", results=None, error=None)

    @post("/impor")
    async def impor(self, request: Request[Any, Any, Any], intake: IntakeServiceDep,
                    user: UserDep) -> Any:
        form = await request.form()
        upload = form.get("file")
        if upload is None or not hasattr(upload, "read"):
            return render(request, "petugas/impor.html", 422, results=None,
                          error=MSG_IMPORT_FILE)
        try:
            items = parse_json(await upload.read())["items"]
        except TooDeep as exc:
            return render(request, "petugas/impor.html", 400, results=None,
                          error=f"{MSG_IMPORT_BAD} {exc.message}")
        except (BadJson, KeyError, TypeError):
            items = None
        if not isinstance(items, list) or len(items) > MAX_IMPORT_ITEMS:
            return render(request, "petugas/impor.html", 422, results=None,
                          error=MSG_IMPORT_BAD)
        pairs = [
            (item.get("id"), item.get("body")) if isinstance(item, dict) else (None, None)
            for item in items
        ]
        results = await intake.submit_many(user.id, f"impor:{user.username}", pairs)
        accepted = sum(1 for result in results if result.accepted)
        return render(request, "petugas/impor.html", results=results, accepted=accepted,
                      error=None)
