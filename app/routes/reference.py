"""Public reference data: KBLI search and the kecamatan/desa picker, as HTML and JSON."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Controller, Request, Response, get

from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.routes.pages import is_htmx, render

ONE_DAY = "public, max-age=86400"


def _etagged(request: Request[Any, Any, Any], payload: bytes) -> Response[bytes]:
    etag = '"' + hashlib.sha256(payload).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Cache-Control": ONE_DAY}
    if request.headers.get("if-none-match") == etag:
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=payload, media_type="application/json", headers=headers)


class ReferenceController(Controller):
    path = "/ref"
    include_in_schema = False

    @get("/kbli", name="kbli_search")
    async def kbli(self, request: Request[Any, Any, Any], kbli: KbliCatalog, q: str = "") -> Any:
        query = q.strip()[:80]
        results = kbli.search(query, limit=15) if query else []
        template = "ref/_kbli_results.html" if is_htmx(request) else "ref/kbli.html"
        return render(request, template, q=query, results=results)

    @get("/desa", name="desa_options")
    async def desa(self, request: Request[Any, Any, Any], regions: Regions,
                   kecamatan: str = "") -> Any:
        return render(request, "ref/_desa_options.html", desa_list=regions.desa_of(kecamatan),
                      selected="")

    @get("/kbli.json")
    async def kbli_json(self, request: Request[Any, Any, Any], kbli: KbliCatalog
                        ) -> Response[bytes]:
        return _etagged(request, kbli.compact_json())

    @get("/wilayah.json")
    async def regions_json(self, request: Request[Any, Any, Any], regions: Regions
                           ) -> Response[bytes]:
        return _etagged(request, regions.compact_json())
