"""A local OSS: issues NIBs, serves PIA's methods, pushes receiveNIB, and fails on command.

Run: ``python -m app.oss.simulator --port 8001 [--db PATH] [fault flags]`` (plain ASGI app
under uvicorn, loopback only). ``python -m app serve`` starts one beside the app by default.

API (base ``/v1/kl/rba``, header ``user_key`` when configured), see http_gateway.py:
- ``registrasiUMK``: validates like OSS (NIK per Dukcapil rules, owner at least 17, KBLI in
  KBLI 2020 and open to a perseorangan UMK) and issues a 13-digit NIB, ONE per reference for
  ever: NIBs live in a small SQLite file, so a restart keeps them;
- ``cekRegistrasi``: the NIB of a reference, or 404;
- PIA ``checkNIB`` and ``inqueryNIB`` with OSS's JSON shapes.

Faults (flags and ``POST /_sim/faults``; see faults.py for which act before failing):
``--error-rate`` with ``--fault-mix 503=1,500=1,504=1,hang=1,reset=1,malformed=1``,
``--latency-ms A-B``, ``--hang-s``, ``--down START:END[:MODE]`` windows (MODE 503, hang or
reset), ``--rate-limit R --rate-burst B`` (429 with Retry-After). A refused connection is
the simulator not running: stop the process (NIBs survive a restart).

Admin (never faulted or rate-limited): ``GET /_sim/counters`` (requests, probes during down
windows, NIBs issued, duplicates, max concurrent in flight, max requests in any second),
``POST /_sim/counters/reset``, ``GET|POST /_sim/faults``, ``POST /_sim/down``
``{"for_s", "mode", "in_s"}``, ``POST /_sim/up``, ``POST /_sim/portal`` (a NIB issued in
the portal, not pushed), ``POST /_sim/push`` (push receiveNIB to the app with the SHA1
token; ``"token"`` overrides it), ``GET /_sim/nibs[?reference=]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import logging
import math
import os
import random
import secrets
import signal
import socket
import sqlite3
import struct
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.domain.errors import FieldError
from app.domain.nik import parse_nik
from app.oss import faults as fault_plan
from app.oss.faults import DownWindow, Fault, FaultConfig
from app.oss.pacing import TokenBucket
from app.oss.pia import (
    MSG_NIB_NOT_FOUND,
    check_answer,
    inquery_answer,
    micro_business_record,
    parse_nib,
    pia_token,
    token_days,
)

log = logging.getLogger("app.oss.simulator")

API_PREFIX = "/v1/kl/rba"
KBLI_CSV = Path(__file__).resolve().parent.parent / "data" / "kbli2020.csv"
# KBLI sections a perseorangan micro business cannot take in OSS: financial services (K),
# public administration (O), extraterritorial bodies (U).
CLOSED_SECTIONS = {"K": "Jasa Keuangan", "O": "Administrasi Pemerintahan",
                   "U": "Badan Internasional"}
MIN_AGE = 17
MAX_BODY = 1024 * 1024

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# uvicorn's transports by client address, so a fault can reset a connection (RST).
_TRANSPORTS: dict[tuple[str, int], asyncio.Transport] = {}


class TrackingProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.client:
            _TRANSPORTS[(self.client[0], self.client[1])] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.client:
            _TRANSPORTS.pop((self.client[0], self.client[1]), None)
        super().connection_lost(exc)


# -- the NIB register -----------------------------------------------------------------------------
class NibStore:
    """NIBs by reference in SQLite (WAL): one per reference, for ever, across restarts and
    even across two simulators sharing the file."""

    def __init__(self, path: Path, rng: random.Random) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._rng = rng
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # a killed process loses nothing
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS nibs (reference TEXT PRIMARY KEY, nib TEXT NOT NULL"
            " UNIQUE, oss_id TEXT NOT NULL, issued_at TEXT NOT NULL, nik TEXT NOT NULL,"
            " npwp TEXT, record_json TEXT NOT NULL, source TEXT NOT NULL)"
        )

    def close(self) -> None:
        self._conn.close()

    def by_reference(self, reference: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT record_json FROM nibs WHERE reference = ?", (reference,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def by_nib(self, nib: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT record_json FROM nibs WHERE nib = ?", (nib,)).fetchone()
        return json.loads(row[0]) if row else None

    def by_npwp(self, npwp: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT record_json FROM nibs WHERE npwp = ? ORDER BY rowid LIMIT 1", (npwp,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def issue(
        self, reference: str, nik: str, npwp: str | None, source: str,
        make_record: Callable[[str, str, datetime], dict[str, Any]],
    ) -> tuple[dict[str, Any], bool]:
        """The record for ``reference``, issuing a new NIB if it has none. (record, new?)"""
        existing = self.by_reference(reference)
        if existing is not None:
            return existing, False
        for _ in range(20):
            now = datetime.now(UTC)
            nib = str(self._rng.randrange(10**12, 10**13))
            oss_id = "P-" + now.strftime("%Y%m%d%H%M%S") + f"{self._rng.randrange(10**9):09d}"
            record = make_record(nib, oss_id, now)
            try:
                self._conn.execute(
                    "INSERT INTO nibs (reference, nib, oss_id, issued_at, nik, npwp,"
                    " record_json, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (reference, nib, oss_id, now.isoformat(), nik, npwp, json.dumps(record),
                     source),
                )
            except sqlite3.IntegrityError:
                existing = self.by_reference(reference)
                if existing is not None:  # another simulator on the same file was first
                    return existing, False
                continue  # the random NIB was taken: draw another
            return record, True
        raise RuntimeError("could not draw a free NIB")

    def count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM nibs").fetchone()[0]

    def all(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self._conn.execute(
            "SELECT reference, nib FROM nibs ORDER BY rowid")]


def load_kbli(path: Path = KBLI_CSV) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: (row["title"], row["section"]) for row in csv.DictReader(fh)}


# -- validation like OSS --------------------------------------------------------------------------
def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def validate_registration(
    reg: object, kbli: dict[str, tuple[str, str]], today: date
) -> list[dict[str, str]]:
    """OSS's checks of a micro business registration: one error per problem."""
    if not isinstance(reg, dict):
        return [{"field": "REGISTRASI", "pesan": "Data registrasi tidak ditemukan."}]
    errors: list[dict[str, str]] = []

    def err(name: str, message: str) -> None:
        errors.append({"field": name, "pesan": message})

    reference = reg.get("referensi")
    if not isinstance(reference, str) or not 8 <= len(reference) <= 64:
        err("referensi", "Referensi permohonan wajib diisi (8-64 karakter).")
    if reg.get("jenis_pelaku_usaha") != "02":
        err("jenis_pelaku_usaha", "Jenis pelaku usaha harus 02 (orang perseorangan).")
    if reg.get("jenis_identitas") != "01":
        err("jenis_identitas", "Jenis identitas harus 01 (KTP).")
    try:
        nik = parse_nik(str(reg.get("no_identitas", "")), today)
    except FieldError:
        err("no_identitas", "NIK tidak sesuai data kependudukan (Dukcapil).")
    else:
        if _age(nik.birth_date, today) < MIN_AGE:
            err("no_identitas",
                f"Pelaku usaha perseorangan harus berusia minimal {MIN_AGE} tahun.")
    name = reg.get("nama")
    if not isinstance(name, str) or len(name.strip()) < 3:
        err("nama", "Nama pelaku usaha wajib diisi sesuai KTP.")
    region = reg.get("daerah_id")
    if not (isinstance(region, str) and len(region) == 10 and region.isdigit()):
        err("daerah_id", "Kode wilayah harus 10 angka (Kemendagri).")
    projects = reg.get("data_proyek")
    if not isinstance(projects, list) or not projects:
        err("data_proyek", "Minimal satu kegiatan usaha (KBLI) wajib diisi.")
        return errors
    for project in projects:
        code = project.get("kbli") if isinstance(project, dict) else None
        if not (isinstance(code, str) and len(code) == 5 and code.isdigit()):
            err("kbli", "Kode KBLI harus 5 angka.")
            continue
        entry = kbli.get(code)
        if entry is None:
            err("kbli", f"KBLI {code} tidak terdaftar dalam KBLI 2020.")
        elif entry[1] in CLOSED_SECTIONS:
            err("kbli", f"KBLI {code} ({entry[0]}) termasuk bidang "
                        f"{CLOSED_SECTIONS[entry[1]]} dan tidak dapat dipilih oleh pelaku "
                        "usaha perseorangan UMK.")
    return errors


