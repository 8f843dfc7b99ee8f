"""One exception handler: JSON for the API, a redirect to login, or an error page."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import TriggerEvent
from litestar.response import Template

from app.routes.pages import is_htmx, render, see_other
from app.security import CSP

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Permintaan tidak dapat diproses. Periksa isian lalu coba lagi.",
    401: "Sesi Anda sudah berakhir. Silakan masuk lagi.",
    403: "Permintaan ditolak. Muat ulang halaman lalu coba lagi.",
    404: "Halaman tidak ditemukan.",
    405: "Cara akses ini tidak didukung.",
    413: "Data yang dikirim terlalu besar.",
    415: "Jenis data tidak didukung.",
    429: "Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi.",
    500: "Terjadi gangguan di server. Data Anda tidak hilang; coba lagi sebentar lagi.",
}
ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 413: "too_large",
               415: "unsupported_media_type", 429: "rate_limited", 400: "bad_request"}
BASE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _status(exc: Exception) -> int:
    return exc.status_code if isinstance(exc, HTTPException) else 500


def _message(exc: Exception, status_code: int) -> str:
    extra = getattr(exc, "extra", None)
    if isinstance(extra, dict) and extra.get("user_message"):
        return str(getattr(exc, "detail", ""))
    return MESSAGES.get(status_code, MESSAGES[500])


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    status_code = _status(exc)
    if status_code >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
    message = _message(exc, status_code)
    if request.url.path.startswith("/api/"):
        extra = getattr(exc, "extra", None)
        error = extra.get("error") if isinstance(extra, dict) else None
        body = {"error": error or ERROR_CODES.get(status_code, "server_error"),
                "message": message}
        # an error's own headers (Retry-After on a 429) go along
        headers = {**BASE_HEADERS, **(getattr(exc, "headers", None) or {})}
        return Response(content=body, status_code=status_code, headers=headers)
    if status_code == 401:
        target = request.url.path
        response = see_other(request, f"/masuk?next={target}")
        response.headers.update(BASE_HEADERS)
        return response
    if is_htmx(request):
        # htmx does not swap 4xx/5xx answers (templating.HTMX_CONFIG), so a page here would
        # never be seen: the message travels as an event the page shows as a toast
        # (static/js/app.js, "jbm:toast"), and what was typed stays in the form.
        toast = TriggerEvent(content="", name="jbm:toast", after="receive",
                             params={"message": message, "kind": "error"},
                             status_code=status_code)
        toast.headers.update(BASE_HEADERS)
        return toast
    page: Template = render(request, "error.html", status_code, message=message,
                            code=status_code)
    page.headers.update(BASE_HEADERS)
    return page
