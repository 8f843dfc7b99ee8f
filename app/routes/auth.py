"""Login and logout for officers and admins, and the notice of failed logins."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery

from app.clock import WIB, utc_now
from app.domain.access import home_path
from app.domain.throttle import retry_message
from app.domain.users import ROLE_LABELS
from app.routes.deps import AccountsDep, ActorDep, SettingsDep, UserDep
from app.routes.pages import render, safe_next, see_other
from app.security import current_user, require_login
from app.services.accounts import Refused

MSG_BAD_LOGIN = "Nama pengguna atau kata sandi salah. Periksa lalu coba lagi."
MSG_EMPTY = "Isi nama pengguna dan kata sandi."
NOTICE_PATH = "/masuk/pemberitahuan"
ACCOUNT_PATH = "/akun"


class AuthController(Controller):
    include_in_schema = False

    @get("/masuk", name="login")
    async def login_page(self, request: Request[Any, Any, Any],
                         next: FromQuery[str | None] = None) -> Any:
        user = current_user(request)
        if user is not None:
            return see_other(request, safe_next(next, home_path(user.role)))
        # No ``next``: the user's start page, by role, once we know who they are.
        return render(request, "auth/login.html", next=safe_next(next, ""), username="",
                      show_queue=True)

    @post("/masuk")
    async def login(self, request: Request[Any, Any, Any], accounts: AccountsDep, actor: ActorDep,
                    settings: SettingsDep) -> Any:
        form = await request.form()
        username = str(form.get("username", "")).strip()[:64]
        password = str(form.get("password", ""))[:256]
        target = safe_next(str(form.get("next", "")), "")
        if not username or not password:
            return render(request, "auth/login.html", 422, next=target, username=username,
                          error=MSG_EMPTY, show_queue=True)
        old = request.cookies.get(settings.session_cookie)
        login = await accounts.login(username, password, old, actor)
        if isinstance(login, Refused):
            if login.retry_after_s <= 0:
                return render(request, "auth/login.html", 422, next=target, username=username,
                              error=MSG_BAD_LOGIN, show_queue=True)
            page = render(request, "auth/login.html", 429, next=target, username=username,
                          error=retry_message(login.retry_after_s, utc_now().astimezone(WIB)),
                          show_queue=True)
            page.headers["Retry-After"] = str(math.ceil(login.retry_after_s))
            return page
        target = target or home_path(login.user.role)
        if login.notice:
            target = f"{NOTICE_PATH}?next={quote(target)}"
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

    @get(NOTICE_PATH, guards=[require_login])
    async def notice_page(self, request: Request[Any, Any, Any], accounts: AccountsDep,
                          user: UserDep, next: FromQuery[str | None] = None) -> Any:
        target = safe_next(next, home_path(user.role))
        notices = await accounts.notices(user.id)
        if not notices:
            return see_other(request, target)
        return render(request, "auth/notice.html", notices=notices, next=target)

    @post(NOTICE_PATH, guards=[require_login])
    async def notice_seen(self, request: Request[Any, Any, Any], accounts: AccountsDep,
                          user: UserDep) -> Any:
        form = await request.form()
        await accounts.dismiss_notices(user.id)
        return see_other(request, safe_next(str(form.get("next", "")), home_path(user.role)))

    @get(ACCOUNT_PATH, name="akun", guards=[require_login])
    async def account(self, request: Request[Any, Any, Any], user: UserDep) -> Any:
        """Who is logged in and which pages their role opens: the start page of roles
        without staff pages (mitra, dpo) until later features give them theirs."""
        page = render(request, "auth/account.html", role=ROLE_LABELS.get(user.role, user.role))
        page.headers["Cache-Control"] = "no-store"  # names a person
        return page

    @post("/keluar", name="logout")
    async def logout(self, request: Request[Any, Any, Any], accounts: AccountsDep, actor: ActorDep,
                     settings: SettingsDep) -> Response[Any]:
        form = await request.form()
        # The phone's device credential, sent along by static/js/app.js to be revoked.
        device = str(form.get("device_token", "")) or None
        await accounts.logout(request.cookies.get(settings.session_cookie), actor, device)
        response = see_other(request, "/masuk")
        # Same attributes as when set: a __Host- cookie is only replaced by a Secure one.
        response.set_cookie(
            Cookie(key=settings.session_cookie, value="", path="/", max_age=0, httponly=True,
                   secure=settings.https, samesite="lax")
        )
        return response
