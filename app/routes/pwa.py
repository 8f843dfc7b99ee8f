"""The installable app's files: the service worker, its modules, the offline page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from app.pwa import OFFICER_APP, SW_MODULES
from app.routes.deps import ServicesDep
from app.routes.pages import render

JS = "text/javascript"
SHELL_CACHE = "no-cache"  # stored by the service worker, revalidated by the browser


class PwaController(Controller):
    include_in_schema = False

    @get("/sw.js")
    async def service_worker(self, request: Request[Any, Any, Any], services: ServicesDep
                             ) -> Response[bytes]:
        officer = request.query_params.get("app") == OFFICER_APP
        body = services.shell.worker(services.settings.sw_dir, officer)
        return Response(
            content=body.encode(),
            media_type=JS,
            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
        )

    @get("/sw/{name:str}")
    async def module(self, request: Request[Any, Any, Any], name: FromPath[str],
                     services: ServicesDep) -> Response[bytes]:
        if name not in SW_MODULES:
            raise NotFoundException()
        versioned = request.query_params.get("v") == services.shell.version
        prelude = services.shell.module_prelude(name).encode()
        return Response(
            content=prelude + (services.settings.sw_dir / name).read_bytes(),
            media_type=JS,
            headers={"Cache-Control": "public, max-age=31536000, immutable" if versioned
                     else "no-cache"},
        )

    @get("/offline", name="offline")
    async def offline(self, request: Request[Any, Any, Any]) -> Any:
        page = render(request, "offline.html")
        page.headers["Cache-Control"] = SHELL_CACHE
        return page
