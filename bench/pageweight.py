"""Page weight of the officer's capture page: cold critical path, offline precache, warm
reload, measured against the real server in real Chromium.

Run from the repo root::

    .venv/bin/python bench/pageweight.py          # ~30 s; last line is JSON
    .venv/bin/python bench/pageweight.py --help

(a) Cold load. A fresh browser context (empty HTTP cache, cleared again over CDP) logs in
    through its own request context, so the login page's files never enter the browser
    cache; then the page opens /petugas/daftar. A CDP session on the page (Network domain)
    records every request the page makes; the critical path is the document, its
    stylesheets and its scripts (htmx, app JS, the /sw/*.js the page loads), counted as
    bytes on the wire: ``Network.loadingFinished.encodedDataLength`` (compressed body plus
    response headers). The service worker's own requests (its script, precache)
    are not the page's and are reported apart, from the server's access log.
(b) Offline precache. The JBM_PRECACHE list from the officer's worker, each URL fetched
    from Python (httpx, logged in) with ``Accept-Encoding: br, gzip``; the sum of the
    compressed bodies as they come off the wire (headers reported apart). The worker itself
    (one file, its modules in it) is reported apart too.
(c) Warm reload. Once the worker controls the page and its cache holds every precache
    URL, and the server has been quiet for a moment: reload. Requests that reach the SERVER
    are the access-log lines written between before and after (the honest measure),
    split into navigations (the shell page itself: network-first by design) and assets
    (everything else). Separately: the requests the page issued, and how many the worker
    answered. A second warm reload, and one in another context whose HTTP cache was
    emptied after install (does the worker's cache alone cover the page?), are reported
    too.

Aims (/work/shared/PERFORMANCE.md): critical path <= 50 KB, precache <= 300 KB, warm reload
0 asset requests. KB = 1000 bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import json
import re
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench._common import chromium, deadline, emit, running_server
from tests.e2e.conftest import context_options
from tests.e2e.pwa import poll
from tests.support import OFFICER, csrf_from, officer_client

KB = 1000
AIM_CRITICAL_KB = 50
AIM_PRECACHE_KB = 300
CAPTURE_PAGE = "/petugas/daftar"
OFFICER_WORKER = "/sw.js?app=petugas"  # one file, its modules in it (app/pwa.py)
SHELL_PAGES = ("/petugas/daftar", "/petugas/antrian", "/petugas/pengaturan", "/petugas/offline",
               "/offline")
CRITICAL_TYPES = ("Document", "Stylesheet", "Script")
BUDGET_S = 110
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')
SERVER_ENV = {"JBM_OSS_FORWARDER": "0"}


# -- the server's view -----------------------------------------------------------------------
def access_lines(server: Any) -> list[tuple[str, str, int]]:
    """(method, path, status) of every request in the server's access log so far."""
    found = []
    for line in server.log_text().splitlines():
        match = ACCESS_LINE.search(line)
        if match:
            found.append((match["method"], match["path"], int(match["status"])))
    return found


def wait_quiet(server: Any, quiet_s: float = 1.0, timeout: float = 15.0) -> int:
    """Wait until the access log has had no new line for ``quiet_s``; its length then."""
    deadline = time.monotonic() + timeout
    count = len(access_lines(server))
    since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = len(access_lines(server))
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return count
    return count


def is_navigation(path: str) -> bool:
    return urlsplit(path).path in SHELL_PAGES


# -- (b) the precache, from Python -------------------------------------------------------
def wire_size(http: httpx.Client, path: str) -> dict[str, Any]:
    """One GET as a browser would make it: compressed body bytes and header bytes."""
    with http.stream("GET", path, headers={"Accept-Encoding": "br, gzip"}) as response:
        raw = b"".join(response.iter_raw())
        headers = sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 17
        decoded = len(_decode(raw, response.headers.get("content-encoding", "")))
        return {"path": path, "status": response.status_code, "body": len(raw),
                "headers": headers, "raw": decoded,
                "encoding": response.headers.get("content-encoding", "identity")}


def _decode(raw: bytes, encoding: str) -> bytes:
    if encoding == "br":
        import brotli

        return brotli.decompress(raw)
    if encoding == "gzip":
        import gzip

        return gzip.decompress(raw)
    return raw


def service_worker_lists(http: httpx.Client) -> list[str]:
    """JBM_PRECACHE + both JBM_OFFICER_STAGES (everything an officer's phone keeps), from
    the officer's worker."""
    text = http.get(OFFICER_WORKER).text
    precache = json.loads(re.search(r"const JBM_PRECACHE = (\[.*?\]);", text).group(1))
    for stage in json.loads(re.search(r"const JBM_OFFICER_STAGES = (\[.*\]);", text).group(1)):
        precache += stage
    return precache


