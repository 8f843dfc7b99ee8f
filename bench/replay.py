"""Phone replay: 500 queued applications sent by the service worker, against the same 500
sent straight to the batch API from Python, in the same run.

Run from the repo root::

    .venv/bin/python bench/replay.py              # ~25 s; last line is JSON
    .venv/bin/python bench/replay.py --help

1. The real server (``python -m app serve``, seeded, temp data dir, OSS forwarder off).
2. Headless Chromium, phone-sized: log in as the demo officer, open /petugas/antrian (the
   queue page an officer looks at while sending), wait until the service worker controls
   the page and its cache holds the shell. Reload once (the page's 30 s send timer starts
   again, so it cannot fire during the measurement), then put 500 valid applications
   (unique uuid keys) in the outbox with ``JBM.outbox.save`` -- not measured.
3. Phone: time from ``JBM.app.sendNow()`` (the page asks the service worker to replay)
   until the outbox has 0 unsent items. The page must be controlled, and sendNow must be
   answered by the worker (not the page's 60 s fallback). The server must hold exactly the
   500 keys afterwards.
4. Direct baseline: the same 500 bodies under new keys, POSTed to /api/applications/batch
   from Python (httpx, logged in), in the phone's chunk size (``JBM.replay.BATCH``, read
   from the page), once before and once after the phone run; direct_s is their mean. Also
   one run in chunks of 200 (the server's largest batch) for reference.

Aim (/work/shared/PERFORMANCE.md): phone_s / direct_s <= 3.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from bench._common import BackgroundLoad, chromium, deadline, emit
from tests.e2e.conftest import context_options
from tests.e2e.pwa import UNSENT, inject, login, poll, wait_offline_ready
from tests.support import ServerProcess, application, new_key, officer_client

ITEMS = 500
AIM_RATIO = 3.0
QUEUE_PAGE = "/petugas/antrian"
BUDGET_S = 115  # the default run is stopped (and cleaned up) past this
SERVER_ENV = {"JBM_OSS_FORWARDER": "0"}


@contextlib.contextmanager
def seeded_server(tmp: Path) -> Iterator[ServerProcess]:
    """The real server (``python -m app serve``), seeded, in ``tmp``."""
    server = ServerProcess(tmp / "data", **SERVER_ENV)
    server.data_dir.mkdir(parents=True)
    server.seed()
    try:
        server.start()
        yield server
    finally:
        server.stop()


def stored_keys(server: ServerProcess) -> set[str]:
    return {row[0] for row in server.query("SELECT client_id FROM applications")}


# -- the direct baseline ------------------------------------------------------------------------
def phone_chunk(browser: Any, server: ServerProcess) -> int:
    """How many items the phone's service worker sends per request (``JBM.replay.BATCH``,
    as a logged-in page of this server loads it)."""
    context = browser.new_context(**context_options())
    try:
        page = context.new_page()
        login(page, server.url, QUEUE_PAGE)
        return int(page.evaluate("() => JBM.replay.BATCH"))
    finally:
        context.close()


def direct_run(server: ServerProcess, count: int, chunk: int, tag: str) -> float:
    """Seconds to POST ``count`` applications to the batch API in chunks of ``chunk``."""
    items = [{"id": new_key(), "body": application(business_name=f"Replay {i}")}
             for i in range(count)]
    before = stored_keys(server)
    http = officer_client(server.url)
    try:
        http.get("/healthz")  # the connection is open before the clock starts
        start = time.perf_counter()
        for first in range(0, count, chunk):
            response = http.post("/api/applications/batch",
                                 json={"items": items[first:first + chunk]})
            if response.status_code != 200:
                raise RuntimeError(f"direct {tag}: {response.status_code} {response.text[:300]}")
            statuses = {r["status"] for r in response.json()["results"]}
            if statuses != {201}:
                raise RuntimeError(f"direct {tag}: item statuses {statuses}")
        elapsed = time.perf_counter() - start
    finally:
        http.close()
    new = stored_keys(server) - before
    if new != {item["id"] for item in items}:
        raise RuntimeError(f"direct {tag}: server has {len(new)} new rows, expected {count}")
    return elapsed


# -- the phone ---------------------------------------------------------------------------------
SEND_NOW = """() => {
  const start = performance.now();
  const controlled = !!navigator.serviceWorker.controller;
  return JBM.app.sendNow().then(summary => ({
    summary, controlled, ms: performance.now() - start,
  }));
}"""

def phone_run(browser: Any, server: ServerProcess, count: int) -> dict[str, Any]:
    """Queue ``count`` items on a phone showing the queue page; time sendNow() to 0 unsent.
    Also reads the phone's chunk size (``JBM.replay.BATCH``)."""
    context = browser.new_context(**context_options())
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        login(page, server.url, QUEUE_PAGE)
        # The first worker claims the page it was installed from; under load that claim can
        # be late, so wait for an active worker and reload: a navigation is always
        # controlled by the active worker. The reload also restarts app.js's 30 s send
        # timer, so it cannot fire while we measure.
        poll(page, "() => navigator.serviceWorker.ready.then(r => r.active.state)",
             lambda state: state == "activated", timeout=40)
        page.reload()
        wait_offline_ready(page)
        keys = [new_key() for _ in range(count)]
        inject(page, [(k, application(business_name=f"Replay {i}")) for i, k in enumerate(keys)])
        counts = page.evaluate("() => JBM.outbox.counts()")
        if counts["queued"] != count or counts["total"] != count:
            raise RuntimeError(f"outbox before sending: {counts}")
        if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
            raise RuntimeError("the service worker does not control the page")
        batch = page.evaluate("() => JBM.replay.BATCH")
        if not isinstance(batch, int) or batch < 1:
            raise RuntimeError(f"the page has no JBM.replay.BATCH: {batch!r}")
        before = stored_keys(server)

        start = time.perf_counter()
        answer = page.evaluate(SEND_NOW)
        phone_s = time.perf_counter() - start  # the worker's summary counted 0 unsent
        poll(page, UNSENT, lambda n: n == 0, timeout=60, interval=0.05)
        confirmed_s = time.perf_counter() - start  # the page read 0 unsent itself

        summary = answer["summary"] or {}
        if not answer["controlled"]:
            raise RuntimeError("sendNow ran without a controlling service worker")
        if answer["ms"] >= 60_000:
            raise RuntimeError("the worker did not answer: the page's fallback sent the outbox")
        if summary.get("sent") != count or summary.get("stopped") or summary.get("unsent"):
            raise RuntimeError(f"replay summary: {summary}")
        if errors:
            raise RuntimeError(f"errors in the page: {errors[:3]}")
        new = stored_keys(server) - before
        if new != set(keys):
            raise RuntimeError(f"server has {len(new)} new rows (expected {count}); "
                               f"{len(set(keys) - new)} keys missing")
        return {"phone_s": phone_s, "confirmed_s": confirmed_s, "batch": batch,
                "in_page_s": answer["ms"] / 1000, "new_rows": len(new), "summary": summary}
    finally:
        context.close()


