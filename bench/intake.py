"""Intake benchmark: the full app's intake rate as a ratio to raw sqlite3 in the same run.

Run from the repo root::

    .venv/bin/python bench/intake.py                # ~25 s; last line is JSON
    .venv/bin/python bench/intake.py --profile      # where the server's time goes
    .venv/bin/python bench/intake.py --experiments  # what candidate changes would gain
    .venv/bin/python bench/intake.py --help

1. Baseline: stdlib sqlite3 inserting the same rows as the app (per item one row in each
   of applications, application_history, status_events, outbox; realistic values; the
   real schema from the migrations; the app's PRAGMAs: WAL, synchronous=FULL):
   (a) one item per commit, (b) 100 items per commit.
2. The real server (``python -m app serve``, seeded, temp dir, OSS forwarder off) driven
   from a SECOND process (this file with ``--load-child``) over keep-alive HTTP/1.1:
   (a) single POST /api/applications, unique Idempotency-Keys, 64 connections;
   (b) POST /api/applications/batch, 100 items each, 4 connections.
   Raw rounds and server rounds are interleaved (raw, server, raw, ..., raw) because the
   disk's fsync time drifts over seconds; each figure is the median of its rounds.
   Every answer must be 201; afterwards the server's SQLite file must hold exactly the keys
   sent (no loss, no duplicates) and one row per item in each of the baseline's tables.
   The load process uses a raw asyncio HTTP/1.1 client (bench/_common.py): httpx needs
   more CPU per request than the server does, and the machine has 2 cores. A short httpx
   run is kept for comparison; the CPU use of client, server and neighbours is reported.
3. Human-readable figures, then ONE JSON object as the last line.

Aims (/work/shared/PERFORMANCE.md): ratio_single >= 0.25, ratio_batch >= 0.5.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import signal
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar

from bench._common import (
    ROOT,
    BackgroundLoad,
    CpuWindow,
    RawHttpConnection,
    cpu_seconds,
    emit,
    percentile,
    running_server,
)

# The OSS forwarder (inside the web app by default) paces itself at ~10 jobs/s and has a
# benchmark of its own: intake is measured without it, so rows stay as intake wrote them.
SERVER_ENV = {"JBM_OSS_FORWARDER": "0"}
QUIET_CORES = 0.3  # neighbours above this many cores make a run's figures doubtful
AIM_SINGLE = 0.25
AIM_BATCH = 0.5
APP_COLUMNS = (
    "id", "client_id", "request_hash", "response_json", "tracking_code", "status",
    "status_reason", "officer_id", "created_at", "created_day", "updated_at", "nik", "name",
    "sex", "birth_date", "phone", "email", "npwp", "business_name", "kecamatan", "desa", "rt",
    "rw", "street", "kbli_json", "capital", "workers_male", "workers_female", "scale",
)
# Every row the app writes per application (app/db/applications.py: insert_batch), in
# order. ``verify`` checks that the server wrote rows in exactly these tables, so the
# baseline cannot silently fall out of step with the app.
ITEM_TABLES = ("applications", "application_history", "status_events", "outbox")
INSERTS = (
    f"INSERT INTO applications ({', '.join(APP_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(APP_COLUMNS))})",
    "INSERT INTO application_history (application_id, status, actor, reason, at)"
    " VALUES (?, ?, ?, ?, ?)",
    "INSERT INTO status_events (application_id, status, at) VALUES (?, ?, ?)",
    "INSERT INTO outbox (application_id, next_attempt_at, created_at) VALUES (?, ?, ?)",
)


# == 1. baseline: raw stdlib sqlite3 ====================================================
Item = tuple[tuple[Any, ...], ...]  # one row per table of ITEM_TABLES
_USED_CODES: set[str] = set()


def _form() -> dict[str, Any]:
    """The captured form of tests.support.application(), normalised by the app's own
    validator, as the columns of ``applications`` hold it."""
    from app.clock import wib_today
    from app.db.applications import form_columns
    from app.domain.application import ApplicationInput, validate_application
    from app.reference.kbli import KbliCatalog
    from app.reference.regions import Regions
    from tests.support import application

    data = validate_application(
        application(), kbli_exists=KbliCatalog.load().exists,
        kecamatan_of_desa=Regions.load().kecamatan_of_desa, today=wib_today(),
    )
    assert isinstance(data, ApplicationInput), data
    return form_columns(data)


def make_items(count: int, first_id: int, officer_id: int, form: dict[str, Any]) -> list[Item]:
    """``count`` items of realistic values (fresh UUIDs, hashes, tracking codes, answers)."""
    from app.clock import local_day, utc_now_iso
    from app.domain.tracking import new_tracking_code

    now_iso, now = utc_now_iso()
    day = local_day(now)
    items = []
    for n in range(count):
        app_id = first_id + n
        client_id = str(uuid.uuid4())
        code = new_tracking_code()
        while code in _USED_CODES:  # 31**6 codes: ~30,000 draws collide about half the time
            code = new_tracking_code()
        _USED_CODES.add(code)
        answer = json.dumps({
            "id": client_id, "tracking_code": code, "status": "received",
            "status_label": "Diterima petugas",
            "message": "Permohonan diterima dan akan dikirim ke OSS.",
            "receipt_url": f"/petugas/permohonan/{code}",
            "status_url": f"http://127.0.0.1:8000/cek?kode={code}",
        }, separators=(",", ":"))
        request_hash = hashlib.sha256(f"{client_id}{form['street']}".encode()).hexdigest()
        app_row = (app_id, client_id, request_hash, answer, code, "received", None, officer_id,
                   now_iso, day, now_iso, *form.values())
        items.append((app_row, (app_id, "received", "petugas", None, now_iso),
                      (app_id, "received", now_iso), (app_id, now_iso, now_iso)))
    return items


def insert_one_per_commit(conn: Any, items: list[Item]) -> None:
    for item in items:
        conn.execute("BEGIN IMMEDIATE")
        for sql, row in zip(INSERTS, item, strict=True):
            conn.execute(sql, row)
        conn.execute("COMMIT")


def insert_per_commit(size: int) -> Callable[[Any, list[Item]], None]:
    def insert(conn: Any, items: list[Item]) -> None:
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            conn.execute("BEGIN IMMEDIATE")
            for table, sql in enumerate(INSERTS):
                conn.executemany(sql, [item[table] for item in chunk])
            conn.execute("COMMIT")
    return insert


class RawBaseline:
    """A temp database with the real schema (migrations) and the app's PRAGMAs, where
    ``round()`` times raw stdlib inserts of fresh items. Open it as a context manager."""

    MODES: ClassVar[dict[str, Callable[[Any, list[Item]], None]]] = {
        "raw_full": insert_one_per_commit,
        "raw_batch100": insert_per_commit(100),
    }

    def __enter__(self) -> RawBaseline:
        from app.db.connection import migrate, open_sync

        self._tmp = tempfile.TemporaryDirectory(prefix="jbm-bench-raw-")
        self.conn = open_sync(Path(self._tmp.name) / "raw.sqlite3")
        migrate(self.conn)
        assert self.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert self.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        self.conn.execute(
            "INSERT INTO users (id, username, full_name, password_hash, role, created_at)"
            " VALUES (1, 'petugas', 'Petugas Demo', 'x', 'officer', '2026-11-29')"
        )
        self.form = _form()
        self.next_id = 1
        for mode in self.MODES:
            self.round(mode, 200)  # warm-up
        return self

    def round(self, mode: str, count: int) -> float:
        """Insert ``count`` fresh items in ``mode``; items/s (building them is not timed)."""
        items = make_items(count, self.next_id, 1, self.form)
        self.next_id += count
        start = time.perf_counter()
        self.MODES[mode](self.conn, items)
        return count / (time.perf_counter() - start)

    def __exit__(self, *_: object) -> None:
        (rows,) = self.conn.execute("SELECT count(*) FROM applications").fetchone()
        self.conn.close()
        self._tmp.cleanup()
        assert rows == self.next_id - 1, (rows, self.next_id)


# == 2. load generator (runs in a child process) ========================================
def key_for(base: int, n: int) -> str:
    """The Idempotency-Key of item ``n``: a UUID the parent can recompute to verify."""
    return str(uuid.UUID(int=(base << 32) | n))


def _body(n: int) -> dict[str, Any]:
    from tests.support import application

    return application(street=f"Jl. Mawar {n % 250 + 1}", rt=str(n % 9 + 1))


async def _drive(requests: list[bytes], port: int, concurrency: int, server_pid: int,
                 check: Callable[[int, bytes], int], signal_server: bool = False,
                 tree: bool = False) -> dict[str, Any]:
    """Send prebuilt requests over ``concurrency`` keep-alive connections."""
    conns = [await RawHttpConnection("127.0.0.1", port).open() for _ in range(concurrency)]
    pending = iter(requests)
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    errors: list[str] = []
    ok = 0

    async def worker(conn: RawHttpConnection) -> None:
        nonlocal ok
        for raw in pending:
            start = time.perf_counter()
            status, body = await conn.send(raw)
            latencies.append(time.perf_counter() - start)
            statuses[status] += 1
            good = check(status, body)
            ok += good
            if not good and len(errors) < 3:
                errors.append(f"{status} {body[:300]!r}")

    cpu = CpuWindow(server_pid, tree=tree)
    if signal_server:
        os.kill(server_pid, signal.SIGUSR1)  # instrumented server: start measuring
    cpu_start, start = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(conn) for conn in conns))
    wall = time.perf_counter() - start
    client_cpu = time.process_time() - cpu_start
    if signal_server:
        os.kill(server_pid, signal.SIGUSR2)
    server = cpu.stop(wall)
    for conn in conns:
        await conn.close()
    return {"ok": ok, "wall_s": wall, "statuses": dict(statuses), "errors": errors,
            "p50_ms": 1000 * percentile(latencies, 50), "p99_ms": 1000 * percentile(latencies, 99),
            "client_cpu_pct": round(100 * client_cpu / wall, 1), "server": server}


def _single_ok(status: int, _body: bytes) -> int:
    return int(status == 201)


def _batch_ok(status: int, body: bytes) -> int:
    if status != 200:
        return 0
    return sum(1 for r in json.loads(body)["results"] if r["status"] == 201)


async def _phase_raw(cfg: dict[str, Any], phase: dict[str, Any]) -> dict[str, Any]:
    host = f"127.0.0.1:{cfg['port']}"
    # What Chromium's service worker sends: the batch answer (~33 KB) comes back brotli'd.
    headers = [("Cookie", cfg["cookie"]), ("Content-Type", "application/json"),
               ("Accept-Encoding", "gzip, deflate, br")]
    base, offset, count = cfg["key_base"], phase["key_offset"], phase["count"]
    if phase["kind"] == "single":
        requests = [
            RawHttpConnection.request(
                "POST", "/api/applications", host,
                [*headers, ("Idempotency-Key", key_for(base, offset + n))],
                json.dumps(_body(n)).encode(),
            )
            for n in range(count)
        ]
        check = _single_ok
    else:
        size = phase["batch_size"]
        requests = []
        for first in range(0, count, size):
            items = [{"id": key_for(base, offset + n), "body": _body(n)}
                     for n in range(first, min(count, first + size))]
            body = json.dumps({"items": items}).encode()
            requests.append(RawHttpConnection.request(
                "POST", "/api/applications/batch", host, headers, body))
        check = _batch_ok
    return await _drive(requests, cfg["port"], phase["concurrency"], cfg["server_pid"], check,
                        cfg.get("signal", False), cfg.get("tree", False))


async def _phase_httpx(cfg: dict[str, Any], phase: dict[str, Any]) -> dict[str, Any]:
    """The same single-POST load through httpx.AsyncClient, for comparison."""
    import httpx

    conc, base, offset = phase["concurrency"], cfg["key_base"], phase["key_offset"]
    jobs = [(key_for(base, offset + n), json.dumps(_body(n)).encode())
            for n in range(phase["count"])]
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    pending = iter(jobs)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{cfg['port']}", limits=limits,
                                 headers={"Cookie": cfg["cookie"],
                                          "Content-Type": "application/json"},
                                 timeout=30.0) as http:
        await http.get("/healthz")

        async def worker() -> None:
            for key, body in pending:
                start = time.perf_counter()
                response = await http.post("/api/applications", content=body,
                                           headers={"Idempotency-Key": key})
                latencies.append(time.perf_counter() - start)
                statuses[response.status_code] += 1

        cpu = CpuWindow(cfg["server_pid"], tree=cfg.get("tree", False))
        cpu_start, start = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(conc)))
        wall = time.perf_counter() - start
        client_cpu = time.process_time() - cpu_start
    return {"ok": statuses[201], "wall_s": wall, "statuses": dict(statuses), "errors": [],
            "p50_ms": 1000 * percentile(latencies, 50), "p99_ms": 1000 * percentile(latencies, 99),
            "client_cpu_pct": round(100 * client_cpu / wall, 1), "server": cpu.stop(wall)}


async def run_phase(cfg: dict[str, Any], phase: dict[str, Any]) -> dict[str, Any]:
    run = _phase_httpx if phase["client"] == "httpx" else _phase_raw
    result = await run(cfg, phase)
    ok = max(1, result["ok"])
    return {**phase, **result, "per_s": result["ok"] / result["wall_s"],
            "server_us_per_item": 1e6 * result["server"]["cpu_s"] / ok,
            "loop_us_per_item": 1e6 * result["server"]["main_thread_s"] / ok}


def load_child(cfg: dict[str, Any]) -> int:
    """The second process: one phase (JSON) per line on stdin, one result per line out."""
    try:
        import uvloop

        loop = uvloop.new_event_loop()
    except ImportError:
        loop = asyncio.new_event_loop()
    for line in sys.stdin:
        result = loop.run_until_complete(run_phase(cfg, json.loads(line)))
        print(json.dumps(result), flush=True)
    loop.close()
    return 0


class LoadProcess:
    """The load generator in a second process, kept running between phases."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--load-child", json.dumps(cfg)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )

    def run(self, phase: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(phase) + "\n")
        self.proc.stdin.flush()
        started = time.monotonic()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"load process died (exit {self.proc.wait(5)})")
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"phase {phase['name']} took over {timeout} s")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_load_child(cfg: dict[str, Any], phases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    load = LoadProcess(cfg)
    try:
        return [load.run(phase) for phase in phases]
    finally:
        load.close()


# == profiling (``--profile``, ``--experiments``): where the server's time goes =========
# The server runs in a child process of this file (``--serve-profiled``) instead of
# ``python -m app serve``: the same ``app.cli.main(["serve"])``, plus instrumentation and,
# for ``--experiments``, VARIANTS patched in from here (the app's code is not changed) to
# estimate what a change would gain before anyone makes it.
VARIANTS = {
    "as-is": "the app as it is",
    "no-access-log": "uvicorn access_log=False (it logs every request at INFO)",
    "switch-0.5ms": "sys.setswitchinterval(0.0005) (the GIL hand-off; default 5 ms)",
    "session-cache": "Accounts.user_for cached in memory for 5 s (no reader hop per request)",
    "fast-codes": "tracking codes from one seeded random.Random, not 6 x os.urandom",
    "async-guard": "the API's two sync guards as ONE async def guard (Litestar runs each "
                   "sync guard in a thread pool and copies the handler per guard)",
    "multirow-insert": "one multi-row INSERT ... VALUES (...), (...) per table instead of "
                       "executemany (each row's step releases and retakes the GIL)",
    "two-workers": "uvicorn --workers 2 (app.main:asgi_app): a second process, a second GIL;"
                   " SQLite serialises the two writers (BEGIN IMMEDIATE, busy_timeout)",
    "all": "the five code changes above together (not the switch interval, not 2 workers)",
}


def _apply_variant(variant: str) -> None:
    recommended = {"no-access-log", "session-cache", "fast-codes", "async-guard",
                   "multirow-insert"}
    names = recommended if variant == "all" else {variant}
    if "no-access-log" in names:
        import uvicorn

        run = uvicorn.run
        uvicorn.run = lambda *a, **kw: run(*a, **{**kw, "access_log": False})
    if "switch-0.5ms" in names:
        sys.setswitchinterval(0.0005)
    if "session-cache" in names:
        from app.services.accounts import Accounts

        user_for = Accounts.user_for
        cache: dict[str, tuple[float, Any]] = {}

        async def cached(self: Any, token: str | None) -> Any:
            hit = cache.get(token or "")
            if hit is not None and hit[0] > time.monotonic():
                return hit[1]
            user = await user_for(self, token)
            if token and user is not None:
                cache[token] = (time.monotonic() + 5.0, user)
            return user

        Accounts.user_for = cached  # type: ignore[method-assign]
    if "fast-codes" in names:
        import random

        from app.domain import tracking
        from app.services import intake

        rng = random.Random(secrets.randbits(128))
        intake.new_tracking_code = lambda: tracking.new_tracking_code(rng)
    if "async-guard" in names:
        from app.routes.api import ApplicationsApi

        sync_guards = list(ApplicationsApi.guards)

        async def api_guard(connection: Any, handler: Any) -> None:
            for guard in sync_guards:
                guard(connection, handler)

        ApplicationsApi.guards = [api_guard]
    if "multirow-insert" in names:
        from app.db import applications

        original = applications.insert_batch

        def insert_batch(conn: Any, items: Any) -> Any:
            return original(_MultiRow(conn), items)

        applications.insert_batch = insert_batch


class _MultiRow:
    """A connection whose ``executemany(INSERT ... VALUES (?, ...), rows)`` sends one
    multi-row INSERT per ~32,000 bound values (SQLite 3.32+ allows 32,766)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, *args: Any) -> Any:
        return self._conn.execute(*args)

    def executemany(self, sql: str, rows: Any) -> None:
        rows = list(rows)
        if not rows:
            return
        head, _, marks = sql.partition(" VALUES ")
        per = max(1, 32000 // len(rows[0]))
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            self._conn.execute(f"{head} VALUES {', '.join([marks] * len(chunk))}",
                               [value for row in chunk for value in row])


def serve_profiled(out: str, variant: str, use_cprofile: bool) -> int:
    """``app.cli.main(["serve"])`` with the writer's transactions timed and, if asked,
    cProfile on the event loop between SIGUSR1 and SIGUSR2 (sent by the load process)."""
    import cProfile

    from app.cli import main as app_main
    from app.db import connection

    _apply_variant(variant)
    transactions: list[tuple[str, int, float, float, float]] = []

    def timed_transaction(conn: Any, fn: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn, *args)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        body_done = time.perf_counter()
        conn.execute("COMMIT")
        end = time.perf_counter()
        size = len(args[0]) if fn.__name__ == "insert_batch" else 0
        transactions.append((fn.__name__, size, start, body_done - start, end - body_done))
        return result

    connection.run_transaction = timed_transaction  # Database.write looks it up per call
    profiler = cProfile.Profile() if use_cprofile else None
    windows: list[list[float]] = []  # [start, end] of each measured phase

    def begin(*_: Any) -> None:
        windows.append([time.perf_counter()])
        if profiler is not None:
            profiler.enable()

    def end(*_: Any) -> None:
        if profiler is not None:
            profiler.disable()
        windows[-1].append(time.perf_counter())

    signal.signal(signal.SIGUSR1, begin)
    signal.signal(signal.SIGUSR2, end)
    # uvicorn re-raises SIGTERM once it has shut down: let that return here instead.
    signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        return app_main(["serve"])
    finally:
        if profiler is not None:
            profiler.dump_stats(out + ".pstats")
        phases = [{"window": w, "transactions": [t for t in transactions if w[0] <= t[2] <= w[-1]]}
                  for w in windows if len(w) == 2]
        Path(out).write_text(json.dumps(phases))


def _start_profiled(server: Any, out: Path, variant: str, use_cprofile: bool) -> None:
    import httpx

    command = [sys.executable, str(Path(__file__).resolve()), "--serve-profiled", str(out),
               "--variant", variant]
    if use_cprofile:
        command.append("--cprofile")
    if variant == "two-workers":  # no instrumentation: uvicorn's own command line
        command = [sys.executable, "-m", "uvicorn", "--factory", "app.main:asgi_app",
                   "--workers", "2", "--host", "127.0.0.1", "--port", str(server.port)]
    server.proc = subprocess.Popen(command, env=server.env, cwd=str(ROOT),
                                   stdout=server.log_path.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited: {server.log_text()[-2000:]}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=0.5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("profiled server did not start")


def _serve_and_load(phases: list[dict[str, Any]], variant: str, use_cprofile: bool
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str | None]:
    """One instrumented server (seeded, temp dir) driven through ``phases``."""
    from tests.support import ServerProcess, officer_client

    with tempfile.TemporaryDirectory(prefix="jbm-bench-prof-") as tmp:
        server = ServerProcess(Path(tmp) / "data", **SERVER_ENV)
        server.data_dir.mkdir(parents=True)
        server.seed()
        out = Path(tmp) / "profile.json"
        _start_profiled(server, out, variant, use_cprofile)
        try:
            http = officer_client(server.url)
            cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
            http.close()
            assert server.proc is not None
            workers = variant == "two-workers"
            cfg = {"port": server.port, "cookie": cookie, "server_pid": server.proc.pid,
                   "key_base": secrets.randbits(96), "signal": not workers, "tree": workers}
            server_cpu = CpuWindow(server.proc.pid, tree=workers)
            background = BackgroundLoad()
            load = LoadProcess(cfg)
            try:
                results = [load.run(phase) for phase in phases]
            finally:
                background.add_ours(cpu_seconds(load.proc.pid))
                load.close()
            background.add_ours(server_cpu.stop(1.0)["cpu_s"])
            others = background.cores()
            for result in results:
                result["background_cores"] = others
        finally:
            server.stop()
        stats = None
        if use_cprofile:
            import io
            import pstats

            text = io.StringIO()
            ps = pstats.Stats(str(out) + ".pstats", stream=text)
            ps.sort_stats("tottime").print_stats(30)
            ps.sort_stats("cumulative").print_stats(45)
            ps.print_callers(r"copy.py:\d+\(copy\)|concurrency.py:\d+\(sync_to_thread\)")
            stats = text.getvalue()
        found = json.loads(out.read_text()) if out.exists() else []
        return results, found, stats


def _writer_summary(found: dict[str, Any]) -> str:
    """The writer's transactions during one phase (``found``: window and transactions)."""
    intake = [t for t in found["transactions"] if t[0] == "insert_batch"]
    if not intake:
        return "writer: no intake transactions"
    sizes = [t[1] for t in intake]
    body = sum(t[3] for t in intake)
    commit = sum(t[4] for t in intake)
    span = found["window"][1] - found["window"][0]
    items = sum(sizes)
    return (f"writer: {len(intake)} transactions, items/commit mean {statistics.mean(sizes):.1f}"
            f" max {max(sizes)}; per transaction: statements {1000 * body / len(intake):.2f} ms"
            f" ({1e6 * body / items:.0f} us/item), COMMIT {1000 * commit / len(intake):.2f} ms;"
            f" writer busy {100 * (body + commit) / max(span, 1e-9):.0f}% of the load")


def _phases_for_profile(args: argparse.Namespace) -> list[dict[str, Any]]:
    return [
        {"name": "single", "kind": "single", "client": "raw", "count": args.single,
         "concurrency": args.concurrency, "key_offset": 0},
        {"name": "batch", "kind": "batch", "client": "raw", "batch_size": args.batch_size,
         "count": args.batches * args.batch_size, "concurrency": args.batch_concurrency,
         "key_offset": args.single},
    ]


def _micro() -> None:
    """Per-item pieces of the intake path timed in isolation (no GIL contention, no I/O)."""
    import random
    import timeit
    from datetime import UTC, datetime

    from app.clock import wib_today
    from app.domain import tracking
    from app.reference.kbli import KbliCatalog
    from app.reference.regions import Regions
    from app.security import session_token
    from app.services.intake import IntakeService, _Pending, parse_client_id, request_hash
    from tests.support import application

    service = IntakeService(None, KbliCatalog.load(), Regions.load(),  # type: ignore[arg-type]
                            "http://127.0.0.1:8000", today=wib_today)
    raw = json.dumps(_body(7)).encode()
    data = service.validate(json.loads(raw))
    pending = _Pending(str(uuid.uuid4()), data, request_hash(data), 1, "petugas",
                       None)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    rng = random.Random(1)
    scope = {"headers": [(b"cookie", b"jbm_csrf=abc; jbm_session=" + b"x" * 43)]}
    pieces: list[tuple[str, Callable[[], Any]]] = [
        ("json.loads(body)", lambda: json.loads(raw)),
        ("parse_client_id", lambda: parse_client_id(pending.client_id)),
        ("validate_application", lambda: service.validate(application())),
        ("request_hash", lambda: request_hash(data)),
        ("IntakeService._row (incl. code)", lambda: service._row(pending, now, now.isoformat())),
        ("new_tracking_code (secrets)", tracking.new_tracking_code),
        ("new_tracking_code (seeded rng)", lambda: tracking.new_tracking_code(rng)),
        ("session_token (SimpleCookie)", lambda: session_token(scope, "jbm_session")),
    ]
    print("per-item and per-request pieces in isolation (best of 3; no load, no contention):")
    for name, fn in pieces:
        calls = 2000
        best = min(timeit.repeat(fn, number=calls, repeat=3)) / calls
        print(f"  {1e6 * best:7.1f} us  {name}")
    with tempfile.TemporaryDirectory(prefix="jbm-bench-micro-") as tmp:
        for name, cost in _micro_framework(Path(tmp), service, pending):
            print(f"  {cost}  {name}")


def _micro_framework(tmp: Path, service: Any, pending: Any) -> list[tuple[str, str]]:
    """What a request pays around the domain code: hops, copies, logging, the writer."""
    import copy
    import logging
    import timeit
    from datetime import UTC, datetime

    from app.db import applications as store
    from app.db.connection import Database, migrate, open_sync, run_transaction

    found: list[tuple[str, str]] = []

    async def hops() -> None:
        from litestar.concurrency import sync_to_thread

        def noop(*_: Any) -> None:
            return None

        db = Database(tmp / "hop.sqlite3")
        await db.open()
        try:
            for name, hop in (("Litestar sync_to_thread round trip (a sync guard)",
                               lambda: sync_to_thread(noop)),
                              ("aiosqlite Database.read round trip (the session lookup)",
                               lambda: db.read(noop))):
                best = (1.0, 1.0)
                for _ in range(3):
                    start, cpu = time.perf_counter(), time.process_time()
                    for _ in range(1000):
                        await hop()
                    best = min(best, ((time.perf_counter() - start) / 1000,
                                      (time.process_time() - cpu) / 1000))
                found.append((name, f"{1e6 * best[1]:7.1f} us CPU ({1e6 * best[0]:.0f} us wall)"))
        finally:
            await db.close()

    try:
        import uvloop

        uvloop.run(hops())
    except ImportError:
        asyncio.run(hops())

    handler = _api_handler(tmp)
    if handler is not None:
        best = min(timeit.repeat(lambda: copy.copy(handler), number=2000, repeat=3)) / 2000
        found.append(("copy.copy(route handler): Litestar does it once per guard call",
                      f"{1e6 * best:7.1f} us"))

    from uvicorn.logging import AccessFormatter

    access = logging.getLogger("bench.access")
    access.propagate = False
    with (tmp / "access.log").open("w") as sink:
        log_handler = logging.StreamHandler(sink)
        log_handler.setFormatter(AccessFormatter(
            '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'))
        access.addHandler(log_handler)
        access.setLevel(logging.INFO)
        best = min(timeit.repeat(lambda: access.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:40000", "POST", "/api/applications", "1.1",
            201), number=2000, repeat=3)) / 2000
        access.removeHandler(log_handler)
    found.append(("uvicorn access-log line (every request, log_level=info)",
                  f"{1e6 * best:7.1f} us"))

    # The writer: the app's insert_batch vs raw executemany, 100 items per commit (FULL).
    conn = open_sync(tmp / "writer.sqlite3")
    try:
        migrate(conn)
        conn.execute("INSERT INTO users (id, username, full_name, password_hash, role,"
                     " created_at) VALUES (1, 'petugas', 'P', 'x', 'officer', '2026-11-29')")
        now = datetime.now(UTC)
        per_item: dict[str, float] = {}
        for name, rounds in (("app", 5), ("raw", 5), ("app", 5), ("raw", 5)):
            for _ in range(rounds):
                rows = []
                for _ in range(100):
                    pending.client_id = str(uuid.uuid4())
                    rows.append(service._row(pending, now, now.isoformat()))
                start = time.process_time()
                if name == "app":
                    run_transaction(conn, store.insert_batch, rows)
                else:
                    first = conn.execute("SELECT max(id) + 1 FROM applications").fetchone()[0]
                    items = [_as_item(r, first + n) for n, r in enumerate(rows)]
                    start = time.process_time()
                    insert_per_commit(100)(conn, items)
                cost = (time.process_time() - start) / 100
                per_item[name] = min(per_item.get(name, 1.0), cost)
        found.append(("writer CPU per item, app insert_batch (100 per commit)",
                      f"{1e6 * per_item['app']:7.1f} us"))
        found.append(("writer CPU per item, raw executemany (100 per commit)",
                      f"{1e6 * per_item['raw']:7.1f} us"))
    finally:
        conn.close()
    return found


