"""The public schedule of the car's rounds (docs/schedule.md): /jadwal and /jadwal/{id}
(small pages the service worker keeps for offline reading), the feeds /jadwal.ics,
/jadwal/kecamatan/{code}.ics, /jadwal/{id}.ics and /jadwal.json with ETag and
Last-Modified, and the shareable card /jadwal/{id}/kartu.svg."""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from app.clock import iso, utc_now
from app.domain.schedule import (
    FREE,
    WHAT_TO_BRING,
    as_of_text,
    share_text,
    whatsapp_share_link,
)
from app.routes.deps import NotifyServiceDep, RegionsDep, ScheduleServiceDep
from app.routes.pages import render
from app.services.schedule import Feed

ICS = "text/calendar"  # Litestar adds "; charset=utf-8"
JSON = "application/json"
FEED_CACHE = "public, max-age=300"  # calendars poll; five minutes of staleness is fine
# Feeds and the card carry no form: no CSRF cookie on them (a Set-Cookie on a public,
# cacheable answer only gets in the way of caches), hence exclude_from_csrf below.


def _tag(etag: str, encoding: str | None) -> str:
    """Each encoding of a feed is its own representation, with its own strong ETag."""
    return f'{etag[:-1]}-{encoding}"' if encoding else etag


def not_modified(request: Request[Any, Any, Any], feed: Feed) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since. Any
    encoding's tag matches: the client holds the same rounds, however they travelled."""
    tags = request.headers.get("if-none-match")
    if tags is not None:
        known = {_tag(feed.etag, e) for e in (None, *feed.encoded)}
        return tags.strip() == "*" or bool(
            known & {t.strip().removeprefix("W/") for t in tags.split(",")})
    since = request.headers.get("if-modified-since")
    if since is None or feed.last_modified is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return feed.last_modified.replace(microsecond=0) <= moment


def _encoding(request: Request[Any, Any, Any], feed: Feed) -> str | None:
    accepted = request.headers.get("accept-encoding", "")
    return next((e for e in ("br", "gzip") if e in feed.encoded and e in accepted), None)


def feed_response(request: Request[Any, Any, Any], feed: Feed, media_type: str,
                  filename: str | None = None) -> Response[bytes]:
    encoding = _encoding(request, feed)
    headers = {"ETag": _tag(feed.etag, encoding), "Cache-Control": FEED_CACHE}
    if feed.encoded:
        headers["Vary"] = "Accept-Encoding"
    if feed.last_modified is not None:
        headers["Last-Modified"] = format_datetime(feed.last_modified.astimezone(UTC),
                                                   usegmt=True)
    if not_modified(request, feed):
        return Response(content=b"", status_code=304, headers=headers)
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if encoding:
        headers["Content-Encoding"] = encoding
        return Response(content=feed.encoded[encoding], media_type=media_type, headers=headers)
    return Response(content=feed.body, media_type=media_type, headers=headers)


def _round_id(name: str, suffix: str = "") -> int:
    """"12" or "12.ics" (with ``suffix``) -> 12; anything else is not a page."""
    core = name.removesuffix(suffix) if suffix else name
    if (suffix and not name.endswith(suffix)) or not core.isdigit() or len(core) > 9:
        raise NotFoundException()
    return int(core)


class JadwalController(Controller):
    include_in_schema = False

    @get("/jadwal", name="jadwal")
    async def jadwal(self, request: Request[Any, Any, Any], schedule: ScheduleServiceDep,
                     regions: RegionsDep, notify: NotifyServiceDep,
                     kecamatan: FromQuery[str] = "") -> Any:
        code = kecamatan if regions.kecamatan_name(kecamatan) else None
        now = utc_now()
        coming, past, served = await schedule.listing(code, now)
        return render(
            request, "citizen/jadwal.html", coming=coming, past=past, served=served, now=now,
            kecamatan=regions.kecamatan(), selected=code,
            selected_name=regions.kecamatan_name(code) if code else None,
            as_of=as_of_text(now), as_of_iso=iso(now), push_key=notify.public_key,
        )

    @get("/jadwal.ics", exclude_from_csrf=True, skip_compression=True)
    async def feed_ics(self, request: Request[Any, Any, Any], schedule: ScheduleServiceDep
                       ) -> Response[bytes]:
        return feed_response(request, await schedule.feed("ics"), ICS)

    @get("/jadwal.json", exclude_from_csrf=True, skip_compression=True)
    async def feed_json(self, request: Request[Any, Any, Any], schedule: ScheduleServiceDep
                        ) -> Response[bytes]:
        return feed_response(request, await schedule.feed("json"), JSON)

    @get("/jadwal/kecamatan/{name:str}", exclude_from_csrf=True, skip_compression=True)
    async def kecamatan_ics(self, request: Request[Any, Any, Any], schedule: ScheduleServiceDep,
                            regions: RegionsDep, name: FromPath[str]) -> Response[bytes]:
        code = name.removesuffix(".ics")
        if not name.endswith(".ics") or regions.kecamatan_name(code) is None:
            raise NotFoundException()
        return feed_response(request, await schedule.feed("ics", code), ICS)

    @get("/jadwal/{name:str}")
    async def sesi(self, request: Request[Any, Any, Any], schedule: ScheduleServiceDep,
                   notify: NotifyServiceDep, name: FromPath[str]) -> Any:
        """A round's page (/jadwal/12) or its calendar file (/jadwal/12.ics)."""
        ics = name.endswith(".ics")
        item = await schedule.one(_round_id(name, ".ics" if ics else ""))
        if item is None:
            raise NotFoundException()
        if ics:
            return feed_response(request, schedule.round_ics(item), ICS,
                                 f"jadwal-{item.id}.ics")
        now = utc_now()
        url = schedule.url(item.id)
        return render(
            request, "citizen/jadwal_sesi.html", r=item, now=now, state=item.state(now),
            served=await schedule.served(item.id) if item.state(now) == "past" else None,
            share_link=whatsapp_share_link(share_text(item, url)), bring=WHAT_TO_BRING,
            free=FREE, as_of=as_of_text(now), as_of_iso=iso(now), push_key=notify.public_key,
        )

    @get("/jadwal/{name:str}/kartu.svg", exclude_from_csrf=True)
    async def kartu(self, request: Request[Any, Any, Any], schedule: ScheduleServiceDep,
                    name: FromPath[str]) -> Response[str]:
        item = await schedule.one(_round_id(name))
        if item is None:
            raise NotFoundException()
        return Response(content=schedule.card(item), media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=300",
                                 "Last-Modified": format_datetime(
                                     item.updated_at.astimezone(UTC), usegmt=True)})