# -- running ---------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    count = args.items
    load = BackgroundLoad()
    wall = time.perf_counter()
    with deadline(BUDGET_S), tempfile.TemporaryDirectory(prefix="jbm-bench-replay-") as tmp, \
            seeded_server(Path(tmp)) as server, chromium() as browser:
        # The phone's chunk size is read in the phone run; the first direct run uses the
        # shipped value from a page of the server under test, before the clock starts.
        batch = phone_chunk(browser, server)
        direct_before = direct_run(server, count, batch, "before")
        phone = phone_run(browser, server, count)
        assert phone["batch"] == batch
        direct_after = direct_run(server, count, batch, "after")
        direct_200 = direct_run(server, count, 200, "200")
    others = load.cores()
    direct_s = statistics.mean([direct_before, direct_after])
    ratio = phone["phone_s"] / direct_s
    print(f"replay of {count} queued applications (phone chunk JBM.replay.BATCH={batch})")
    print(f"  phone (service worker, page {QUEUE_PAGE}): {phone['phone_s']:.2f} s "
          f"until the worker's summary says 0 unsent (in-page clock {phone['in_page_s']:.2f} s);"
          f" {count / phone['phone_s']:.0f} items/s; server rows +{phone['new_rows']}")
    print(f"    the page itself read 0 unsent at {phone['confirmed_s']:.2f} s (its main thread "
          "is busy redrawing the queue list)")
    print(f"  direct (httpx, chunks of {batch}): {direct_before:.2f} s before, "
          f"{direct_after:.2f} s after the phone run; mean {direct_s:.2f} s "
          f"({count / direct_s:.0f} items/s)")
    print(f"  direct (httpx, chunks of 200): {direct_200:.2f} s ({count / direct_200:.0f} items/s)")
    print(f"  ratio phone/direct: {ratio:.2f} (aim <= {AIM_RATIO:g}: "
          f"{'met' if ratio <= AIM_RATIO else 'MISSED'})")
    print(f"  other processes on the machine used {others:.2f} cores on average; "
          f"whole run {time.perf_counter() - wall:.0f} s")
    emit({"bench": "replay", "items": count, "phone_s": round(phone["phone_s"], 3),
          "direct_s": round(direct_s, 3), "ratio": round(ratio, 2)})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=ITEMS, help="applications to queue")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
