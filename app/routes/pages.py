"""What every page controller shares: rendering with the common context, redirects."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from app.clock import WIB, utc_now
from app.domain.access import home_path
from app.domain.theme import THEMES, scheme
from app.security import current_user

THEME_COOKIE = "jbm_theme"  # also set by static/js/app.js when the officer taps the switch


def theme_of(request: Request[Any, Any, Any]) -> str:
    value = request.cookies.get(THEME_COOKIE, "auto")
    return value if value in THEMES else "auto"


def scheme_now(theme: str) -> str:
    """The colours to draw a page in now ("auto" follows the hour in WIB)."""
    return scheme(theme, utc_now().astimezone(WIB))


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get(
        "hx-boosted"
    ) != "true"


def render(
    request: Request[Any, Any, Any],
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    user = current_user(request)
    context.setdefault("user", user)
    context.setdefault("home", home_path(user.role) if user else "/")
    context.setdefault("theme", theme_of(request))
    context.setdefault("scheme", scheme_now(context["theme"]))
    return Template(
        template_name=template,
        context=context,
        status_code=status_code,
        headers={"Vary": "HX-Request"},
        media_type=MediaType.HTML,
    )


def see_other(request: Request[Any, Any, Any], url: str) -> Response[Any]:
    """Post/redirect/get: 303 for a plain form, HX-Redirect for htmx."""
    if is_htmx(request):
        return Response(content=b"", status_code=200, headers={"HX-Redirect": url})
    return Redirect(path=url, status_code=HTTP_303_SEE_OTHER)


def safe_next(value: str | None, default: str) -> str:
    """Only a local path may be a redirect target (no //evil.example, no scheme)."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default