def _summary(record: dict[str, Any]) -> dict[str, Any]:
    """What the registration answer carries: the NIB and its permit data, no personal data."""
    return {
        "nib": record["nib"],
        "oss_id": record["oss_id"],
        "tgl_terbit_nib": record["tgl_terbit_nib"],
        "status_nib": record["status_nib"],
        "skala_usaha": record["skala_usaha"],
        "kbli": [p["kbli"] for p in record.get("data_proyek", [])],
    }


# -- the simulator --------------------------------------------------------------------------------
@dataclass(slots=True)
class SimSettings:
    faults: FaultConfig = field(default_factory=FaultConfig)
    user_key: str | None = None
    pia_username: str | None = None
    pia_password: str | None = None
    push_url: str | None = None
    push_on_issue: bool = False
    parent_pid: int | None = None


class Counters:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.started = time.monotonic()
        self.values: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.down_arrivals: list[float] = []
        self.max_in_flight = 0
        self._window: deque[float] = deque()
        self.max_per_second = 0

    def arrival(self, now: float) -> None:
        self.values["requests"] += 1
        window = self._window
        window.append(now)
        while window and window[0] <= now - 1.0:
            window.popleft()
        self.max_per_second = max(self.max_per_second, len(window))

    def to_json(self, in_flight: int, nibs_total: int) -> dict[str, Any]:
        return {
            **{k: self.values.get(k, 0) for k in (
                "requests", "registrations", "lookups", "check_nib", "inquery_nib",
                "nibs_issued", "duplicate_registrations", "rejected", "rate_limited",
                "unauthorized", "down_requests", "pushes_sent")},
            "faults": dict(self.faults),
            "down_arrivals": [round(t, 4) for t in self.down_arrivals[:2000]],
            "in_flight": in_flight,
            "max_in_flight": self.max_in_flight,
            "max_per_second": self.max_per_second,
            "nibs_total": nibs_total,
            "seconds": round(time.monotonic() - self.started, 3),
        }


