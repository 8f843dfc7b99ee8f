"""Login and logout for officers and admins."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie

from app.routes.pages import render, safe_next, see_other
from app.security import current_user, services_of

MSG_BAD_LOGIN = "Nama pengguna atau kata sandi salah. Periksa lalu coba lagi."
MSG_EMPTY = "Isi nama pengguna dan kata sandi."


class AuthController(Controller):
    include_in_schema = False

    @get("/masuk", name="login")
    async def login_page(self, request: Request[Any, Any, Any], next: str | None = None) -> Any:
        if current_user(request) is not None:
            return see_other(request, safe_next(next, "/petugas"))
        return render(request, "auth/login.html", next=safe_next(next, "/petugas"), username="",
                      show_queue=True)

    @post("/masuk")
    async def login(self, request: Request[Any, Any, Any]) -> Any:
        form = await request.form()
        username = str(form.get("username", "")).strip()[:64]
        password = str(form.get("password", ""))[:256]
        target = safe_next(str(form.get("next", "")), "/petugas")
        if not username or not password:
            return render(request, "auth/login.html", 422, next=target, username=username,
                          error=MSG_EMPTY, show_queue=True)
        services = services_of(request)
        settings = services.settings
        old = request.cookies.get(settings.session_cookie)
        login = await services.accounts.login(username, password, old)
        if login is None:
            return render(request, "auth/login.html", 422, next=target, username=username,
                          error=MSG_BAD_LOGIN, show_queue=True)
        response = see_other(request, target)
        response.set_cookie(
            Cookie(
                key=settings.session_cookie,
                value=login.token,
                path="/",
                max_age=settings.session_absolute_s,
                httponly=True,
                secure=settings.https,
                samesite="lax",
            )
        )
        return response

    @post("/keluar", name="logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        services = services_of(request)
        settings = services.settings
        await services.accounts.logout(request.cookies.get(settings.session_cookie))
        response = see_other(request, "/masuk")
        # Same attributes as when set: a __Host- cookie is only replaced by a Secure one.
        response.set_cookie(
            Cookie(key=settings.session_cookie, value="", path="/", max_age=0, httponly=True,
                   secure=settings.https, samesite="lax")
        )
        return response
