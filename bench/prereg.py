"""Pre-registration benchmark: the public form's rate as a ratio to the officer's JSON API in
the same run, and the weight of /daftar-mandiri on a weak signal.

Run from the repo root::

    .venv/bin/python bench/prereg.py            # ~30 s; the last line is JSON
    .venv/bin/python bench/prereg.py --help

1. Rate. A real server (``python -m app serve`` in a temp dir, OSS forwarder off, the
   pre-registration limits raised out of the way). The same keep-alive raw HTTP client
   (bench/_common.py) and the same number of concurrent connections send
   (a) ``POST /api/applications`` (the officer's intake: validation, group commit) and
   (b) ``POST /daftar-mandiri`` (the citizen's form: the same validation, the consent, the
   limits, one transaction per answer, and the answer page with its QR drawn by segno).
   Rounds alternate (api, form, api, form, api, form) because the disk's fsync time
   drifts; each rate is the median of its rounds. Every request must be answered 201 and
   the database must hold exactly what was sent, once each.
2. Weight. ``GET /daftar-mandiri`` and every stylesheet and script it loads, fetched as a
   browser would (``Accept-Encoding: br, gzip``): compressed body bytes as they come off the
   wire. KB = 1000 bytes. The officer's offline data (KBLI list, regions) is not among
   them.
3. Human-readable figures, then ONE JSON object as the last line.

Aims: ratio_prereg near 1 (the citizen's form is not a slow path); prereg_page_kb < 60.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import json
import re
import statistics
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx

from bench._common import (
    BackgroundLoad,
    CpuWindow,
    RawHttpConnection,
    deadline,
    emit,
    running_server,
)
from tests.support import application, csrf_from

KB = 1000
AIM_PAGE_KB = 60
SERVER_ENV = {"JBM_OSS_FORWARDER": "0", "JBM_PREREG_CLIENT_LIMIT": "100000000",
              "JBM_PREREG_PHONE_LIMIT": "100000000"}
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')


def form_body(token: str) -> bytes:
    body = application()
    data = {**{k: (", ".join(v) if isinstance(v, list) else ("on" if v is True else str(v)))
               for k, v in body.items() if v is not False},
            "_csrf_token": token, "client_id": str(uuid.uuid4()), "consent": "2026-11-v1"}
    return urlencode(data).encode()


async def _drive(port: int, requests: list[bytes], connections: int) -> tuple[float, list[int]]:
    """Send every request over ``connections`` keep-alive connections; (seconds, statuses)."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for raw in requests:
        queue.put_nowait(raw)
    statuses: list[int] = []

    async def worker() -> None:
        conn = await RawHttpConnection("127.0.0.1", port).open()
        try:
            while not queue.empty():
                status, _ = await conn.send(queue.get_nowait())
                statuses.append(status)
        finally:
            await conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - start, statuses


def api_requests(host: str, cookie: str, count: int) -> list[bytes]:
    body = json.dumps(application()).encode()
    return [RawHttpConnection.request("POST", "/api/applications", host, [
        ("Cookie", cookie), ("Content-Type", "application/json"),
        ("Idempotency-Key", str(uuid.uuid4()))], body) for _ in range(count)]


def form_requests(host: str, cookie: str, token: str, count: int) -> list[bytes]:
    return [RawHttpConnection.request("POST", "/daftar-mandiri", host, [
        ("Cookie", cookie), ("Content-Type", "application/x-www-form-urlencoded")],
        form_body(token)) for _ in range(count)]


def wire(http: httpx.Client, path: str) -> int:
    with http.stream("GET", path, headers={"Accept-Encoding": "br, gzip"}) as response:
        assert response.status_code == 200, path
        return len(b"".join(response.iter_raw()))


def page_weight(base_url: str) -> dict[str, Any]:
    with httpx.Client(base_url=base_url, timeout=15.0) as http:
        html = http.get("/daftar-mandiri").text
        assets = ASSET.findall(html)
        sizes = {"/daftar-mandiri": wire(http, "/daftar-mandiri")}
        sizes.update({path: wire(http, path) for path in assets})
    return {"files": sizes, "total_kb": round(sum(sizes.values()) / KB, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="requests per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each kind")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    with deadline(240), running_server(**SERVER_ENV) as (server, cookie, _tmp):
        host = f"127.0.0.1:{server.port}"
        with httpx.Client(base_url=server.url) as http:
            page = http.get("/daftar-mandiri")
            token = csrf_from(page.text)
            form_cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        rates: dict[str, list[float]] = {"api": [], "form": []}
        load, started = BackgroundLoad(), time.perf_counter()
        window = CpuWindow(server.proc.pid, tree=True)
        for _ in range(args.rounds):
            for kind in ("api", "form"):
                requests = (api_requests(host, cookie, args.count) if kind == "api"
                            else form_requests(host, form_cookie, token, args.count))
                took, statuses = asyncio.run(_drive(server.port, requests, args.connections))
                assert statuses.count(201) == args.count, sorted(set(statuses))
                rates[kind].append(args.count / took)
        load.add_ours(window.stop(time.perf_counter() - started)["cpu_s"])
        background = round(load.cores(), 2)
        sent = args.count * args.rounds
        assert server.query("SELECT count(*) FROM applications") == [(sent,)]
        assert server.query("SELECT count(DISTINCT client_id) FROM preregistrations") == [
            (sent,)]
        weight = page_weight(server.url)

    api, form = statistics.median(rates["api"]), statistics.median(rates["form"])
    print(f"officer API      {api:8.1f} applications/s  (rounds: "
          f"{', '.join(f'{r:.0f}' for r in rates['api'])})")
    print(f"public form      {form:8.1f} pre-registrations/s  (rounds: "
          f"{', '.join(f'{r:.0f}' for r in rates['form'])})")
    print(f"ratio            {form / api:8.2f}   (other processes: {background} cores; "
          "distrust above 0.3)")
    print("/daftar-mandiri critical path, compressed:")
    for path, size in weight["files"].items():
        print(f"  {size / KB:6.1f} KB  {path}")
    print(f"  {weight['total_kb']:6.1f} KB  total (aim < {AIM_PAGE_KB} KB)")
    emit({"bench": "prereg", "ratio_prereg": round(form / api, 3),
          "prereg_page_kb": weight["total_kb"], "prereg_per_s": round(form, 1),
          "api_per_s": round(api, 1), "connections": args.connections,
          "count": args.count, "rounds": args.rounds, "background_cores": background,
          "page_files": weight["files"]})


if __name__ == "__main__":
    main()