def _as_item(row: Any, app_id: int) -> Item:
    """A NewApplication as the baseline's rows."""
    from app.db.applications import FORM_COLUMNS

    app_row = (app_id, row.client_id, row.request_hash, row.response_json, row.tracking_code,
               row.status, row.status_reason, row.officer_id, row.created_at, row.created_day,
               row.created_at, *(row.form[c] for c in FORM_COLUMNS))
    return (app_row, (app_id, row.status, row.actor, row.status_reason, row.created_at),
            (app_id, row.status, row.created_at), (app_id, row.created_at, row.created_at))


def _api_handler(tmp: Path) -> Any:
    """The route handler of POST /api/applications in a freshly built app, or None."""
    try:
        from app.main import create_app
        from app.settings import Settings

        app = create_app(Settings(data_dir=tmp / "app"))
        import logging

        logging.getLogger("httpx").setLevel(logging.WARNING)  # Litestar set up logging
        for route in app.routes:
            if route.path == "/api/applications":
                for handler in getattr(route, "route_handlers", []):
                    if "POST" in handler.http_methods:
                        return handler
    except Exception as exc:  # the app is being edited by others: report, carry on
        print(f"  (could not build the app to time copy(handler): {exc!r})")
    return None


def profile(args: argparse.Namespace) -> int:
    """cProfile the event loop and time the writer, one server per phase."""
    _micro()
    figures = {}
    for phase in _phases_for_profile(args):
        (result,), (found,), stats = _serve_and_load([phase], "as-is", use_cprofile=True)
        print(f"== {phase['name']}: {result['per_s']:,.0f}/s under cProfile; server CPU "
              f"{result['server']['cpu_pct']}% (event loop {result['server']['main_thread_pct']}"
              f"%), client CPU {result['client_cpu_pct']}%")
        print("   " + _writer_summary(found))
        print(stats)
        figures[phase["name"]] = round(result["per_s"])
    emit({"bench": "intake-profile", **figures})
    return 0


