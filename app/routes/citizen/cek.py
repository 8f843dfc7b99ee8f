"""Public pages for business owners: the welcome page (/), the status lookup (/cek: an
application's tracking code, or a pre-registration's P- code) and the theme switch."""

from __future__ import annotations

import hmac
import json
import math
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect

from app.db import applications as store
from app.domain.errors import FieldError
from app.domain.masking import mask_name
from app.domain.phone import phone_last4
from app.domain.status_lookup import HINT, parse_lookup_code
from app.domain.theme import THEMES
from app.domain.throttle import client_key
from app.routes.citizen.daftar_mandiri import status_page as prereg_status_page
from app.routes.deps import (
    DatabaseDep,
    LimiterDep,
    NotifyServiceDep,
    OssPagesDep,
    PreregistrationServiceDep,
    ReferralServiceDep,
    SurveyServiceDep,
)
from app.routes.pages import THEME_COOKIE, render, safe_next
from app.security import client_address
from app.services.preregistrations import guesses_key
from app.services.referrals import citizen_view
from app.services.surveys import OPEN_STATUSES

MSG_NOT_FOUND = (
    "Data tidak ditemukan. Periksa kode pelacakan dan 4 angka terakhir nomor WhatsApp "
    "yang didaftarkan."
)
MSG_DIGITS = "Isi 4 angka terakhir nomor WhatsApp yang didaftarkan."


def _page(request: Request[Any, Any, Any], status_code: int, kode: str, error: str | None
          ) -> Any:
    return render(request, "citizen/cek.html", status_code, kode=kode, error=error, hint=HINT)


def _too_many(request: Request[Any, Any, Any], raw_code: str, wait: float) -> Any:
    minutes = max(1, math.ceil(wait / 60))
    page = _page(request, 429, raw_code,
                 f"Terlalu banyak percobaan. Coba lagi dalam {minutes} menit.")
    page.headers["Retry-After"] = str(math.ceil(wait))
    return page


def _not_found(request: Request[Any, Any, Any]) -> Any:
    """The one answer for "no such code" and "wrong digits", whichever kind of code: the
    typed code is not echoed, so the page says nothing about which part was wrong."""
    return _page(request, 404, "", MSG_NOT_FOUND)


class CitizenController(Controller):
    include_in_schema = False

    @get("/", name="home")
    async def home(self, request: Request[Any, Any, Any]) -> Any:
        return render(request, "citizen/home.html")

    @get("/cek", name="status_lookup")
    async def lookup_page(self, request: Request[Any, Any, Any], kode: FromQuery[str] = "") -> Any:
        return _page(request, 200, kode[:20], None)

    @post("/cek")
    async def lookup(self, request: Request[Any, Any, Any], db: DatabaseDep,
                     notify: NotifyServiceDep, status_limiter: LimiterDep,
                     code_limiter: LimiterDep, oss_pages: OssPagesDep,
                     surveys: SurveyServiceDep, referrals: ReferralServiceDep,
                     preregistrations: PreregistrationServiceDep) -> Any:
        form = await request.form()
        raw_code = str(form.get("kode", ""))[:20]
        digits = "".join(ch for ch in str(form.get("digits", "")) if ch.isdigit())[:4]
        wait = await status_limiter.hit(client_key(client_address(request)))
        if wait is not None:
            return _too_many(request, raw_code, wait)
        if len(digits) != 4:
            return _page(request, 422, raw_code, MSG_DIGITS)
        try:
            typed = parse_lookup_code(raw_code)
        except FieldError as exc:
            return _page(request, 422, raw_code, exc.message)
        code = typed.code
        # Each code takes only so many wrong answers, whether or not it exists: its 10,000
        # digit combinations cannot be walked through from many addresses. A P- code's count
        # is the one /daftar-mandiri/cek keeps, so the two pages do not add up.
        guesses = guesses_key(code) if typed.preregistration else code
        wait = await code_limiter.hit(guesses)
        if wait is not None:
            return _too_many(request, raw_code, wait)
        if typed.preregistration:
            prereg = await preregistrations.status(code, digits)
            if prereg is None:
                return _not_found(request)
            await code_limiter.take_back(guesses)
            return prereg_status_page(request, prereg)
        row = await db.read(store.by_tracking_code, code)
        expected = phone_last4(row["phone"]) if row else "----"
        # Same work and the same answer for "no such code" and "wrong digits".
        if not hmac.compare_digest(expected, digits) or row is None:
            return _not_found(request)
        await code_limiter.take_back(code)  # a right answer is not a guess
        history = await db.read(store.history, row["id"])
        survey_open = row["status"] in OPEN_STATUSES and not await surveys.answered(row["id"])
        return render(
            request, "citizen/status.html", app=row, history=history,
            owner=mask_name(row["name"]), kbli=json.loads(row["kbli_json"]),
            oss_outage=await oss_pages.citizen_outage(row),
            # proof of this lookup for the push subscribe call (static/js/push.js)
            push_token=notify.tokens.issue(row["id"]),
            push_key=notify.public_key,
            survey_url=surveys.path(row["id"]) if survey_open else None,
            referrals=citizen_view(await referrals.for_application(row["id"])),
        )

    @post("/tema", name="theme")
    async def theme(self, request: Request[Any, Any, Any]) -> Redirect:
        form = await request.form()
        choice = str(form.get("theme", ""))
        current = request.cookies.get(THEME_COOKIE, "auto")
        if choice not in THEMES:
            choice = THEMES[(THEMES.index(current) + 1) % 3] if current in THEMES else "dark"
        response = Redirect(path=safe_next(str(form.get("next", "")), "/"), status_code=303)
        response.set_cookie(THEME_COOKIE, choice, max_age=365 * 86400, samesite="lax",
                            httponly=False, path="/")
        return response