class Simulator:
    def __init__(self, settings: SimSettings, store: NibStore, kbli: dict[str, tuple[str, str]],
                 rng: random.Random) -> None:
        self.settings = settings
        self.store = store
        self.kbli = kbli
        self.rng = rng
        self.counters = Counters()
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
            await _respond(send, 404, {"kode": 404, "keterangan": "Service Tidak Ditemukan"})

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
        handlers: dict[str, Callable[[Any], tuple[int, dict[str, Any]]]] = {
            "registrasiUMK": self._register,
            "cekRegistrasi": self._lookup,
            "checkNIB": self._check_nib,
            "inqueryNIB": self._inquery_nib,
        }
        handler = handlers.get(method)
        if handler is None:
            await _respond(send, 404, {"kode": 404, "keterangan": "Service Tidak Ditemukan"})
            return
        counters = self.counters
        now = time.monotonic()
        counters.arrival(now)
        self.in_flight += 1
        counters.max_in_flight = max(counters.max_in_flight, self.in_flight)
        key = "respon" + method
        try:
            expected = self.settings.user_key
            if expected and _header(scope, b"user_key") != expected:
                counters.values["unauthorized"] += 1
                await _respond(send, 401, {key: {"kode": 401,
                                                 "keterangan": "User Akses Tidak Valid"}})
                return
            if self.bucket is not None:
                wait = self.bucket.try_take()
                if wait > 0:
                    counters.values["rate_limited"] += 1
                    await _respond(send, 429, {key: {"kode": 429, "keterangan":
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
            body = await _read_json(receive)
            if fault is not None and not fault.acts_first:
                await self._fail(scope, receive, send, fault, key, now)
                return
            status, answer = handler(body)
            if fault is not None:
                await self._fail(scope, receive, send, fault, key, now)
                return
            await _respond(send, status, answer)
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
            await _respond(send, 503, {"kode": 503, "keterangan": "Layanan OSS sedang tidak "
                                       "tersedia"}, headers)
        elif kind == "500":
            await _respond(send, 500, {key: {"kode": 500, "keterangan":
                                             "Proses Payload Data Di Sistem OSS Gagal"}})
        elif kind == "504":
            await _respond(send, 504, {key: {"kode": 504, "keterangan":
                                             "Proses Payload Data Di Sistem OSS Timeout"}})
        elif kind == "malformed":
            raw = json.dumps({key: {"kode": 200, "dataNIB": {"nib": "9"}}}).encode()
            await _respond_raw(send, 200, raw[: len(raw) // 2])
        elif kind == "hang":
            try:
                await asyncio.wait_for(_until_disconnect(receive),
                                       timeout=self.settings.faults.hang_s)
            except TimeoutError:
                await _respond(send, 504, {key: {"kode": 504, "keterangan":
                                                 "Proses Payload Data Di Sistem OSS Timeout"}})
        elif kind == "reset":
            _reset(scope)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_until_disconnect(receive), timeout=1.0)

    def _register(self, body: Any) -> tuple[int, dict[str, Any]]:
        counters = self.counters
        counters.values["registrations"] += 1
        reg = body.get("REGISTRASI") if isinstance(body, dict) else None
        errors = validate_registration(reg, self.kbli, datetime.now(UTC).date())
        key = "responregistrasiUMK"
        if errors:
            counters.values["rejected"] += 1
            return 400, {key: {"kode": 400, "keterangan": "Data tidak valid",
                               "kesalahan": errors}}
        assert isinstance(reg, dict)
        record, new = self._issue(reg["referensi"], reg, "api")
        if new:
            counters.values["nibs_issued"] += 1
        else:
            counters.values["duplicate_registrations"] += 1
        return 200, {key: {"kode": 200, "keterangan": "NIB terbit", "dataNIB": _summary(record)}}

    def _issue(self, reference: str, reg: dict[str, Any], source: str) -> tuple[dict[str, Any],
                                                                                 bool]:
        projects = [p for p in reg.get("data_proyek", []) if isinstance(p, dict)]
        first = projects[0] if projects else {}

        def make(nib: str, oss_id: str, now: datetime) -> dict[str, Any]:
            return micro_business_record(
                nib=nib, oss_id=oss_id, issued_at=now, nik=str(reg.get("no_identitas", "")),
                name=str(reg.get("nama", "")),
                business_name=str(first.get("nama_kegiatan", reg.get("nama", ""))),
                kblis=[(str(p.get("kbli")), self.kbli.get(str(p.get("kbli")), ("", ""))[0])
                       for p in projects],
                region_id=str(reg.get("daerah_id", "")),
                address=str(first.get("alamat_usaha", reg.get("alamat", ""))),
                scale=str(reg.get("skala_usaha", "01")),
                workers_male=int(first.get("jumlah_tki_l", 0) or 0),
                workers_female=int(first.get("jumlah_tki_p", 0) or 0),
                capital=int(first.get("modal_kerja", 0) or 0),
            )

        record, new = self.store.issue(reference, str(reg.get("no_identitas", "")),
                                       reg.get("npwp") or None, source, make)
        if new and self.settings.push_on_issue and self.settings.push_url:
            self._spawn(self._push(record, None))
        return record, new

    def _lookup(self, body: Any) -> tuple[int, dict[str, Any]]:
        self.counters.values["lookups"] += 1
        query = body.get("CEKREGISTRASI") if isinstance(body, dict) else None
        reference = query.get("referensi") if isinstance(query, dict) else None
        record = self.store.by_reference(reference) if isinstance(reference, str) else None
        key = "responcekRegistrasi"
        if record is None:
            return 404, {key: {"kode": 404, "keterangan": "Referensi tidak ditemukan"}}
        return 200, {key: {"kode": 200, "keterangan": "Ditemukan", "dataNIB": _summary(record)}}

    def _check_nib(self, body: Any) -> tuple[int, dict[str, Any]]:
        self.counters.values["check_nib"] += 1
        query = body.get("CHECKNIB") if isinstance(body, dict) else None
        nib = parse_nib(query.get("nib")) if isinstance(query, dict) else None
        record = self.store.by_nib(nib) if nib else None
        if record is None:
            return 400, check_answer(400, MSG_NIB_NOT_FOUND, None)
        return 200, check_answer(200, "Sukses", {"nib": record["nib"], "nama_perusahaan":
                                                 record["nama_perseroan"],
                                                 "status": record["status_nib"]})

    def _inquery_nib(self, body: Any) -> tuple[int, dict[str, Any]]:
        self.counters.values["inquery_nib"] += 1
        query = body.get("INQUERYNIB") if isinstance(body, dict) else None
        record = None
        if isinstance(query, dict):
            nib = parse_nib(query.get("nib"))
            if nib:
                record = self.store.by_nib(nib)
            elif isinstance(query.get("npwp"), str):
                record = self.store.by_npwp(query["npwp"])
        if record is None:
            return 400, inquery_answer(400, MSG_NIB_NOT_FOUND, None)
        return 200, inquery_answer(200, "", record)

    # -- receiveNIB push ---------------------------------------------------------------------
    async def _push(self, record: dict[str, Any], token: str | None) -> tuple[int, Any]:
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
        body = await _read_json(receive) if method == "POST" else None
        if not isinstance(body, dict):
            body = {}
        now = time.monotonic()
        faults = self.settings.faults
        if action == "health":
            await _respond(send, 200, {"ok": True})
        elif action == "counters" and method == "GET":
            await _respond(send, 200, self.counters.to_json(self.in_flight, self.store.count()))
        elif action == "counters/reset" and method == "POST":
            self.counters.reset()
            await _respond(send, 200, {"ok": True})
        elif action == "faults":
            if method == "POST":
                try:
                    update_faults(faults, body, now)
                except (TypeError, ValueError) as exc:
                    await _respond(send, 400, {"error": str(exc)})
                    return
                self._apply_rate()
            await _respond(send, 200, faults.to_json(now))
        elif action == "down" and method == "POST":
            start = now + float(body.get("in_s", 0))
            mode = str(body.get("mode", "503"))
            if mode not in fault_plan.DOWN_MODES:
                await _respond(send, 400, {"error": f"mode must be one of {fault_plan.DOWN_MODES}"})
                return
            faults.down.append(DownWindow(start, start + float(body.get("for_s", 3600)), mode))
            await _respond(send, 200, faults.to_json(now))
        elif action == "up" and method == "POST":
            faults.down.clear()
            await _respond(send, 200, faults.to_json(now))
        elif action == "portal" and method == "POST":
            record = self._portal_record(body)
            await _respond(send, 200, {"nib": record["nib"]})
        elif action == "push" and method == "POST":
            nib = parse_nib(body.get("nib"))
            record = self.store.by_nib(nib) if nib else self._portal_record(body)
            if record is None:
                await _respond(send, 404, {"error": "unknown NIB"})
                return
            status, answer = await self._push(record, body.get("token"))
            await _respond(send, 200, {"nib": record["nib"], "status": status, "answer": answer})
        elif action == "nibs" and method == "GET":
            query = parse_qs(scope.get("query_string", b"").decode())
            if "reference" in query:
                found = self.store.by_reference(query["reference"][0])
                await _respond(send, 200, {"nib": found["nib"] if found else None})
            else:
                pairs = self.store.all()
                await _respond(send, 200, {"count": len(pairs), "nibs": pairs})
        else:
            await _respond(send, 404, {"error": "unknown admin action"})

    def _portal_record(self, body: dict[str, Any]) -> dict[str, Any]:
        """A NIB registered in the OSS portal (not through our API)."""
        kblis = body.get("kbli") or []
        reg = {
            "no_identitas": str(body.get("nik", "")),
            "nama": str(body.get("nama", "Pelaku Usaha")),
            "daerah_id": str(body.get("daerah_id", "3505012001")),
            "data_proyek": [{"kbli": str(code), "nama_kegiatan": str(body.get("nama_usaha",
                                                                              "Usaha Mikro"))}
                            for code in kblis],
        }
        record, _ = self._issue("portal:" + secrets.token_hex(8), reg, "portal")
        return record


def update_faults(faults: FaultConfig, body: dict[str, Any], now: float) -> None:
    """Apply a partial fault configuration from the admin endpoint."""
    if "error_rate" in body:
        rate = float(body["error_rate"])
        if not 0 <= rate <= 1:
            raise ValueError("error_rate must be between 0 and 1")
        faults.error_rate = rate
    if "fault_mix" in body:
        mix = body["fault_mix"]
        faults.fault_mix = fault_plan.parse_mix(
            mix if isinstance(mix, str) else ",".join(f"{k}={v}" for k, v in mix.items()))
    if "latency_ms" in body:
        value = body["latency_ms"]
        faults.latency_ms = (fault_plan.parse_latency(value) if isinstance(value, str)
                             else (float(value[0]), float(value[-1])))
    if "hang_s" in body:
        faults.hang_s = float(body["hang_s"])
    if "rate_limit" in body:
        faults.rate_limit = float(body["rate_limit"])
    if "rate_burst" in body:
        faults.rate_burst = max(1, int(body["rate_burst"]))
    if body.get("clear_down"):
        faults.down.clear()
    for window in body.get("down", []):
        start = now + float(window.get("start_s", 0))
        faults.down.append(DownWindow(start, start + float(window["end_s"]) -
                                      float(window.get("start_s", 0)),
                                      str(window.get("mode", "503"))))


# -- ASGI helpers ---------------------------------------------------------------------------------
def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


async def _read_json(receive: Receive) -> Any:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    try:
        return json.loads(b"".join(chunks) or b"null")
    except (UnicodeDecodeError, ValueError):
        return None


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _respond(send: Send, status: int, body: Any,
                   headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await _respond_raw(send, status, json.dumps(body, ensure_ascii=False).encode(), headers)


async def _respond_raw(send: Send, status: int, raw: bytes,
                       headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(raw)).encode()), *(headers or [])],
    })
    await send({"type": "http.response.body", "body": raw})


def _reset(scope: Scope) -> None:
    """Reset the request's TCP connection: SO_LINGER 0, then abort (the peer gets RST)."""
    client = scope.get("client")
    transport = _TRANSPORTS.get((client[0], client[1])) if client else None
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


# -- command line ---------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.oss.simulator",
                                     description="A local OSS for Joss Banget Mas")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, default=Path("var/oss-simulator.sqlite3"),
                        help="SQLite file of issued NIBs (kept across restarts)")
    parser.add_argument("--user-key", default=os.environ.get("JBM_OSS_SIM_USER_KEY"),
                        help="require this user_key header (env JBM_OSS_SIM_USER_KEY)")
    parser.add_argument("--pia-username", default=os.environ.get("JBM_OSS_SIM_PIA_USERNAME"))
    parser.add_argument("--pia-password", default=os.environ.get("JBM_OSS_SIM_PIA_PASSWORD"))
    parser.add_argument("--push-url", help="the app's receiveNIB URL")
    parser.add_argument("--push-on-issue", action="store_true",
                        help="push receiveNIB for every NIB issued, as OSS does")
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument("--fault-mix", default=",".join(fault_plan.FAULT_KINDS))
    parser.add_argument("--latency-ms", default="0")
    parser.add_argument("--hang-s", type=float, default=3600.0)
    parser.add_argument("--down", action="append", default=[],
                        help="START:END[:MODE] seconds from start (MODE 503, hang, reset)")
    parser.add_argument("--rate-limit", type=float, default=0.0)
    parser.add_argument("--rate-burst", type=int, default=1)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--parent-pid", type=int, help="stop when this parent process is gone")
    parser.add_argument("--log-level", default="warning")
    return parser