def experiments(args: argparse.Namespace) -> int:
    """Each VARIANT on a fresh server (single then batch phase), ``--repeat`` times in
    interleaved order; medians. Server CPU per item is the steadier figure: the rates move
    with the disk's fsync time, CPU per item much less."""
    variants = args.variants or list(VARIANTS)
    runs: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {v: [] for v in variants}
    for round_no in range(args.repeat):
        for variant in variants:
            results, found, _ = _serve_and_load(_phases_for_profile(args), variant, False)
            single, batch = results
            runs[variant].append((single, batch))
            print(f"[{round_no + 1}] {variant:<15} single {single['per_s']:6,.0f}/s "
                  f"{single['server_us_per_item']:5.0f} us CPU/item (loop "
                  f"{single['loop_us_per_item']:4.0f})   batch {batch['per_s']:6,.0f} items/s "
                  f"{batch['server_us_per_item']:4.0f} us CPU/item (loop "
                  f"{batch['loop_us_per_item']:4.0f})   neighbours "
                  f"{single['background_cores']:.2f} cores", flush=True)
            for phase_found in found:
                print(f"    {_writer_summary(phase_found)}", flush=True)

    def quiet(variant: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        calm = [run for run in runs[variant] if run[0]["background_cores"] < QUIET_CORES]
        return calm or runs[variant]

    def med(variant: str, index: int, key: str) -> float:
        return statistics.median(run[index][key] for run in quiet(variant))

    base = variants[0]
    print(f"medians of the runs with neighbours under {QUIET_CORES} cores (all runs if none);"
          f" x = rate relative to {base}:")
    summary = {}
    for variant in variants:
        single, batch = med(variant, 0, "per_s"), med(variant, 1, "per_s")
        cpu_single = med(variant, 0, "server_us_per_item")
        cpu_batch = med(variant, 1, "server_us_per_item")
        print(f"  {variant:<15} {len(quiet(variant))}/{len(runs[variant])} runs  "
              f"single {single:6,.0f}/s x{single / med(base, 0, 'per_s'):.2f} "
              f"{cpu_single:4.0f} us/item   batch {batch:6,.0f}/s "
              f"x{batch / med(base, 1, 'per_s'):.2f} {cpu_batch:4.0f} us/item   "
              f"{VARIANTS[variant]}")
        summary[variant] = {"single_per_s": round(single), "single_cpu_us": round(cpu_single),
                            "batch_items_per_s": round(batch), "batch_cpu_us": round(cpu_batch)}
    emit({"bench": "intake-experiments", **summary})
    return 0


# == 3. the run ==========================================================================
def verify(server: Any, base: int, total: int) -> dict[str, int]:
    """Exactly the keys sent are stored, once each, with one row in each of ITEM_TABLES."""
    stored = [row[0] for row in server.query("SELECT client_id FROM applications")]
    expected = {key_for(base, n) for n in range(total)}
    missing = len(expected - set(stored))
    extra = len(set(stored) - expected)
    assert len(stored) == len(set(stored)), "duplicate client_id rows"
    assert (missing, extra) == (0, 0), f"{missing} keys missing, {extra} unexpected rows"
    tables = [row[0] for row in server.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    counts = {t: server.query(f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    per_item = {t for t, n in counts.items() if n >= total}
    assert per_item == set(ITEM_TABLES), (
        f"the server wrote one row per application in {sorted(per_item)}, the baseline in "
        f"{list(ITEM_TABLES)}: update ITEM_TABLES/INSERTS in bench/intake.py")
    wrong = {t: counts[t] for t in ITEM_TABLES if counts[t] != total}
    assert not wrong, f"expected {total} rows in each of {ITEM_TABLES}, found {wrong}"
    return {t: counts[t] for t in ITEM_TABLES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--single", type=int, default=3000, help="single POSTs (default 3000)")
    parser.add_argument("--concurrency", type=int, default=64, help="for single (default 64)")
    parser.add_argument("--batches", type=int, default=100, help="batch requests (default 100)")
    parser.add_argument("--batch-size", type=int, default=100, help="items per batch")
    parser.add_argument("--batch-concurrency", type=int, default=4)
    parser.add_argument("--httpx", type=int, default=1000,
                        help="single POSTs through httpx for comparison (0: skip)")
    parser.add_argument("--raw-full", type=int, default=1000,
                        help="items per round, raw one-item commits")
    parser.add_argument("--raw-batch", type=int, default=4000,
                        help="items per round, raw 100-item commits (the default keeps the "
                        "raw database about as big as the server's: inserts slow down as "
                        "the random-key indexes outgrow the page cache)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="server rounds, interleaved with rounds+1 raw rounds (median)")
    parser.add_argument("--profile", action="store_true",
                        help="instead: cProfile the server's event loop and time its writer")
    parser.add_argument("--experiments", nargs="*", metavar="VARIANT", dest="variants",
                        help="instead: compare server variants patched in from the bench "
                        f"(default: all of {', '.join(VARIANTS)})")
    parser.add_argument("--repeat", type=int, default=2, help="runs per experiment variant")
    parser.add_argument("--load-child", metavar="JSON", help=argparse.SUPPRESS)
    parser.add_argument("--serve-profiled", metavar="OUT", help=argparse.SUPPRESS)
    parser.add_argument("--variant", default="as-is", help=argparse.SUPPRESS)
    parser.add_argument("--cprofile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.serve_profiled:
        return serve_profiled(args.serve_profiled, args.variant, args.cprofile)
    if args.profile:
        return profile(args)
    if args.variants is not None:
        return experiments(args)

    if args.load_child:  # the second process: drive the server, print results as JSON
        return load_child(json.loads(args.load_child))
    return run(args)


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def run(args: argparse.Namespace) -> int:
    """The benchmark. Raw-sqlite3 rounds and server rounds are interleaved (raw, server,
    raw, ..., raw) because the disk's fsync time drifts over seconds on these machines;
    each figure is the median of its rounds."""
    started = time.perf_counter()
    print("intake benchmark (2-core machine; figures are ratios to raw sqlite3 in this run)")
    key_base = secrets.randbits(96)
    total = 0

    def phase(name: str, kind: str, count: int, concurrency: int, client: str = "raw"
              ) -> dict[str, Any]:
        nonlocal total
        made = {"name": name, "kind": kind, "client": client, "count": count,
                "concurrency": concurrency, "batch_size": args.batch_size, "key_offset": total}
        total += count
        return made

    raw: dict[str, list[float]] = {"raw_full": [], "raw_batch100": []}
    results: list[dict[str, Any]] = []
    with RawBaseline() as baseline, running_server(**SERVER_ENV) as (server, cookie, _tmp):
        assert server.proc is not None
        server_cpu = cpu_seconds(server.proc.pid)
        background = BackgroundLoad()
        cfg = {"port": server.port, "cookie": cookie, "server_pid": server.proc.pid,
               "key_base": key_base}
        load = LoadProcess(cfg)
        try:
            results.append(load.run(phase("warm-up", "single", 300, args.concurrency)))
            singles = _split(args.single, args.rounds)
            batches = _split(args.batches, args.rounds)
            for n in range(args.rounds + 1):
                raw["raw_full"].append(baseline.round("raw_full", args.raw_full))
                raw["raw_batch100"].append(baseline.round("raw_batch100", args.raw_batch))
                if n == args.rounds:
                    break
                results.append(load.run(phase("single", "single", singles[n],
                                              args.concurrency)))
                results.append(load.run(phase("batch", "batch", batches[n] * args.batch_size,
                                              args.batch_concurrency)))
            if args.httpx:
                results.append(load.run(phase("single via httpx", "single", args.httpx,
                                              args.concurrency, client="httpx")))
        except Exception:
            print(f"server log (tail):\n{server.log_text()[-3000:]}", file=sys.stderr)
            raise
        finally:
            background.add_ours(cpu_seconds(load.proc.pid))
            load.close()
        background.add_ours(cpu_seconds(server.proc.pid) - server_cpu)
        counts = verify(server, key_base, total)
    others = background.cores()

    raw_full = statistics.median(raw["raw_full"])
    raw_batch = statistics.median(raw["raw_batch100"])
    print(f"baseline raw sqlite3, WAL + synchronous=FULL, {len(ITEM_TABLES)} rows/item, median of "
          f"{args.rounds + 1} rounds:")
    for label, name, rate in (("1 item per commit", "raw_full", raw_full),
                              ("100 items per commit", "raw_batch100", raw_batch)):
        rounds = " ".join(f"{r:,.0f}" for r in raw[name])
        print(f"  {label:<21}{rate:9,.0f} items/s   rounds {rounds}")

    print("server (python -m app serve), load from a second process over keep-alive HTTP/1.1"
          " (every answer checked: 201):")
    for r in results:
        unit = "items/s" if r["kind"] == "batch" else "req/s"
        print(f"  {r['name']:<17} {r['per_s']:7,.0f} {unit:<8} n={r['count']:<5} "
              f"c={r['concurrency']:<3} {r['client']:<5} p50 {r['p50_ms']:5.1f} ms  "
              f"p99 {r['p99_ms']:5.1f} ms  CPU: client {r['client_cpu_pct']:4.1f}%  server "
              f"{r['server']['cpu_pct']:5.1f}% (loop {r['server']['main_thread_pct']:4.1f}%) = "
              f"{r['server_us_per_item']:4.0f} us/item (loop {r['loop_us_per_item']:.0f})")
        if r["ok"] != r["count"]:
            print(f"  !! not all 201: {r['statuses']} {r['errors']}")
    print(f"verified in the server's SQLite file: the {total} keys sent, once each, and "
          + ", ".join(f"{n} {t}" for t, n in counts.items()) + " rows")
    failed = [r["name"] for r in results if r["ok"] != r["count"]]
    assert not failed, f"some answers were not 201 in {failed}"

    def median_of(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results if r["name"] == name)

    single, batch = median_of("single", "per_s"), median_of("batch", "per_s")
    ratio_single, ratio_batch = single / raw_full, batch / raw_batch
    mark = {True: "met", False: "MISSED"}
    print(f"single: median {single:,.0f} req/s, {median_of('single', 'server_us_per_item'):.0f}"
          f" us server CPU per application; batch: median {batch:,.0f} items/s, "
          f"{median_of('batch', 'server_us_per_item'):.0f} us per item")
    print(f"ratio single = {single:,.0f} / {raw_full:,.0f} = {ratio_single:.2f} "
          f"(aim >= {AIM_SINGLE}: {mark[ratio_single >= AIM_SINGLE]})")
    print(f"ratio batch  = {batch:,.0f} / {raw_batch:,.0f} = {ratio_batch:.2f} "
          f"(aim >= {AIM_BATCH}: {mark[ratio_batch >= AIM_BATCH]})")
    if args.httpx:
        hx = results[-1]
        print(f"httpx as the client: {hx['per_s']:,.0f} req/s at {hx['client_cpu_pct']}% client "
              f"CPU: the client would be the bottleneck (the raw client: "
              f"{median_of('single', 'client_cpu_pct')}%)")
    print(f"whole run {time.perf_counter() - started:.1f} s; other processes on the machine used "
          f"{others:.2f} of its 2 cores meanwhile"
          + (" (a busy neighbour: figures are less trustworthy)" if others > QUIET_CORES else ""))
    emit({
        "bench": "intake",
        "single_per_s": round(single),
        "batch_items_per_s": round(batch),
        "raw_full_per_s": round(raw_full),
        "raw_batch100_per_s": round(raw_batch),
        "ratio_single": round(ratio_single, 3),
        "ratio_batch": round(ratio_batch, 3),
        "server_cpu_us_single": round(median_of("single", "server_us_per_item")),
        "server_cpu_us_batch_item": round(median_of("batch", "server_us_per_item")),
        "background_cores": round(others, 2),
        "verified": True,
    })
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
