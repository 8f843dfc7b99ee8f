"""Phone replay: 500 queued applications sent by the service worker, against the same 500
sent straight to the batch API from Python, in the same run.

Run from the repo root::

    .venv/bin/python bench/replay.py              # ~25 s; last line is JSON
    .venv/bin/python bench/replay.py --diagnose   # where the phone's time goes (~6 min)
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
   from Python (httpx, logged in), in chunks of BATCH (read from sw/replay.js), once before
   and once after the phone run; direct_s is their mean. Also one run in chunks of 200
   (the server's largest batch) for reference.

Aim (/work/shared/PERFORMANCE.md): phone_s / direct_s <= 3.

``--diagnose`` instruments the service worker and the page (timings of each outbox
transaction, fetch and JSON parse, and of the page's reads of the outbox) and measures
patched copies of sw/ and static/ (served from a temp dir by a second server; the repo's
files are not changed), to show what each candidate change gains.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import contextlib
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from bench._common import ROOT, BackgroundLoad, chromium, deadline, emit
from tests.e2e.conftest import context_options
from tests.e2e.pwa import UNSENT, inject, login, poll, wait_offline_ready
from tests.support import ServerProcess, application, new_key, officer_client

ITEMS = 500
AIM_RATIO = 3.0
QUEUE_PAGE = "/petugas/antrian"
BUDGET_S = 115  # the default run is stopped (and cleaned up) past this
DIAGNOSE_BUDGET_S = 570
SERVER_ENV = {"JBM_OSS_FORWARDER": "0"}


def phone_batch_size(sw_dir: Path = ROOT / "sw") -> int:
    """The phone's chunk size, as sw/replay.js has it."""
    match = re.search(r"var BATCH = (\d+);", (sw_dir / "replay.js").read_text())
    if not match:
        raise RuntimeError("no `var BATCH = N;` in sw/replay.js")
    return int(match.group(1))


# -- the server ------------------------------------------------------------------------------
@contextlib.contextmanager
def seeded_server(tmp: Path, patched: Path | None = None) -> Iterator[ServerProcess]:
    """The real server, seeded, in ``tmp``. With ``patched``, its sw/ and static/ are served
    from ``patched/sw`` and ``patched/static`` (see ``serve_patched``)."""
    server = ServerProcess(tmp / "data", **SERVER_ENV)
    server.data_dir.mkdir(parents=True)
    server.seed()
    try:
        if patched is None:
            server.start()
        else:
            _start_patched(server, patched)
        yield server
    finally:
        server.stop()


