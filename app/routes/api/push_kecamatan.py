"""A phone following a kecamatan's rounds (static/js/push.js, mode "kecamatan"): no login
and no personal data, only the browser's push subscription and the kecamatan code. The
reminders themselves: app/services/reminders.py."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post

from app.db import reminders as store
from app.http_errors import user_error
from app.reference.regions import Regions
from app.routes.api.push import NO_STORE, REFUSALS, _body, _endpoint, _limit, _subscription
from app.routes.deps import DatabaseDep, NotifyServiceDep, RateLimiterDep, RegionsDep
from app.security import same_origin_json

MSG_KECAMATAN = "Pilih kecamatan dari daftar jadwal."


def _kecamatan(regions: Regions, data: dict[str, Any], required: bool) -> str | None:
    code = data.get("kecamatan")
    if not code and not required:
        return None
    if not isinstance(code, str) or regions.kecamatan_name(code) is None:
        raise user_error(422, "bad_kecamatan", MSG_KECAMATAN)
    return code


class KecamatanPushApi(Controller):
    """JSON for static/js/push.js. CSRF: same-origin JSON only (app.security)."""

    path = "/api/push/kecamatan"
    guards = [same_origin_json]  # noqa: RUF012
    include_in_schema = False

    @post("", status_code=201, cache_control=NO_STORE)
    async def follow(self, request: Request[Any, Any, Any], notify: NotifyServiceDep,
                     regions: RegionsDep, subscribe_limiter: RateLimiterDep) -> dict[str, bool]:
        client = _limit(request, subscribe_limiter)
        data = await _body(request)
        code = _kecamatan(regions, data, required=True)
        outcome = await notify.subscribe(_subscription(notify, data), client, kecamatan=code)
        if outcome in REFUSALS:
            raise user_error(*REFUSALS[outcome])
        return {"subscribed": True}

    @post("/berhenti", status_code=200, cache_control=NO_STORE)
    async def unfollow(self, request: Request[Any, Any, Any], notify: NotifyServiceDep,
                       regions: RegionsDep, db: DatabaseDep) -> dict[str, bool]:
        """One kecamatan, or every kecamatan this phone follows when none is named."""
        data = await _body(request)
        endpoint = _endpoint(data)
        code = _kecamatan(regions, data, required=False)
        codes = [code] if code else await db.read(store.followed_kecamatan, endpoint)
        for each in codes:
            await notify.unsubscribe(endpoint, kecamatan=each)
        return {"subscribed": False}

    @post("/status", status_code=200, cache_control=NO_STORE)
    async def state(self, request: Request[Any, Any, Any], regions: RegionsDep, db: DatabaseDep
                    ) -> dict[str, Any]:
        data = await _body(request)
        endpoint = _endpoint(data)
        code = _kecamatan(regions, data, required=False)
        following = await db.read(store.followed_kecamatan, endpoint)
        names = [regions.kecamatan_name(c) or c for c in following]
        text = ("HP ini mendapat pengingat jadwal untuk: " + ", ".join(names) if names
                else "HP ini belum mendapat pengingat jadwal")
        on = code in following if code else bool(following)
        return {"subscribed": on, "text": None if code else text}
