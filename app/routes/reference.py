"""Public reference data: KBLI search and the kecamatan/desa picker, as HTML and JSON."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import brotli
from litestar import Controller, Request, Response, get
from litestar.params import FromQuery

from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.routes.deps import KbliCatalogDep, RegionsDep
from app.routes.pages import is_htmx, render

ONE_DAY = "public, max-age=86400"
# The offline data is compressed once, as hard as brotli and gzip go (the compression
# middleware's on-the-fly quality 5 leaves ~12% on the table), and served as it is.
NO_MIDDLEWARE_COMPRESSION = {"skip_compression": True}


@dataclass(frozen=True)
class Encoded:
    etag: str
    raw: bytes
    br: bytes
    gzip: bytes


def _encode(payload: bytes) -> Encoded:
    return Encoded(
        etag='"' + hashlib.sha256(payload).hexdigest()[:16] + '"',
        raw=payload,
        br=brotli.compress(payload, quality=11),
        gzip=gzip.compress(payload, compresslevel=9, mtime=0),
    )


@lru_cache(maxsize=4)
def _kbli_encoded(kbli: KbliCatalog) -> Encoded:
    return _encode(kbli.compact_json())


@lru_cache(maxsize=4)
def _regions_encoded(regions: Regions) -> Encoded:
    return _encode(regions.compact_json())


def warm(kbli: KbliCatalog, regions: Regions) -> None:
    """Compress the offline data ahead of the first officer (brotli 11 takes ~1 s)."""
    _kbli_encoded(kbli)
    _regions_encoded(regions)


def _serve(request: Request[Any, Any, Any], data: Encoded) -> Response[bytes]:
    headers = {"ETag": data.etag, "Cache-Control": ONE_DAY, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == data.etag:
        return Response(content=b"", status_code=304, headers=headers)
    accepted = request.headers.get("accept-encoding", "")
    body = data.raw
    if "br" in accepted:
        body, headers["Content-Encoding"] = data.br, "br"
    elif "gzip" in accepted:
        body, headers["Content-Encoding"] = data.gzip, "gzip"
    return Response(content=body, media_type="application/json", headers=headers)


class ReferenceController(Controller):
    path = "/ref"
    include_in_schema = False

    @get("/kbli", name="kbli_search")
    async def kbli(self, request: Request[Any, Any, Any], kbli: KbliCatalogDep,
                   q: FromQuery[str] = "") -> Any:
        query = q.strip()[:80]
        results = kbli.search(query, limit=15) if query else []
        template = "ref/_kbli_results.html" if is_htmx(request) else "ref/kbli.html"
        return render(request, template, q=query, results=results)

    @get("/desa", name="desa_options")
    async def desa(self, request: Request[Any, Any, Any], regions: RegionsDep,
                   kecamatan: FromQuery[str] = "") -> Any:
        return render(request, "ref/_desa_options.html", desa_list=regions.desa_of(kecamatan),
                      selected="")

    @get("/kbli.json", opt=NO_MIDDLEWARE_COMPRESSION)
    async def kbli_json(self, request: Request[Any, Any, Any], kbli: KbliCatalogDep
                        ) -> Response[bytes]:
        return _serve(request, await asyncio.to_thread(_kbli_encoded, kbli))

    @get("/wilayah.json", opt=NO_MIDDLEWARE_COMPRESSION)
    async def regions_json(self, request: Request[Any, Any, Any], regions: RegionsDep
                           ) -> Response[bytes]:
        return _serve(request, await asyncio.to_thread(_regions_encoded, regions))