def _start_patched(server: ServerProcess, patched: Path) -> None:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-patched", str(patched)]
    server.proc = subprocess.Popen(command, env=server.env, cwd=str(ROOT),
                                   stdout=server.log_path.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"patched server exited: {server.log_text()[-2000:]}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=0.5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("patched server did not start")


def serve_patched(patched: str) -> int:
    """``python -m app serve`` with sw_dir/static_dir from a patched copy (child process)."""
    from dataclasses import replace

    from app.cli import cmd_serve
    from app.settings import Settings

    root = Path(patched)
    settings = replace(Settings.from_env(), sw_dir=root / "sw", static_dir=root / "static")
    return cmd_serve(settings, argparse.Namespace())


def stored_keys(server: ServerProcess) -> set[str]:
    return {row[0] for row in server.query("SELECT client_id FROM applications")}


# -- the direct baseline ------------------------------------------------------------------------
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

# Timings inside the service worker: each outbox call, fetch and JSON parse, and the page
# messages posted. Wrapping looks functions up where replay.js looks them up (at call time).
SW_PROBE = """() => {
  const T = self.__bench = {events: [], posts: {}};
  const now = () => performance.now();
  const rec = (label, start) => { T.events.push([label, start, now()]); };
  const outbox = self.JBM.outbox;
  ['all', 'markSending', 'markSent', 'markSentMany', 'markState', 'markNeedsFix', 'purgeSent',
   'counts'].forEach(name => {
    const original = outbox[name];
    if (!original) { return; }
    outbox[name] = function () {
      const start = now();
      return original.apply(this, arguments).then(v => { rec('outbox.' + name, start); return v; });
    };
  });
  const originalFetch = self.fetch;
  self.fetch = function (input, init) {
    const start = now();
    const path = new URL(typeof input === 'string' ? input : input.url, self.location).pathname;
    return originalFetch.call(self, input, init)
      .then(r => { rec('fetch ' + path, start); return r; });
  };
  const originalJson = Response.prototype.json;
  Response.prototype.json = function () {
    const start = now();
    return originalJson.call(this).then(v => { rec('response.json', start); return v; });
  };
  const originalPost = self.JBM.messages.post;
  self.JBM.messages.post = function (message) {
    T.posts[message.type] = (T.posts[message.type] || 0) + 1;
    return originalPost.call(this, message);
  };
  return true;
}"""

# Timings in the page: its reads of the whole outbox (queue list and badge both call all()).
PAGE_PROBE = """() => {
  const T = window.__bench = {events: [], longtasks: 0, longtask_ms: 0};
  const now = () => performance.now();
  const original = JBM.outbox.all;
  JBM.outbox.all = function () {
    const start = now();
    return original.apply(this, arguments)
      .then(v => { T.events.push(['page all()', start, now()]); return v; });
  };
  try {
    new PerformanceObserver(list => list.getEntries().forEach(e => {
      T.longtasks += 1; T.longtask_ms += e.duration;
    })).observe({type: 'longtask'});
  } catch (e) { /* no long-task timing */ }
  return true;
}"""


def phone_run(browser: Any, server: ServerProcess, count: int, path: str = QUEUE_PAGE,
              probe: bool = False) -> dict[str, Any]:
    """Queue ``count`` items on a phone showing ``path``; time sendNow() to 0 unsent."""
    context = browser.new_context(**context_options())
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        login(page, server.url, path)
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
        worker = context.service_workers[0] if context.service_workers else None
        if probe:
            if worker is None:
                raise RuntimeError("no service worker to probe")
            worker.evaluate(SW_PROBE)
            page.evaluate(PAGE_PROBE)
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
        result: dict[str, Any] = {
            "phone_s": phone_s, "confirmed_s": confirmed_s, "in_page_s": answer["ms"] / 1000,
            "new_rows": len(new), "summary": summary,
        }
        if probe:
            result["sw"] = worker.evaluate("() => self.__bench")
            result["page"] = page.evaluate("() => window.__bench")
        return result
    finally:
        context.close()


def union_s(intervals: list[tuple[float, float]]) -> float:
    """Seconds covered by at least one of the (start_ms, end_ms) intervals."""
    total = 0.0
    current: list[float] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = [start, end]
        else:
            current[1] = max(current[1], end)
    if current is not None:
        total += current[1] - current[0]
    return total / 1000


def breakdown(result: dict[str, Any]) -> list[str]:
    """Human-readable: where the worker's and the page's time went."""
    events = result["sw"]["events"]
    first = min(e[1] for e in events)
    last = max(e[2] for e in events)
    lines = [f"    worker: first..last outbox/network step {(last - first) / 1000:.2f} s; "
             f"messages posted {result['sw']['posts']}"]
    by_label: dict[str, list[tuple[float, float]]] = {}
    for label, start, end in events:
        by_label.setdefault(label, []).append((start, end))
    for label in sorted(by_label, key=lambda k: -union_s(by_label[k])):
        spans = by_label[label]
        busy = sum(end - start for start, end in spans) / 1000
        lines.append(f"    {label:32s} n={len(spans):4d}  wall {union_s(spans):6.2f} s  "
                     f"(sum of durations {busy:7.2f} s, mean {1000 * busy / len(spans):7.1f} ms)")
    page_events = result["page"]["events"]
    if page_events:
        spans = [(s, e) for _, s, e in page_events]
        busy = sum(e - s for s, e in spans) / 1000
        lines.append(f"    page: JBM.outbox.all() n={len(spans)}  wall {union_s(spans):6.2f} s  "
                     f"(mean {1000 * busy / len(spans):.0f} ms each, 500 full records)")
    page = result["page"]
    lines.append(f"    page: long tasks (>50 ms) {page['longtasks']}, "
                 f"{page['longtask_ms'] / 1000:.2f} s on the page's main thread")
    return lines


# -- patched copies for --diagnose ---------------------------------------------------------
def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if text.count(old) != 1:
        raise RuntimeError(f"patch does not apply to {path.name}: {old[:60]!r}")
    path.write_text(text.replace(old, new))


def patch_mark_sent_many(root: Path) -> None:
    """sw/: acknowledge a chunk's items in ONE IndexedDB transaction, not one per item."""
    outbox = root / "sw" / "outbox.js"
    _replace_once(outbox, "  function markNeedsFix(id, answer) {", """\
  // Many acknowledgements in one transaction: answers = {id: answer}.
  function markSentMany(answers) {
    return update(Object.keys(answers), function (item) {
      var answer = answers[item.id];
      return {
        id: item.id, state: "sent", business_name: item.business_name,
        created_at: item.created_at, sent_at: now(), attempts: item.attempts,
        tracking_code: answer.tracking_code, status: answer.status,
        status_label: answer.status_label, message: answer.message || null, schema: DB_VERSION,
      };
    });
  }

  function markNeedsFix(id, answer) {""")
    _replace_once(outbox, "markSent: markSent,", "markSent: markSent, markSentMany: markSentMany,")
    replay = root / "sw" / "replay.js"
    _replace_once(replay, "    var retry = [];\n", "    var retry = [];\n    var acked = {};\n")
    _replace_once(replay, "        work.push(outbox().markSent(item.id, result.body));",
                  "        acked[item.id] = result.body;")
    _replace_once(replay, "    if (retry.length) {",
                  "    if (sent) { work.push(outbox().markSentMany(acked)); }\n"
                  "    if (retry.length) {")


def patch_batch(size: int) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        _replace_once(root / "sw" / "replay.js", "var BATCH = 25;", f"var BATCH = {size};")
    apply.__doc__ = f"sw/: BATCH 25 -> {size} items per request"
    return apply


def patch_one_changed_per_chunk(root: Path) -> None:
    """sw/: no "changed" message after markSending (one page refresh per chunk, not two)."""
    _replace_once(root / "sw" / "replay.js",
                  '.then(function () { messages().post({ type: "changed" }); '
                  "return sendBatch(chunk); })",
                  ".then(function () { return sendBatch(chunk); })")


ON_MESSAGE = 'if (message.type === "changed" || message.type === "replayed") { '
RENDER_SOON = """\
  var rendering = null;
  var renderAgain = false;
  var lastRender = 0;
  // At most one render in flight; messages meanwhile coalesce into one more, started no
  // sooner than GAP_MS after the previous one began.
  function renderSoon() {
    if (rendering) { renderAgain = true; return; }
    var wait = Math.max(0, lastRender + GAP_MS - Date.now());
    rendering = new Promise(function (resolve) { setTimeout(resolve, wait); })
      .then(function () { lastRender = Date.now(); return render(); })
      .finally(function () {
        rendering = null;
        if (renderAgain) { renderAgain = false; renderSoon(); }
      });
  }
"""


LIST = "  var list = document.querySelector"


def _queue_js_patch(root: Path, gap_ms: int, formatter: bool) -> None:
    queue = root / "static" / "js" / "queue.js"
    if formatter:
        _replace_once(queue, '    return new Date(iso).toLocaleString("id-ID", { day: "2-digit", '
                             'month: "2-digit", hour: "2-digit", minute: "2-digit" });',
                      "    return DATE_FORMAT.format(new Date(iso));")
        _replace_once(queue, LIST, '  var DATE_FORMAT = new Intl.DateTimeFormat("id-ID",\n'
                      '    { day: "2-digit", month: "2-digit", hour: "2-digit", '
                      'minute: "2-digit" });\n' + LIST)
    _replace_once(queue, LIST, f"  var GAP_MS = {gap_ms};\n" + RENDER_SOON + LIST)
    _replace_once(queue, ON_MESSAGE + "render(); }", ON_MESSAGE + "renderSoon(); }")


def patch_queue_coalesce(root: Path) -> None:
    """static/js/queue.js: at most one render in flight, later messages coalesce into one
    more; one Intl.DateTimeFormat instead of toLocaleString() per row."""
    _queue_js_patch(root, 0, formatter=True)


def patch_queue_throttle(root: Path) -> None:
    """static/js/queue.js: as coalesce, and renders start at least 1 s apart."""
    _queue_js_patch(root, 1000, formatter=True)


def make_patched(tmp: Path, patches: list[Callable[[Path], None]]) -> Path:
    root = tmp / "patched"
    shutil.copytree(ROOT / "sw", root / "sw")
    shutil.copytree(ROOT / "static", root / "static")
    for patch in patches:
        patch(root)
    return root


# -- running ---------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    batch = phone_batch_size()
    count = args.items
    load = BackgroundLoad()
    wall = time.perf_counter()
    with deadline(BUDGET_S), tempfile.TemporaryDirectory(prefix="jbm-bench-replay-") as tmp, \
            seeded_server(Path(tmp)) as server, chromium() as browser:
        direct_before = direct_run(server, count, batch, "before")
        phone = phone_run(browser, server, count)
        direct_after = direct_run(server, count, batch, "after")
        direct_200 = direct_run(server, count, 200, "200")
    others = load.cores()
    direct_s = statistics.mean([direct_before, direct_after])
    ratio = phone["phone_s"] / direct_s
    print(f"replay of {count} queued applications (phone chunk BATCH={batch}, from sw/replay.js)")
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
    if ratio > AIM_RATIO:
        print("  (where the phone's time goes: run with --diagnose)")
    emit({"bench": "replay", "items": count, "phone_s": round(phone["phone_s"], 3),
          "direct_s": round(direct_s, 3), "ratio": round(ratio, 2)})
    return 0


SW_PATCHES = [patch_mark_sent_many, patch_one_changed_per_chunk]
SETTINGS_PAGE = "/petugas/pengaturan"  # a shell page with the badge but no queue list
DIAGNOSE_VARIANTS: list[tuple[str, str, list[Callable[[Path], None]]]] = [
    ("as shipped, queue page", QUEUE_PAGE, []),
    ("as shipped, settings page (no queue list)", SETTINGS_PAGE, []),
    ("queue.js coalesced renders", QUEUE_PAGE, [patch_queue_coalesce]),
    ("queue.js coalesced + sw markSentMany + 1 'changed'/chunk", QUEUE_PAGE,
     [patch_queue_coalesce, *SW_PATCHES]),
    ("queue.js coalesced + sw as above + BATCH 100", QUEUE_PAGE,
     [patch_queue_coalesce, *SW_PATCHES, patch_batch(100)]),
    ("queue.js renders >= 1 s apart + sw as above + BATCH 100", QUEUE_PAGE,
     [patch_queue_throttle, *SW_PATCHES, patch_batch(100)]),
    ("settings page: sw markSentMany + 1 'changed'/chunk", SETTINGS_PAGE, SW_PATCHES),
    ("settings page: sw as above + BATCH 100", SETTINGS_PAGE,
     [*SW_PATCHES, patch_batch(100)]),
]


def diagnose(args: argparse.Namespace) -> int:
    """Every variant ``args.rounds`` times, round-robin (the machine is shared: a busy
    neighbour slows whichever variant runs at that moment), each against its own direct
    baseline measured on the same server just before. Breakdowns from the first round."""
    count = args.items
    batch = phone_batch_size()
    runs: dict[int, list[tuple[float, float, float]]] = {
        i: [] for i in range(len(DIAGNOSE_VARIANTS))}
    load = BackgroundLoad()
    with deadline(DIAGNOSE_BUDGET_S), chromium() as browser:
        for round_no in range(args.rounds):
            for index, (name, path, patches) in enumerate(DIAGNOSE_VARIANTS):
                with tempfile.TemporaryDirectory(prefix="jbm-bench-replay-") as tmp:
                    patched = make_patched(Path(tmp), patches) if patches else None
                    own = phone_batch_size(patched / "sw") if patched else batch
                    with seeded_server(Path(tmp), patched) as server:
                        direct = direct_run(server, count, batch, "diagnose")
                        direct_own = (direct_run(server, count, own, "diagnose-own")
                                      if own != batch else direct)
                        result = phone_run(browser, server, count, path, probe=True)
                phone_s = result["phone_s"]
                runs[index].append((phone_s, direct, direct_own))
                print(f"[round {round_no + 1}, variant {index}] {name}: phone "
                      f"{phone_s:.2f} s, direct (chunks of {batch}) {direct:.2f} s, "
                      f"ratio {phone_s / direct:.2f}"
                      + (f"; direct in this variant's chunks of {own} {direct_own:.2f} s, "
                         f"ratio {phone_s / direct_own:.2f}" if own != batch else ""))
                if round_no == 0:
                    for patch in patches:
                        print(f"    patch: {(patch.__doc__ or '').strip().splitlines()[0]}")
                    print("\n".join(breakdown(result)))
                sys.stdout.flush()
    print(f"\nsummary: {count} items, {args.rounds} rounds; median phone s; median ratio to "
          f"the direct run on the same server in chunks of {batch} (as shipped) and in the "
          f"variant's own chunk size; other processes used {load.cores():.2f} cores on average")
    variants = []
    for index, (name, _path, _patches) in enumerate(DIAGNOSE_VARIANTS):
        phone = statistics.median(p for p, _, _ in runs[index])
        ratio = statistics.median(p / d for p, d, _ in runs[index])
        ratio_own = statistics.median(p / d for p, _, d in runs[index])
        spread = ", ".join(f"{p:.2f}" for p, _, _ in runs[index])
        print(f"  [{index}] {phone:6.2f} s  ratio {ratio:5.2f}  own-chunk ratio {ratio_own:5.2f}"
              f"  ({spread})  {name}")
        variants.append({"name": name, "phone_s": round(phone, 3), "ratio": round(ratio, 2),
                         "ratio_own_chunk": round(ratio_own, 2)})
    emit({"bench": "replay-diagnose", "items": count, "rounds": args.rounds,
          "variants": variants})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=ITEMS, help="applications to queue")
    parser.add_argument("--diagnose", action="store_true",
                        help="instrumented runs and patched copies: where the time goes")
    parser.add_argument("--rounds", type=int, default=3, help="--diagnose: rounds")
    parser.add_argument("--serve-patched", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_patched:
        return serve_patched(args.serve_patched)
    return diagnose(args) if args.diagnose else run(args)


if __name__ == "__main__":
    sys.exit(main())
