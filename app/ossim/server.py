"""The simulator's ASGI app: routes, the gate every API request passes, faults, admin.

``/v1/kl/rba/<method>`` (POST): the user_key check, the rate limit (429 with Retry-After),
then the fault plan (faults.py) decides whether to answer, fail before acting, or act and
then fail; what OSS does is in methods.py. ``/_sim/...``: the admin endpoints (never
faulted or rate-limited), listed in the package docstring. A receiveNIB push to the app is
sent from here, with the SHA1 token of PIA (``app.oss.pia``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import random
import signal
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from app.oss.pacing import TokenBucket
from app.oss.pia import parse_nib, pia_token, token_days
from app.ossim import faults as fault_plan
from app.ossim.asgi import (
    Receive,
    Scope,
    Send,
    read_json,
    reset_connection,
    respond,
    respond_raw,
    until_disconnect,
)
from app.ossim.asgi import header as request_header
from app.ossim.counters import Counters
from app.ossim.faults import DownWindow, Fault, FaultConfig
from app.ossim.methods import OssMethods, Record
from app.ossim.store import NibStore

log = logging.getLogger("app.ossim")

API_PREFIX = "/v1/kl/rba"


@dataclass(slots=True)
class SimSettings:
    faults: FaultConfig = field(default_factory=FaultConfig)
    user_key: str | None = None
    pia_username: str | None = None
    pia_password: str | None = None
    push_url: str | None = None
    push_on_issue: bool = False
    parent_pid: int | None = None


class Simulator:
    def __init__(self, settings: SimSettings, store: NibStore, kbli: dict[str, tuple[str, str]],
                 rng: random.Random) -> None:
        self.settings = settings
        self.store = store
        self.rng = rng
        self.counters = Counters()
        self.methods = OssMethods(store, kbli, self.counters, self._issued)
        self.handlers = self.methods.handlers()
        self.in_flight = 0
        self.bucket: TokenBucket | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._apply_rate()

    def _apply_rate(self) -> None:
        faults = self.settings.faults
        self.bucket = (TokenBucket(faults.rate_limit, faults.rate_burst)
                       if faults.rate_limit > 0 else None)

    # -- ASGI -------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path.startswith("/_sim/"):
            await self._admin(scope, receive, send, path[6:])
        elif path.startswith(API_PREFIX + "/") and scope["method"] == "POST":
            await self._api(scope, receive, send, path[len(API_PREFIX) + 1:])
        else:
            await respond(send, 404, {"kode": 404, "keterangan": "Service Tidak Ditemukan"})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.settings.parent_pid:
                    self._spawn(self._watch_parent(self.settings.parent_pid))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in list(self._background):
                    task.cancel()
                self.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _watch_parent(self, parent_pid: int) -> None:
        """Exit with the app that started us, even if it was killed with SIGKILL."""
        while True:
            await asyncio.sleep(0.5)
            if os.getppid() != parent_pid:
                log.warning("parent %s is gone: stopping", parent_pid)
                os.kill(os.getpid(), signal.SIGTERM)
                return

    # -- the OSS API -----------------------------------------------------------------------
    async def _api(self, scope: Scope, receive: Receive, send: Send, method: str) -> None:
        handler = self.handlers.get(method)
        if handler is None:
            await respond(send, 404, {"kode": 404, "keterangan": "Service Tidak Ditemukan"})
            return
        counters = self.counters
        now = time.monotonic()
        counters.arrival(now)
        self.in_flight += 1
        counters.max_in_flight = max(counters.max_in_flight, self.in_flight)
        key = "respon" + method
        try:
            expected = self.settings.user_key
            if expected and request_header(scope, b"user_key") != expected:
                counters.values["unauthorized"] += 1
                await respond(send, 401, {key: {"kode": 401,
                                                 "keterangan": "User Akses Tidak Valid"}})
                return
            if self.bucket is not None:
                wait = self.bucket.try_take()
                if wait > 0:
                    counters.values["rate_limited"] += 1
                    await respond(send, 429, {key: {"kode": 429, "keterangan":
                                                     "Terlalu banyak permintaan"}},
                                   [(b"retry-after", str(max(1, math.ceil(wait))).encode())])
                    return
            faults = self.settings.faults
            fault = fault_plan.decide(faults, now, self.rng)
            if fault is not None:
                counters.faults[fault.kind] += 1
                if fault.down:
                    counters.values["down_requests"] += 1
                    counters.down_arrivals.append(now - counters.started)
            delay = fault_plan.latency_s(faults, self.rng)
            if delay:
                await asyncio.sleep(delay)
            body = await read_json(receive)
            if fault is not None and not fault.acts_first:
                await self._fail(scope, receive, send, fault, key, now)
                return
            status, answer = handler(body)
            if fault is not None:
                await self._fail(scope, receive, send, fault, key, now)
                return
            await respond(send, status, answer)
        finally:
            self.in_flight -= 1

    async def _fail(self, scope: Scope, receive: Receive, send: Send, fault: Fault, key: str,
                    now: float) -> None:
        kind = fault.kind
        if kind == "503":
            headers = []
            window = fault_plan.in_down_window(self.settings.faults, now)
            if window is not None:
                headers.append((b"retry-after", str(max(1, math.ceil(window.end - now))).encode()))
            await respond(send, 503, {"kode": 503, "keterangan": "Layanan OSS sedang tidak "
                                       "tersedia"}, headers)
        elif kind == "500":
            await respond(send, 500, {key: {"kode": 500, "keterangan":
                                             "Proses Payload Data Di Sistem OSS Gagal"}})
        elif kind == "504":
            await respond(send, 504, {key: {"kode": 504, "keterangan":
                                             "Proses Payload Data Di Sistem OSS Timeout"}})
        elif kind == "malformed":
            raw = json.dumps({key: {"kode": 200, "dataNIB": {"nib": "9"}}}).encode()
            await respond_raw(send, 200, raw[: len(raw) // 2])
        elif kind == "hang":
            try:
                await asyncio.wait_for(until_disconnect(receive),
                                       timeout=self.settings.faults.hang_s)
            except TimeoutError:
                await respond(send, 504, {key: {"kode": 504, "keterangan":
                                                 "Proses Payload Data Di Sistem OSS Timeout"}})
        elif kind == "reset":
            reset_connection(scope)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(until_disconnect(receive), timeout=1.0)

    # -- receiveNIB push ---------------------------------------------------------------------
    def _issued(self, record: Record) -> None:
        """A new NIB: with ``--push-on-issue``, push it to the app as OSS does."""
        if self.settings.push_on_issue and self.settings.push_url:
            self._spawn(self._push(record, None))

    async def _push(self, record: Record, token: str | None) -> tuple[int, Any]:
        import httpx

        settings = self.settings
        if not settings.push_url:
            return 0, {"error": "no push URL configured"}
        if token is None:
            token = pia_token(settings.pia_username or "", settings.pia_password or "",
                              record["nib"], token_days(datetime.now(UTC))[0])
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
            response = await client.post(settings.push_url, json={"dataNIB": record},
                                         headers={"Token": token})
        self.counters.values["pushes_sent"] += 1
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text[:500]

    # -- admin -----------------------------------------------------------------------------
    async def _admin(self, scope: Scope, receive: Receive, send: Send, action: str) -> None:
        method = scope["method"]
        body = await read_json(receive) if method == "POST" else None
        if not isinstance(body, dict):
            body = {}
        now = time.monotonic()
        faults = self.settings.faults
        if action == "health":
            await respond(send, 200, {"ok": True})
        elif action == "counters" and method == "GET":
            await respond(send, 200, self.counters.to_json(self.in_flight, self.store.count()))
        elif action == "counters/reset" and method == "POST":
            self.counters.reset()
            await respond(send, 200, {"ok": True})
        elif action == "faults":
            if method == "POST":
                try:
                    fault_plan.update_faults(faults, body, now)
                except (TypeError, ValueError) as exc:
                    await respond(send, 400, {"error": str(exc)})
                    return
                self._apply_rate()
            await respond(send, 200, faults.to_json(now))
        elif action == "down" and method == "POST":
            start = now + float(body.get("in_s", 0))
            mode = str(body.get("mode", "503"))
            if mode not in fault_plan.DOWN_MODES:
                await respond(send, 400, {"error": f"mode must be one of {fault_plan.DOWN_MODES}"})
                return
            faults.down.append(DownWindow(start, start + float(body.get("for_s", 3600)), mode))
            await respond(send, 200, faults.to_json(now))
        elif action == "up" and method == "POST":
            faults.down.clear()
            await respond(send, 200, faults.to_json(now))
        elif action == "portal" and method == "POST":
            record = self.methods.portal_record(body)
            await respond(send, 200, {"nib": record["nib"]})
        elif action == "push" and method == "POST":
            nib = parse_nib(body.get("nib"))
            record = self.store.by_nib(nib) if nib else self.methods.portal_record(body)
            if record is None:
                await respond(send, 404, {"error": "unknown NIB"})
                return
            status, answer = await self._push(record, body.get("token"))
            await respond(send, 200, {"nib": record["nib"], "status": status, "answer": answer})
        elif action == "nibs" and method == "GET":
            query = parse_qs(scope.get("query_string", b"").decode())
            if "reference" in query:
                found = self.store.by_reference(query["reference"][0])
                await respond(send, 200, {"nib": found["nib"] if found else None})
            else:
                pairs = self.store.all()
                await respond(send, 200, {"count": len(pairs), "nibs": pairs})
        else:
            await respond(send, 404, {"error": "unknown admin action"})