def settings_from_args(args: argparse.Namespace, now: float) -> SimSettings:
    faults = FaultConfig(
        error_rate=args.error_rate,
        fault_mix=fault_plan.parse_mix(args.fault_mix),
        latency_ms=fault_plan.parse_latency(args.latency_ms),
        hang_s=args.hang_s,
        rate_limit=args.rate_limit,
        rate_burst=max(1, args.rate_burst),
        down=[fault_plan.parse_window(w, now) for w in args.down],
    )
    if not 0 <= faults.error_rate <= 1:
        raise ValueError("--error-rate must be between 0 and 1")
    return SimSettings(faults=faults, user_key=args.user_key or None,
                       pia_username=args.pia_username, pia_password=args.pia_password,
                       push_url=args.push_url, push_on_issue=args.push_on_issue,
                       parent_pid=args.parent_pid)


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s sim %(message)s")
    try:
        settings = settings_from_args(args, time.monotonic())
    except ValueError as exc:
        print(f"simulator: {exc}", flush=True)
        return 2
    rng = random.Random(args.seed)
    simulator = Simulator(settings, NibStore(args.db, rng), load_kbli(), rng)
    config = uvicorn.Config(simulator, host=args.host, port=args.port, http=TrackingProtocol,
                            lifespan="on", log_level=args.log_level, access_log=False,
                            timeout_keep_alive=30)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: uvicorn already shut down cleanly
        uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
