"""Notification routes: the VAPID key, push subscriptions (citizen and officer), the
officer's daily summary and the admin's WhatsApp message template."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader

from app.clock import WIB, wib_today
from app.http_errors import user_error
from app.notify import whatsapp
from app.notify.service import MSG_BAD_SUBSCRIPTION, NotifyService
from app.routes.pages import is_htmx, render, see_other
from app.security import current_user, require_admin, require_officer, same_origin_json
from app.security import services_of as _services

MSG_LOOKUP_EXPIRED = ("Waktu cek status sudah habis. Silakan cek status lagi, lalu aktifkan "
             "notifikasi.")
MSG_JSON = "Data tidak bisa dibaca. Muat ulang halaman lalu coba lagi."
NO_STORE = CacheControlHeader(no_store=True)


def _notify(request: Request[Any, Any, Any]) -> NotifyService:
    return _services(request).notify


async def _body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    try:
        data = await request.json()
    except Exception as exc:
        raise user_error(400, "bad_json", MSG_JSON) from exc
    if not isinstance(data, dict):
        raise user_error(400, "bad_json", MSG_JSON)
    return data


def _citizen_app(request: Request[Any, Any, Any], data: dict[str, Any]) -> int:
    app_id = _notify(request).tokens.verify(str(data.get("token", "")))
    if app_id is None:
        raise user_error(403, "lookup_expired", MSG_LOOKUP_EXPIRED)
    return app_id


def _endpoint(data: dict[str, Any]) -> str:
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 1000:
        raise user_error(422, "bad_subscription", MSG_BAD_SUBSCRIPTION)
    return endpoint


def _subscription(request: Request[Any, Any, Any], data: dict[str, Any]) -> Any:
    sub = _notify(request).parse_subscription(data.get("subscription"))
    if sub is None:
        raise user_error(422, "bad_subscription", MSG_BAD_SUBSCRIPTION)
    return sub


class NotifyApi(Controller):
    """JSON for static/js/push.js. CSRF: same-origin JSON only (app.security)."""

    path = "/api/push"
    guards = [same_origin_json]  # noqa: RUF012
    include_in_schema = False

    @get("/kunci", cache_control=NO_STORE)
    async def public_key(self, request: Request[Any, Any, Any]) -> dict[str, str]:
        return {"publicKey": _notify(request).public_key}

    # -- citizen: one application, proven by the token from a successful /cek lookup ---------
    @post("/warga", status_code=201, cache_control=NO_STORE)
    async def citizen_subscribe(self, request: Request[Any, Any, Any]) -> dict[str, bool]:
        data = await _body(request)
        app_id = _citizen_app(request, data)
        await _notify(request).subscribe(_subscription(request, data), application_id=app_id)
        return {"subscribed": True}

    @post("/warga/berhenti", status_code=200, cache_control=NO_STORE)
    async def citizen_unsubscribe(self, request: Request[Any, Any, Any]) -> dict[str, bool]:
        data = await _body(request)
        app_id = _citizen_app(request, data)
        await _notify(request).unsubscribe(_endpoint(data), application_id=app_id)
        return {"subscribed": False}

    @post("/warga/status", status_code=200, cache_control=NO_STORE)
    async def citizen_state(self, request: Request[Any, Any, Any]) -> dict[str, bool]:
        data = await _body(request)
        app_id = _citizen_app(request, data)
        on = await _notify(request).is_subscribed(_endpoint(data), application_id=app_id)
        return {"subscribed": on}

    # -- officer: their own captures --------------------------------------------------------
    @post("/petugas", status_code=201, guards=[require_officer], cache_control=NO_STORE)
    async def officer_subscribe(self, request: Request[Any, Any, Any]) -> dict[str, bool]:
        data = await _body(request)
        user = current_user(request)
        assert user is not None
        await _notify(request).subscribe(_subscription(request, data), user_id=user.id)
        return {"subscribed": True}

    @post("/petugas/berhenti", status_code=200, guards=[require_officer],
          cache_control=NO_STORE)
    async def officer_unsubscribe(self, request: Request[Any, Any, Any]) -> dict[str, bool]:
        data = await _body(request)
        user = current_user(request)
        assert user is not None
        await _notify(request).unsubscribe(_endpoint(data), user_id=user.id)
        return {"subscribed": False}

    @post("/petugas/status", status_code=200, guards=[require_officer], cache_control=NO_STORE)
    async def officer_state(self, request: Request[Any, Any, Any]) -> dict[str, bool]:
        data = await _body(request)
        user = current_user(request)
        assert user is not None
        return {"subscribed": await _notify(request).is_subscribed(_endpoint(data),
                                                                   user_id=user.id)}


class OfficerNotifyController(Controller):
    path = "/petugas"
    guards = [require_officer]  # noqa: RUF012
    include_in_schema = False

    @get("/ringkasan", name="officer_summary")
    async def summary(self, request: Request[Any, Any, Any]) -> Any:
        """Today's (WIB) status changes of the officer's applications, by status."""
        user = current_user(request)
        assert user is not None
        today = wib_today()
        start = datetime.combine(today, time(0), WIB).astimezone(UTC)
        end = start + timedelta(days=1)
        rows = await _notify(request).officer_summary(
            user.id, start.isoformat(timespec="milliseconds"),
            end.isoformat(timespec="milliseconds"))
        template = "petugas/_ringkasan.html" if is_htmx(request) else "petugas/ringkasan.html"
        return render(request, template, counts=rows, today=today)


class AdminWhatsappController(Controller):
    path = "/admin"
    guards = [require_admin]  # noqa: RUF012
    include_in_schema = False

    async def _page(self, request: Request[Any, Any, Any], text: str, error: str | None,
                    status_code: int = 200, saved: bool = False) -> Any:
        notify = _notify(request)
        preview = whatsapp.fill(text, "1234567890123", "Warung Contoh",
                                notify.status_link("ABCDEFG")) if not error else None
        return render(request, "admin/whatsapp.html", status_code, text=text, error=error,
                      preview=preview, saved=saved, placeholders=whatsapp.PLACEHOLDERS)

    @get("/pesan-whatsapp", name="admin_whatsapp")
    async def edit(self, request: Request[Any, Any, Any], tersimpan: str = "") -> Any:
        text = await _notify(request).whatsapp_template()
        return await self._page(request, text, None, saved=tersimpan == "1")

    @post("/pesan-whatsapp")
    async def save(self, request: Request[Any, Any, Any]) -> Any:
        form = await request.form()
        text = str(form.get("template", ""))[: whatsapp.MAX_LENGTH * 2]
        error = whatsapp.validate_template(text)
        if error:
            return await self._page(request, text, error, 422)
        user = current_user(request)
        assert user is not None
        await _notify(request).set_whatsapp_template(text, user.username)
        return see_other(request, "/admin/pesan-whatsapp?tersimpan=1")
