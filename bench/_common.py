"""Shared helpers for the benchmarks in ``bench/``.

Every benchmark measures its own baseline in the same run and reports ratios: absolute
figures drift between runs and machines (see /work/shared/PERFORMANCE.md).

What is here:

* ``cpu_seconds`` / ``thread_cpu_seconds``: CPU time of a process (or each of its threads)
  from ``/proc``, to tell whether the server or the load generator is the bottleneck.
* ``RawHttpConnection``: a minimal HTTP/1.1 keep-alive client on asyncio streams. httpx
  costs ~0.5 ms of CPU per request, which on a 2-core machine is as much as the server
  spends; this client costs a few µs, so the load process is never the bottleneck.
* ``running_server``: the real server (``python -m app serve``) in a temporary data
  directory, seeded, with the officer's session cookie.
* ``percentile``, ``emit``: small reporting helpers.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- CPU accounting ----------------------------------------------------------------------
def _stat_cpu(stat_path: Path) -> float:
    text = stat_path.read_text()
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` (all its threads)."""
    return _stat_cpu(Path(f"/proc/{pid}/stat"))


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds per thread id of process ``pid`` (the main thread's id is ``pid``)."""
    found: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            found[int(task.name)] = _stat_cpu(task / "stat")
    return found


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


class BackgroundLoad:
    """How much CPU processes other than ours used while the benchmark ran: the machines
    are shared, and a busy neighbour moves every figure (the disk's fsync time too)."""

    def __init__(self) -> None:
        self._start = time.perf_counter()
        self._busy = machine_busy_seconds()
        self._ours = 0.0
        self._self = _own_cpu()

    def add_ours(self, cpu_s: float) -> None:
        """CPU seconds of our child processes (server, load generator) during the run."""
        self._ours += cpu_s

    def cores(self) -> float:
        """Average cores' worth of CPU used by others over the run."""
        wall = max(time.perf_counter() - self._start, 1e-9)
        others = machine_busy_seconds() - self._busy - self._ours - (_own_cpu() - self._self)
        return max(0.0, others / wall)


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (e.g. uvicorn's master and its workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ppid = int(text[text.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


class CpuWindow:
    """CPU use of a process between ``__init__`` and ``stop()``: total and main thread.
    With ``tree=True``, of the process and its descendants (main threads summed)."""

    def __init__(self, pid: int, tree: bool = False) -> None:
        self.pid = pid
        self.pids = process_tree(pid) if tree else [pid]
        self._total, self._main = self._sample()

    def _sample(self) -> tuple[float, float]:
        total = main = 0.0
        for pid in self.pids:
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += cpu_seconds(pid)
                main += thread_cpu_seconds(pid).get(pid, 0.0)
        return total, main

    def stop(self, wall_s: float) -> dict[str, float]:
        total, main = self._sample()
        total -= self._total
        main -= self._main
        wall = max(wall_s, 1e-9)
        return {
            "cpu_s": total,
            "main_thread_s": main,
            "cpu_pct": round(100 * total / wall, 1),
            "main_thread_pct": round(100 * main / wall, 1),
            "other_threads_pct": round(100 * (total - main) / wall, 1),
        }


# -- a minimal HTTP/1.1 client -----------------------------------------------------------
class HttpError(RuntimeError):
    pass


class RawHttpConnection:
    """One keep-alive HTTP/1.1 connection. Requests are prebuilt bytes (see ``request``)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: Any = None
        self._writer: Any = None

    async def open(self) -> RawHttpConnection:
        import asyncio

        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
            self._writer = None

    @staticmethod
    def request(method: str, path: str, host: str, headers: Sequence[tuple[str, str]],
                body: bytes = b"") -> bytes:
        """The bytes of one request, with Host and Content-Length filled in."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{name}: {value}" for name, value in headers]
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def send(self, raw_request: bytes) -> tuple[int, bytes]:
        """Send one prebuilt request, return (status, body). Handles Content-Length and
        chunked answers, and br/gzip bodies; the connection stays open for the next one."""
        self._writer.write(raw_request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = -1
        chunked = False
        encoding = b""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"content-encoding":
                encoding = value.strip().lower()
        if status in (204, 304):  # never a body (RFC 9110), whatever the headers say
            body = b""
        elif length >= 0:
            body = await self._reader.readexactly(length)
        elif chunked:
            body = await self._read_chunked()
        else:
            raise HttpError(f"answer without length: {head[:200]!r}")
        return status, _decode(body, encoding)

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)


def _decode(body: bytes, encoding: bytes) -> bytes:
    if encoding in (b"", b"identity"):
        return body
    if encoding == b"br":
        import brotli  # litestar[brotli] installs it

        return brotli.decompress(body)
    if encoding == b"gzip":
        import gzip

        return gzip.decompress(body)
    raise HttpError(f"unexpected Content-Encoding {encoding!r}")


# -- the real server -----------------------------------------------------------------------
@contextlib.contextmanager
def running_server(prefix: str = "jbm-bench-", **env: str) -> Iterator[tuple[Any, str, Path]]:
    """Start ``python -m app serve`` in a fresh temporary data dir (seeded), with ``env``
    (``JBM_*`` settings) added to its environment, log the demo officer in, and yield
    ``(server, cookie_header, temp_dir)``. The temp dir is on the same filesystem as any
    baseline database the caller puts in the default temp dir."""
    from tests.support import ServerProcess, officer_client

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        base = Path(tmp)
        server = ServerProcess(base / "data", **env)
        server.data_dir.mkdir(parents=True)
        server.seed()
        server.start()
        try:
            http = officer_client(server.url)
            try:
                cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
            finally:
                http.close()
            yield server, cookie, base
        finally:
            server.stop()


# -- reporting ---------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def emit(result: dict[str, Any]) -> None:
    """The machine-readable result: exactly one JSON object as the LAST line of output."""
    sys.stdout.flush()
    print(json.dumps(result, separators=(", ", ": ")), flush=True)


# -- browser benchmarks --------------------------------------------------------------------
@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        raise SystemExit(f"needs Chromium at {CHROMIUM}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the main thread after ``seconds`` (finally blocks still run)."""
    def expire(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"benchmark exceeded its {seconds} s budget")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

