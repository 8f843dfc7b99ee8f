"""Push subscriptions as JSON for static/js/push.js: the VAPID key, a citizen's
subscription to one application (proven by a recent status lookup), an officer's to their
own captures."""

from __future__ import annotations

import math
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import CacheControlHeader

from app.domain.json_input import MSG_NOT_JSON
from app.domain.throttle import client_key
from app.http_errors import user_error
from app.notify.service import MSG_BAD_SUBSCRIPTION, NotifyService
from app.routes.deps import NotifyServiceDep, RateLimiterDep, UserDep
from app.routes.json_body import json_body
from app.security import client_address, require_officer, same_origin_json
from app.services.ratelimit import RateLimiter

MSG_LOOKUP_EXPIRED = ("Waktu cek status sudah habis. Silakan cek status lagi, lalu aktifkan "
             "notifikasi.")
MSG_TOO_MANY = ("Terlalu banyak permintaan notifikasi dari perangkat atau jaringan ini. "
                "Coba lagi dalam {minutes} menit.")
NO_STORE = CacheControlHeader(no_store=True)
# What a refused subscription answers: status, error code, message for the person.
REFUSALS: dict[str, tuple[int, str, str]] = {
    "refused": (422, "bad_subscription", MSG_BAD_SUBSCRIPTION),
    "unresolved": (503, "push_service_unreachable",
                   "Layanan notifikasi browser sedang tidak bisa dihubungi. Coba lagi nanti."),
    "application_full": (409, "too_many_devices",
                         "Notifikasi permohonan ini sudah aktif di terlalu banyak perangkat. "
                         "Matikan notifikasi di perangkat lain, lalu coba lagi."),
    "client_full": (429, "too_many_subscriptions",
                    "Terlalu banyak langganan notifikasi dari jaringan ini hari ini. "
                    "Coba lagi besok."),
}


async def _body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    data = await json_body(request)
    if not isinstance(data, dict):
        raise user_error(400, "bad_json", MSG_NOT_JSON)
    return data


def _limit(request: Request[Any, Any, Any], limiter: RateLimiter) -> str:
    """The client's address, after counting this subscribe call against its limit."""
    client = client_address(request)
    wait = limiter.hit(client_key(client))
    if wait is not None:
        exc = user_error(429, "too_many_requests",
                         MSG_TOO_MANY.format(minutes=max(1, math.ceil(wait / 60))))
        exc.headers = {"Retry-After": str(math.ceil(wait))}
        raise exc
    return client


async def _subscribe(notify: NotifyService, data: dict[str, Any], client: str,
                     **owner: int) -> dict[str, bool]:
    outcome = await notify.subscribe(_subscription(notify, data), client, **owner)
    if outcome in REFUSALS:
        raise user_error(*REFUSALS[outcome])
    return {"subscribed": True}


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
                         notify: NotifyServiceDep) -> dict[str, str]:
        return {"publicKey": notify.public_key}

    # -- citizen: one application, proven by the token from a successful /cek lookup ---------
    @post("/warga", status_code=201, cache_control=NO_STORE)
    async def citizen_subscribe(self, request: Request[Any, Any, Any], notify: NotifyServiceDep,
                                subscribe_limiter: RateLimiterDep) -> dict[str, bool]:
        client = _limit(request, subscribe_limiter)
        data = await _body(request)
        return await _subscribe(notify, data, client, application_id=_citizen_app(notify, data))

    @post("/warga/berhenti", status_code=200, cache_control=NO_STORE)
    async def citizen_unsubscribe(self, request: Request[Any, Any, Any],
                                  notify: NotifyServiceDep) -> dict[str, bool]:
        data = await _body(request)
        app_id = _citizen_app(notify, data)
        await notify.unsubscribe(_endpoint(data), application_id=app_id)
        return {"subscribed": False}

    @post("/warga/status", status_code=200, cache_control=NO_STORE)
    async def citizen_state(self, request: Request[Any, Any, Any],
                            notify: NotifyServiceDep) -> dict[str, bool]:
        data = await _body(request)
        app_id = _citizen_app(notify, data)
        on = await notify.is_subscribed(_endpoint(data), application_id=app_id)
        return {"subscribed": on}

    # -- officer: their own captures --------------------------------------------------------
    @post("/petugas", status_code=201, guards=[require_officer], cache_control=NO_STORE)
    async def officer_subscribe(self, request: Request[Any, Any, Any], notify: NotifyServiceDep,
                                subscribe_limiter: RateLimiterDep,
                                user: UserDep) -> dict[str, bool]:
        client = _limit(request, subscribe_limiter)
        return await _subscribe(notify, await _body(request), client, user_id=user.id)

    @post("/petugas/berhenti", status_code=200, guards=[require_officer],
          cache_control=NO_STORE)
    async def officer_unsubscribe(self, request: Request[Any, Any, Any], notify: NotifyServiceDep,
                                  user: UserDep) -> dict[str, bool]:
        data = await _body(request)
        await notify.unsubscribe(_endpoint(data), user_id=user.id)
        return {"subscribed": False}

    @post("/petugas/status", status_code=200, guards=[require_officer], cache_control=NO_STORE)
    async def officer_state(self, request: Request[Any, Any, Any], notify: NotifyServiceDep,
                            user: UserDep) -> dict[str, bool]:
        data = await _body(request)
        return {"subscribed": await notify.is_subscribed(_endpoint(data), user_id=user.id)}
