"""OSS over HTTP: registrations (``http`` and ``simulator`` modes) and the PIA checks.

The registration API is the one the simulator serves (the official PIA has no method for a
region to create a registration, see ../shared/OSS.md); it follows PIA's conventions:

- ``POST {base}/registrasiUMK`` ``{"REGISTRASI": {...}}`` -> ``{"responregistrasiUMK": {"kode":
  200, "dataNIB": {...}}}``; validation errors: HTTP 400/422 with ``kode`` 400 and
  ``kesalahan: [{"field", "pesan"}]``;
- ``POST {base}/cekRegistrasi`` ``{"CEKREGISTRASI": {"referensi": ...}}``: the NIB issued for
  a reference (``responcekRegistrasi``), or ``kode`` 404;
- PIA ``checkNIB`` / ``inqueryNIB`` under the PIA base URL.

Every call carries header ``user_key`` and the application's client id as ``referensi``.
Timeouts are split (connect, read). How answers map to outcomes:

| what happened | outcome | ambiguous? |
| --- | --- | --- |
| 200 with a 13-digit NIB | Issued | |
| 400/409/422 with reasons | Rejected | |
| connection refused, connect timeout, pool timeout | Unavailable | no |
| 503, 429 (with Retry-After) | Unavailable | no |
| read/write timeout, reset, 500/502/504, malformed 200 | Unavailable | yes |
| 401/403/404/405 | Unavailable (our configuration, not the application) | no |

After an ambiguous outcome the forwarder marks the job in doubt; the next attempt first asks
``cekRegistrasi`` and only sends again if OSS does not know the reference.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from typing import Any

import httpx

from app.domain.backoff import parse_retry_after
from app.oss.gateway import Issued, NibCheck, Outcome, Registration, Rejected, Unavailable
from app.oss.pacing import Pacer
from app.oss.pia import parse_nib

REGISTER_PATH = "/registrasiUMK"
LOOKUP_PATH = "/cekRegistrasi"
CHECK_NIB_PATH = "/checkNIB"
INQUERY_NIB_PATH = "/inqueryNIB"

_NOT_FOUND = object()


def _client(
    user_key: str | None,
    connect_timeout_s: float,
    read_timeout_s: float,
    max_connections: int,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    headers = {"accept": "application/json"}
    if user_key:
        headers["user_key"] = user_key
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            connect=connect_timeout_s, read=read_timeout_s, write=read_timeout_s,
            pool=connect_timeout_s,
        ),
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        headers=headers,
        transport=transport,
        follow_redirects=False,
        trust_env=False,  # no proxy from the environment: OSS is called directly
    )


def _quiet_httpx() -> None:
    """httpx logs every request at INFO: at the forwarder's rate that floods the log."""
    logger = logging.getLogger("httpx")
    if logger.level < logging.WARNING:
        logger.setLevel(logging.WARNING)


def _transport_error(exc: httpx.HTTPError) -> Unavailable:
    """A request that got no HTTP answer."""
    if isinstance(exc, httpx.ConnectTimeout):
        return Unavailable("connect_timeout", detail="connect timeout")
    if isinstance(exc, httpx.PoolTimeout):
        return Unavailable("connect_timeout", detail="no free connection")
    if isinstance(exc, httpx.ConnectError):
        return Unavailable("connect", detail=type(exc).__name__)
    if isinstance(exc, httpx.TimeoutException):  # read/write timeout: OSS may have acted
        return Unavailable("timeout", ambiguous=True, detail=type(exc).__name__)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return Unavailable("reset", ambiguous=True, detail=type(exc).__name__)
    return Unavailable("network", ambiguous=True, detail=type(exc).__name__)


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (UnicodeDecodeError, ValueError):
        return _NOT_FOUND


def _section(body: Any, key: str) -> dict[str, Any] | None:
    if isinstance(body, dict) and isinstance(body.get(key), dict):
        return body[key]
    return None


def _reasons(section: dict[str, Any] | None, status_code: int) -> tuple[str, ...]:
    reasons: list[str] = []
    if section is not None:
        errors = section.get("kesalahan")
        if isinstance(errors, list):
            for error in errors:
                if isinstance(error, dict) and error.get("pesan"):
                    reasons.append(str(error["pesan"])[:300])
                elif isinstance(error, str):
                    reasons.append(error[:300])
        if not reasons and section.get("keterangan"):
            reasons.append(str(section["keterangan"])[:300])
    return tuple(reasons) or (f"OSS menolak data tanpa keterangan (HTTP {status_code}).",)


def _issued(section: dict[str, Any] | None, elapsed: float, lookup: bool) -> Outcome:
    data = section.get("dataNIB") if section else None
    nib = parse_nib(data.get("nib")) if isinstance(data, dict) else None
    if nib is None or not isinstance(data, dict):
        return Unavailable("malformed", ambiguous=True, detail="no NIB in answer",
                           elapsed_s=elapsed)
    return Issued(nib, data, elapsed_s=elapsed, found_by_lookup=lookup)


def _http_status(response: httpx.Response, elapsed: float) -> Unavailable:
    code = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if code == 429:
        return Unavailable("rate_limited", retry_after, detail="429", elapsed_s=elapsed)
    if code == 503:
        return Unavailable("http_503", retry_after, detail="503", elapsed_s=elapsed)
    if code in (401, 403):
        return Unavailable("unauthorized", detail=str(code), elapsed_s=elapsed)
    if code in (404, 405):
        return Unavailable("not_found", detail=str(code), elapsed_s=elapsed)
    # 500, 502, 504 and anything else unexpected: OSS may have processed it
    return Unavailable(f"http_{code}", retry_after, ambiguous=True, detail=str(code),
                       elapsed_s=elapsed)


