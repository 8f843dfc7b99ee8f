"""Push subscriptions as JSON for static/js/push.js: the VAPID key, a citizen's
subscription to one application (proven by a recent status lookup), an officer's to their
own captures."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader

from app.db.users import User
from app.http_errors import user_error
from app.notify.service import MSG_BAD_SUBSCRIPTION, NotifyService
from app.security import require_officer, same_origin_json

MSG_LOOKUP_EXPIRED = ("Waktu cek status sudah habis. Silakan cek status lagi, lalu aktifkan "
             "notifikasi.")
MSG_JSON = "Data tidak bisa dibaca. Muat ulang halaman lalu coba lagi."
NO_STORE = CacheControlHeader(no_store=True)


async def _body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    try:
        data = await request.json()
    except Exception as exc:
        raise user_error(400, "bad_json", MSG_JSON) from exc
    if not isinstance(data, dict):
        raise user_error(400, "bad_json", MSG_JSON)
    return data


def _citizen_app(notify: NotifyService, data: dict[str, Any]) -> int:
    app_id = notify.tokens.verify(str(data.get("token", "")))
    if app_id is None:
        raise user_error(403, "lookup_expired", MSG_LOOKUP_EXPIRED)
    return app_id


def _endpoint(data: dict[str, Any]) -> str:
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 1000:
        raise user_error(422, "bad_subscription", MSG_BAD_SUBSCRIPTION)
    return endpoint


def _subscription(notify: NotifyService, data: dict[str, Any]) -> Any:
    sub = notify.parse_subscription(data.get("subscription"))
    if sub is None:
        raise user_error(422, "bad_subscription", MSG_BAD_SUBSCRIPTION)
    return sub


class NotifyApi(Controller):
    """JSON for static/js/push.js. CSRF: same-origin JSON only (app.security)."""

    path = "/api/push"
    guards = [same_origin_json]  # noqa: RUF012
    include_in_schema = False

    @get("/kunci", cache_control=NO_STORE)
    async def public_key(self, request: Request[Any, Any, Any],
                         notify: NotifyService) -> dict[str, str]:
        return {"publicKey": notify.public_key}

    # -- citizen: one application, proven by the token from a successful /cek lookup ---------
    @post("/warga", status_code=201, cache_control=NO_STORE)
    async def citizen_subscribe(self, request: Request[Any, Any, Any],
                                notify: NotifyService) -> dict[str, bool]:
        data = await _body(request)
        app_id = _citizen_app(notify, data)
        await notify.subscribe(_subscription(notify, data), application_id=app_id)
        return {"subscribed": True}

    @post("/warga/berhenti", status_code=200, cache_control=NO_STORE)
    async def citizen_unsubscribe(self, request: Request[Any, Any, Any],
                                  notify: NotifyService) -> dict[str, bool]:
        data = await _body(request)
        app_id = _citizen_app(notify, data)
        await notify.unsubscribe(_endpoint(data), application_id=app_id)
        return {"subscribed": False}

    @post("/warga/status", status_code=200, cache_control=NO_STORE)
    async def citizen_state(self, request: Request[Any, Any, Any],
                            notify: NotifyService) -> dict[str, bool]:
        data = await _body(request)
        app_id = _citizen_app(notify, data)
        on = await notify.is_subscribed(_endpoint(data), application_id=app_id)
        return {"subscribed": on}

    # -- officer: their own captures --------------------------------------------------------
    @post("/petugas", status_code=201, guards=[require_officer], cache_control=NO_STORE)
    async def officer_subscribe(self, request: Request[Any, Any, Any], notify: NotifyService,
                                user: User) -> dict[str, bool]:
        data = await _body(request)
        await notify.subscribe(_subscription(notify, data), user_id=user.id)
        return {"subscribed": True}

    @post("/petugas/berhenti", status_code=200, guards=[require_officer],
          cache_control=NO_STORE)
    async def officer_unsubscribe(self, request: Request[Any, Any, Any], notify: NotifyService,
                                  user: User) -> dict[str, bool]:
        data = await _body(request)
        await notify.unsubscribe(_endpoint(data), user_id=user.id)
        return {"subscribed": False}

    @post("/petugas/status", status_code=200, guards=[require_officer], cache_control=NO_STORE)
    async def officer_state(self, request: Request[Any, Any, Any], notify: NotifyService,
                            user: User) -> dict[str, bool]:
        data = await _body(request)
        return {"subscribed": await notify.is_subscribed(_endpoint(data), user_id=user.id)}