def measure_precache(server: Any) -> dict[str, Any]:
    http = officer_client(server.url)
    try:
        precache = service_worker_lists(http)
        files = [wire_size(http, path) for path in precache]
        worker = [wire_size(http, OFFICER_WORKER)]
    finally:
        http.close()
    bad = [f for f in files + worker if f["status"] != 200]
    if bad:
        raise RuntimeError(f"precache URLs not answered 200: {bad}")
    return {"files": files, "worker": worker, "precache": precache}


# -- (a) and (c) in Chromium ---------------------------------------------------------------
class NetworkLog:
    """The page's requests as its CDP Network domain reports them."""

    def __init__(self, cdp: Any) -> None:
        self.requests: dict[str, dict[str, Any]] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def _entry(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.requests.setdefault(event["requestId"], {})

    def _sent(self, event: dict[str, Any]) -> None:
        self._entry(event).update(url=event["request"]["url"], type=event.get("type", "Other"))

    def _response(self, event: dict[str, Any]) -> None:
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        self._entry(event).update(
            status=response["status"], headers_bytes=response.get("encodedDataLength", 0),
            from_sw=bool(response.get("fromServiceWorker")),
            from_cache=bool(response.get("fromDiskCache") or response.get("fromPrefetchCache")),
            encoding=headers.get("content-encoding", "identity"), type=event.get("type", "Other"),
        )

    def _finished(self, event: dict[str, Any]) -> None:
        self._entry(event)["wire"] = event["encodedDataLength"]

    def _failed(self, event: dict[str, Any]) -> None:
        self._entry(event)["failed"] = event.get("errorText", "failed")

    def clear(self) -> None:
        self.requests.clear()

    def done(self) -> bool:
        return all("wire" in r or "failed" in r for r in self.requests.values())

    def entries(self) -> list[dict[str, Any]]:
        return [r for r in self.requests.values() if "url" in r]


def login_without_page(context: Any, base_url: str) -> None:
    """Log in through the context's request API: the browser never loads the login page,
    so none of its files are in the HTTP cache when the capture page loads."""
    token = csrf_from(context.request.get(f"{base_url}/masuk").text())
    answer = context.request.post(
        f"{base_url}/masuk", max_redirects=0,
        form={"_csrf_token": token, "username": OFFICER[0], "password": OFFICER[1],
              "next": CAPTURE_PAGE},
    )
    if answer.status != 303:
        raise RuntimeError(f"login answered {answer.status}")


CACHED_URLS = """() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)
  .then(c => c.keys())))).then(lists => lists.flat().map(r => {
    const u = new URL(r.url); return u.pathname + u.search; }))"""


def wait_installed(page: Any, precache: list[str]) -> None:
    """The worker controls the page and its cache holds every precache URL."""
    poll(page, "() => navigator.serviceWorker.controller !== null", timeout=40)
    poll(page, CACHED_URLS, lambda urls: set(precache) <= set(urls or []), timeout=40)


def open_cold(browser: Any, server: Any) -> tuple[Any, Any, NetworkLog, int]:
    context = browser.new_context(**context_options())
    context.set_default_timeout(20_000)
    login_without_page(context, server.url)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    network = NetworkLog(cdp)
    mark = wait_quiet(server, quiet_s=0.3)
    page.goto(f"{server.url}{CAPTURE_PAGE}", wait_until="load")
    if urlsplit(page.url).path != CAPTURE_PAGE:
        raise RuntimeError(f"the capture page redirected to {page.url}")
    return context, page, network, mark


def reload_counted(page: Any, server: Any, network: NetworkLog) -> dict[str, Any]:
    """Reload; what reached the server (access log) and what the page asked for (CDP)."""
    mark = wait_quiet(server)
    network.clear()
    page.reload(wait_until="load")
    deadline = time.monotonic() + 10
    while not network.done() and time.monotonic() < deadline:
        time.sleep(0.05)
    end = wait_quiet(server, quiet_s=1.5)
    lines = access_lines(server)[mark:end]
    issued = network.entries()
    return {
        "server": lines,
        "navigations": [line for line in lines if is_navigation(line[1])],
        "assets": [line for line in lines if not is_navigation(line[1])],
        "issued": issued,
        "by_worker": [r for r in issued if r.get("from_sw")],
        "controlled": page.evaluate("() => navigator.serviceWorker.controller !== null"),
    }


def measure_browser(browser: Any, server: Any, precache: list[str]) -> dict[str, Any]:
    context, page, network, mark = open_cold(browser, server)
    try:
        deadline = time.monotonic() + 10
        while not network.done() and time.monotonic() < deadline:
            time.sleep(0.05)
        cold = network.entries()
        wait_installed(page, precache)
        end = wait_quiet(server, quiet_s=1.0)
        first_visit = access_lines(server)[mark:end]
        warm = reload_counted(page, server, network)
        warm2 = reload_counted(page, server, network)
    finally:
        context.close()
    # Another phone: after install its HTTP cache is emptied, so only the worker's cache
    # can answer the page's files.
    context, page, network, _mark = open_cold(browser, server)
    try:
        wait_installed(page, precache)
        context.new_cdp_session(page).send("Network.clearBrowserCache")
        no_http_cache = reload_counted(page, server, network)
    finally:
        context.close()
    return {"cold": cold, "first_visit": first_visit, "warm": warm, "warm2": warm2,
            "no_http_cache": no_http_cache}


DOCUMENT_ONLY_HEADERS = ("content-security-policy", "x-frame-options", "permissions-policy",
                         "cross-origin-opener-policy", "referrer-policy")


def measure_details(server: Any, seen: dict[str, Any]) -> dict[str, Any]:
    """From Python, while the server runs: the compressed size of every URL of the first
    visit, and the content and headers of the critical-path files."""
    http = officer_client(server.url)
    try:
        paths = {path for _m, path, _s in seen["first_visit"]}
        visit_sizes = {path: wire_size(http, path)["body"] for path in paths}
        critical = []
        for r in seen["cold"]:
            if r.get("type") not in CRITICAL_TYPES or not r["url"].startswith(server.url):
                continue
            path = short(r["url"])
            response = http.get(path, headers={"Accept-Encoding": "br, gzip"})
            raw_headers = response.headers.raw
            critical.append({
                "path": path, "type": r["type"], "content": response.content,
                "body": int(response.headers.get("content-length", len(response.content))),
                "headers": r.get("headers_bytes", 0),
                "document_only_headers": sum(len(k) + len(v) + 4 for k, v in raw_headers
                                             if k.decode().lower() in DOCUMENT_ONLY_HEADERS),
            })
    finally:
        http.close()
    return {"visit_sizes": visit_sizes, "critical": critical}


# -- reporting -------------------------------------------------------------------------------
def kb(n: float) -> str:
    return f"{n / KB:.1f} KB"


def short(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def report_cold(cold: list[dict[str, Any]], server_url: str) -> tuple[int, int]:
    ours = [r for r in cold if r["url"].startswith(server_url)]
    critical = [r for r in ours if r.get("type") in CRITICAL_TYPES]
    other = [r for r in ours if r.get("type") not in CRITICAL_TYPES]
    wire = sum(r.get("wire", 0) for r in critical)
    headers = sum(r.get("headers_bytes", 0) for r in critical)
    print(f"(a) cold load of {CAPTURE_PAGE} (empty cache, logged in without loading the "
          f"login page): {len(critical)} requests on the critical path")
    print(f"    {'bytes on wire':>13}  {'headers':>7}  encoding  type        url")
    for r in sorted(critical, key=lambda r: -r.get("wire", 0)):
        print(f"    {r.get('wire', 0):13,d}  {r.get('headers_bytes', 0):7,d}  "
              f"{r.get('encoding', '?'):8s}  {r['type']:10s}  {short(r['url'])}")
    print(f"    total {kb(wire)} on the wire = {kb(wire - headers)} compressed bodies + "
          f"{kb(headers)} response headers; aim <= {AIM_CRITICAL_KB} KB -> ratio "
          f"{wire / KB / AIM_CRITICAL_KB:.2f}")
    for r in other:
        print(f"    not critical (page-issued): {r['type']} {short(r['url'])} "
              f"{r.get('wire', 0):,d} B")
    if any(r.get("failed") or r.get("status", 200) >= 400 for r in critical):
        raise RuntimeError(f"a critical request failed: {critical}")
    return wire, headers


def report_precache(found: dict[str, Any]) -> int:
    files = found["files"]
    body = sum(f["body"] for f in files)
    headers = sum(f["headers"] for f in files)
    raw = sum(f["raw"] for f in files)
    print(f"(b) offline precache (JBM_PRECACHE, {len(files)} URLs, fetched with "
          f"Accept-Encoding: br, gzip)")
    print(f"    {'compressed':>10}  {'raw':>9}  encoding  url")
    for f in sorted(files, key=lambda f: -f["body"]):
        print(f"    {f['body']:10,d}  {f['raw']:9,d}  {f['encoding']:8s}  {f['path']}")
    print(f"    total {kb(body)} compressed ({kb(raw)} raw) + {kb(headers)} headers; "
          f"aim <= {AIM_PRECACHE_KB} KB -> ratio {body / KB / AIM_PRECACHE_KB:.2f}")
    worker = found["worker"]
    print("    plus the officer's worker (one file, its modules in it): "
          f"{kb(sum(w['body'] for w in worker))} compressed")
    return body


def report_first_visit(lines: list[tuple[str, str, int]], sizes: dict[str, int]) -> None:
    counts = Counter(path for _method, path, _status in lines)
    repeats = {path: n - 1 for path, n in counts.items() if n > 1}
    repeat_bytes = sum(sizes[path] * n for path, n in repeats.items())
    versioned = sum(sizes[path] * n for path, n in repeats.items() if "?v=" in path)
    total = sum(sizes[path] for _m, path, _s in lines)
    print(f"    first visit as the server saw it (page, worker install, precache): "
          f"{len(lines)} requests, {kb(total)} of compressed bodies; "
          f"{sum(repeats.values())} repeat a URL already fetched in the same visit "
          f"({kb(repeat_bytes)}, of which {kb(versioned)} immutable ?v= files):")
    for path, n in sorted(repeats.items()):
        print(f"      {n + 1}x {path} ({sizes[path]:,d} B)")


def report_savings(files: list[dict[str, Any]]) -> None:
    """What the critical path would weigh with three changes, computed from its files."""
    import brotli

    bodies = sum(f["body"] for f in files)
    q11 = sum(len(brotli.compress(f["content"], quality=11)) for f in files)
    document_only = sum(f["document_only_headers"] for f in files if f["type"] != "Document")
    bundle = [f for f in files if f["type"] == "Script" and "htmx" not in f["path"]]
    apart = sum(f["body"] + f["headers"] for f in bundle)
    joined = b"\n;".join(f["content"] for f in bundle)
    together = len(brotli.compress(joined, quality=5)) + max(f["headers"] for f in bundle)
    print("    what would shrink it (computed from the same files, not served):")
    print(f"      brotli quality 11 for static files (precompressed once; the server uses 5): "
          f"bodies {kb(bodies)} -> {kb(q11)}")
    print(f"      no document-only headers (CSP, X-Frame-Options, Permissions-Policy, COOP, "
          f"Referrer-Policy) on the {sum(f['type'] != 'Document' for f in files)} "
          f"subresources: -{kb(document_only)}")
    print(f"      the {len(bundle)} app scripts (not htmx) as one file: {kb(apart)} -> "
          f"{kb(together)} (bodies + headers)")


def report_warm(name: str, warm: dict[str, Any]) -> None:
    issued = warm["issued"]
    print(f"    {name}: {len(warm['server'])} requests reached the server "
          f"({len(warm['navigations'])} navigation, {len(warm['assets'])} asset); the page "
          f"issued {len(issued)}, {len(warm['by_worker'])} answered by the service worker"
          f"{'' if warm['controlled'] else ' (page NOT controlled)'}")
    for method, path, status in warm["server"]:
        kind = "navigation" if is_navigation(path) else "ASSET"
        print(f"      server: {kind:10s} {method} {path} {status}")
    for r in issued:
        if not r.get("from_sw"):
            print(f"      page request not answered by the worker: {r.get('type')} "
                  f"{short(r['url'])}")


# -- running ---------------------------------------------------------------------------------
def run() -> int:
    started = time.perf_counter()
    with deadline(BUDGET_S), running_server("jbm-bench-pageweight-", **SERVER_ENV) as (
            server, _cookie, _tmp), chromium() as browser:
        precache = measure_precache(server)
        seen = measure_browser(browser, server, precache["precache"])
        extra = measure_details(server, seen)
    critical, _headers = report_cold(seen["cold"], server.url)
    report_savings(extra["critical"])
    report_first_visit(seen["first_visit"], extra["visit_sizes"])
    precache_bytes = report_precache(precache)
    print("(c) warm reload of the capture page (worker in control, cache filled)")
    report_warm("first warm reload", seen["warm"])
    report_warm("second warm reload", seen["warm2"])
    report_warm("warm reload, HTTP cache emptied after install", seen["no_http_cache"])
    warm = seen["warm"]
    if not warm["controlled"]:
        raise RuntimeError("the page was not controlled by the worker on the warm reload")
    print(f"whole run {time.perf_counter() - started:.0f} s")
    emit({
        "bench": "pageweight",
        "critical_kb": round(critical / KB, 1),
        "precache_kb": round(precache_bytes / KB, 1),
        "warm_server_requests": len(warm["server"]),
        "warm_asset_requests": len(warm["assets"]),
        "ratio_critical": round(critical / KB / AIM_CRITICAL_KB, 2),
        "ratio_precache": round(precache_bytes / KB / AIM_PRECACHE_KB, 2),
    })
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    return run()


if __name__ == "__main__":
    sys.exit(main())