class HttpGateway:
    """Registrations over HTTP with timeouts, pacing, and check-then-create after doubt."""

    mode = "http"

    def __init__(
        self,
        base_url: str,
        *,
        user_key: str | None = None,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 30.0,
        max_connections: int = 8,
        pacer: Pacer | None = None,
        retry_after_cap_s: float = math.inf,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._retry_after_cap_s = retry_after_cap_s
        _quiet_httpx()
        # One client with ONE keep-alive connection per lane, lent to one request at a time,
        # instead of one pool of N: httpcore's pool re-scans every connection (and polls its
        # socket) on each request, O(N) CPU and worse under load (encode/httpcore#1035), and
        # a request queued inside the pool can lose its connection (encode/httpcore#1110).
        self._clients = [
            _client(user_key, connect_timeout_s, read_timeout_s, 1, transport)
            for _ in range(max(1, max_connections))
        ]
        self._lanes: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
        for client in self._clients:
            self._lanes.put_nowait(client)
        self._pacer = pacer or Pacer(0)

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    async def _post(self, path: str, body: dict[str, Any]) -> tuple[httpx.Response | Unavailable,
                                                                     float]:
        await self._pacer.acquire()
        lane = await self._lanes.get()
        started = time.monotonic()
        try:
            response = await lane.post(self.base_url + path, json=body)
        except httpx.HTTPError as exc:
            return _transport_error(exc), time.monotonic() - started
        finally:
            self._lanes.put_nowait(lane)
        elapsed = time.monotonic() - started
        if response.status_code == 429:
            retry = parse_retry_after(response.headers.get("retry-after")) or 1.0
            # OSS asked everyone to slow down, not just this job (for at most the cap)
            self._pacer.pause(min(retry, self._retry_after_cap_s))
        return response, elapsed

    async def lookup(self, reference: str) -> tuple[Outcome | None, float]:
        """The NIB OSS issued for ``reference`` (None when OSS does not know it), and the
        seconds the call took."""
        answer, elapsed = await self._post(LOOKUP_PATH, {"CEKREGISTRASI": {"referensi": reference}})
        if isinstance(answer, Unavailable):
            return _with_elapsed(answer, elapsed), elapsed
        section = _section(_json(answer), "responcekRegistrasi")
        if answer.status_code == 404 or (section is not None and section.get("kode") == 404):
            return None, elapsed
        if answer.status_code != 200:
            return _http_status(answer, elapsed), elapsed
        if section is None:
            return Unavailable("malformed", detail="lookup answer unreadable",
                               elapsed_s=elapsed), elapsed
        return _issued(section, elapsed, lookup=True), elapsed

    async def submit(self, registration: Registration, *, in_doubt: bool) -> Outcome:
        spent = 0.0
        if in_doubt:
            found, spent = await self.lookup(registration.reference)
            if found is not None:
                return found
        answer, elapsed = await self._post(REGISTER_PATH, {"REGISTRASI": registration.payload})
        spent += elapsed
        if isinstance(answer, Unavailable):
            return _with_elapsed(answer, spent)
        body = _json(answer)
        section = _section(body, "responregistrasiUMK")
        code = answer.status_code
        if code == 200:
            if section is None:
                return Unavailable("malformed", ambiguous=True, detail="answer unreadable",
                                   elapsed_s=spent)
            return _issued(section, spent, lookup=False)
        if code in (400, 409, 422):
            return Rejected(_reasons(section, code), elapsed_s=spent)
        return _http_status(answer, spent)


def _with_elapsed(outcome: Unavailable, elapsed: float) -> Unavailable:
    return Unavailable(outcome.reason, outcome.retry_after, outcome.ambiguous, outcome.detail,
                       elapsed)


class PiaClient:
    """PIA calls the region makes to OSS: ``checkNIB`` (and ``inqueryNIB``)."""

    def __init__(
        self,
        base_url: str,
        *,
        user_key: str,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = _client(user_key, connect_timeout_s, read_timeout_s, 4, transport)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _call(self, path: str, body: dict[str, Any], key: str) -> NibCheck:
        try:
            response = await self._client.post(self.base_url + path, json=body)
        except httpx.HTTPError as exc:
            return NibCheck("unreachable", detail=_transport_error(exc).reason)
        section = _section(_json(response), key)
        kode = section.get("kode") if section else None
        if response.status_code in (200, 400, 404) and kode in (400, 404, "400", "404"):
            return NibCheck("unknown", detail=str(section.get("keterangan", "")) if section
                            else "")
        if response.status_code != 200 or section is None or kode not in (200, "200"):
            return NibCheck("unreachable", detail=f"HTTP {response.status_code}")
        data = section.get("dataNIB")
        if not isinstance(data, dict):
            return NibCheck("unreachable", detail="no dataNIB")
        return NibCheck("valid", data)

    async def check_nib(self, nib: str) -> NibCheck:
        check = await self._call(CHECK_NIB_PATH, {"CHECKNIB": {"nib": nib}}, "responcheckNIB")
        if check.state == "valid" and parse_nib(check.data.get("nib")) != nib:
            return NibCheck("unknown", detail="OSS answered for another NIB")
        return check

    async def inquery_nib(self, nib: str) -> NibCheck:
        return await self._call(INQUERY_NIB_PATH, {"INQUERYNIB": {"nib": nib}},
                                "responinqueryNIB")
