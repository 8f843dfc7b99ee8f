"""The officer's phone: the outbox queue, diagnostics and the import of exported queues.

The queue and diagnostics pages hold no personal data: their lists are drawn on the phone
from its own IndexedDB, so the service worker may keep them for offline use.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, get, post

from app.routes.pages import render
from app.routes.pwa import SHELL_CACHE
from app.security import current_user, require_officer, services_of

MAX_IMPORT_ITEMS = 2000
MSG_IMPORT_FILE = "Pilih file antrian (.json) hasil ekspor dari HP petugas."
MSG_IMPORT_BAD = (
    "File tidak bisa dibaca. Pastikan file adalah hasil “Ekspor antrian” dari aplikasi."
)


def _shell(request: Request[Any, Any, Any], template: str, **context: Any) -> Any:
    page = render(request, template, **context)
    page.headers["Cache-Control"] = SHELL_CACHE
    return page


class FieldController(Controller):
    path = "/petugas"
    guards = [require_officer]  # noqa: RUF012
    include_in_schema = False

    @get("/antrian", name="queue")
    async def queue(self, request: Request[Any, Any, Any]) -> Any:
        return _shell(request, "petugas/queue.html")

    @get("/pengaturan", name="diagnostics")
    async def diagnostics(self, request: Request[Any, Any, Any]) -> Any:
        return _shell(request, "petugas/settings.html",
                      version=services_of(request).shell.version)

    @get("/impor", name="import")
    async def import_page(self, request: Request[Any, Any, Any]) -> Any:
        return render(request, "petugas/import.html", results=None, error=None)

    @post("/impor")
    async def import_file(self, request: Request[Any, Any, Any]) -> Any:
        form = await request.form()
        upload = form.get("file")
        if upload is None or not hasattr(upload, "read"):
            return render(request, "petugas/import.html", 422, results=None,
                          error=MSG_IMPORT_FILE)
        try:
            items = json.loads(await upload.read())["items"]
        except (ValueError, KeyError, TypeError):
            items = None
        if not isinstance(items, list) or len(items) > MAX_IMPORT_ITEMS:
            return render(request, "petugas/import.html", 422, results=None,
                          error=MSG_IMPORT_BAD)
        user = current_user(request)
        assert user is not None
        pairs = [
            (item.get("id"), item.get("body")) if isinstance(item, dict) else (None, None)
            for item in items
        ]
        services = services_of(request)
        results = await services.intake.submit_many(user.id, f"impor:{user.username}", pairs)
        rows = [(pair[0], r.status_code, json.loads(r.body)) for pair, r in zip(pairs, results,
                                                                                strict=True)]
        accepted = sum(1 for _, status, _ in rows if status in (200, 201))
        return render(request, "petugas/import.html", results=rows, accepted=accepted, error=None)
