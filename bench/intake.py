"""Intake benchmark: the app's intake rate over HTTP as a ratio to raw sqlite3, same run.

Run from the repo root::

    .venv/bin/python bench/intake.py            # ~30 s; the last line is JSON
    .venv/bin/python bench/intake.py --help

It touches the app only through its public entry points: ``python -m app seed-demo`` and
``python -m app serve`` (a real server process in a temp dir, OSS forwarder off), the login
form, ``POST /api/applications`` and ``POST /api/applications/batch`` on 127.0.0.1.

1. Server. A second process (this file with ``--load-child``) drives it over keep-alive
   HTTP/1.1 with a raw asyncio client (bench/_common.py; httpx needs more CPU per request
   than the server does on these 2-core machines):
   (a) single POSTs, unique Idempotency-Keys, many concurrent connections;
   (b) batches of 100 items per request, a few connections.
   Every item must be answered 201; afterwards the server's SQLite file must hold exactly
   the keys sent, once each.
2. Baseline: stdlib sqlite3 (WAL, synchronous=FULL) writes the rows the server wrote per
   application, with the same schema and row shapes: the schema is copied from the
   server's database file and the rows of one application the server stored are the
   template (fresh ids, keys, hashes and tracking codes per item). Each table that got one
   row per application on the server gets one here. (a) one item per commit; (b) 100 items
   per commit with ``executemany``.
   Raw and server rounds are interleaved (raw, server, raw, ..., raw) because the disk's
   fsync time drifts over seconds; each figure is the median of its rounds.
3. Human-readable figures, then ONE JSON object as the last line.

Aims (/work/shared/PERFORMANCE.md): ratio_single >= 0.25 (stretch 0.5), ratio_batch >= 0.5.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import json
import secrets
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench._common import (
    BackgroundLoad,
    CpuWindow,
    RawHttpConnection,
    cpu_seconds,
    deadline,
    emit,
    percentile,
    running_server,
)

# The OSS forwarder paces itself and has a benchmark of its own (bench/forward.py).
SERVER_ENV = {"JBM_OSS_FORWARDER": "0"}
QUIET_CORES = 0.3  # neighbours above this many cores make a run's figures doubtful
AIM_SINGLE = 0.25
AIM_BATCH = 0.5
BUDGET_S = 115
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


# == the load generator (runs in a second process) ======================================
def key_for(base: int, n: int) -> str:
    """The Idempotency-Key of item ``n``: a UUID the parent can recompute to verify."""
    return str(uuid.UUID(int=(base << 32) | n))


def _body(n: int) -> dict[str, Any]:
    from tests.support import application

    return application(street=f"Jl. Mawar {n % 250 + 1}", rt=str(n % 9 + 1))


def _single_ok(status: int, _body: bytes) -> int:
    return int(status == 201)


def _batch_ok(status: int, body: bytes) -> int:
    if status != 200:
        return 0
    return sum(1 for r in json.loads(body)["results"] if r["status"] == 201)


def _requests(cfg: dict[str, Any], phase: dict[str, Any]) -> list[bytes]:
    host = f"127.0.0.1:{cfg['port']}"
    # What Chromium's service worker sends: the answers come back brotli'd.
    headers = [("Cookie", cfg["cookie"]), ("Content-Type", "application/json"),
               ("Accept-Encoding", "gzip, deflate, br")]
    base, offset, count = cfg["key_base"], phase["key_offset"], phase["count"]
    if phase["kind"] == "single":
        return [RawHttpConnection.request(
            "POST", "/api/applications", host,
            [*headers, ("Idempotency-Key", key_for(base, offset + n))],
            json.dumps(_body(n)).encode()) for n in range(count)]
    size = phase["batch_size"]
    requests = []
    for first in range(0, count, size):
        items = [{"id": key_for(base, offset + n), "body": _body(n)}
                 for n in range(first, min(count, first + size))]
        requests.append(RawHttpConnection.request(
            "POST", "/api/applications/batch", host, headers,
            json.dumps({"items": items}).encode()))
    return requests


async def run_phase(cfg: dict[str, Any], phase: dict[str, Any]) -> dict[str, Any]:
    """Send one phase's prebuilt requests over ``concurrency`` keep-alive connections."""
    requests = _requests(cfg, phase)
    check: Callable[[int, bytes], int] = _single_ok if phase["kind"] == "single" else _batch_ok
    conns = [await RawHttpConnection("127.0.0.1", cfg["port"]).open()
             for _ in range(phase["concurrency"])]
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

    cpu = CpuWindow(cfg["server_pid"])
    cpu_start, start = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(conn) for conn in conns))
    wall = time.perf_counter() - start
    client_cpu = time.process_time() - cpu_start
    server = cpu.stop(wall)
    for conn in conns:
        await conn.close()
    return {**phase, "ok": ok, "wall_s": wall, "per_s": ok / wall, "statuses": dict(statuses),
            "errors": errors, "p50_ms": 1000 * percentile(latencies, 50),
            "p99_ms": 1000 * percentile(latencies, 99),
            "client_cpu_pct": round(100 * client_cpu / wall, 1), "server": server,
            "server_us_per_item": 1e6 * server["cpu_s"] / max(1, ok)}


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

    def run(self, phase: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(phase) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"load process died (exit {self.proc.wait(5)})")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# == the baseline: raw stdlib sqlite3, the server's schema and row shapes ================
class RawBaseline:
    """A temp database with the server's schema where ``round()`` times raw inserts of
    fresh items shaped like one application the server stored (``template_id``)."""

    def __init__(self, server_db: Path, template_id: int, directory: Path) -> None:
        source = sqlite3.connect(server_db)
        try:
            self.schema = [sql for (sql,) in source.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
                " AND name NOT LIKE 'sqlite_%' ORDER BY type != 'table', rowid")]
            self.tables, self.per_item = self._template(source, template_id)
        finally:
            source.close()
        self.conn = sqlite3.connect(directory / "raw.sqlite3", isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        assert self.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert self.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        for sql in self.schema:
            self.conn.execute(sql)
        self._users(server_db)
        self.next_id = 1
        self._codes: set[str] = set()
        self.round("full", 200)  # warm-up
        self.round("batch", 200)

    @staticmethod
    def _template(conn: sqlite3.Connection, app_id: int
                  ) -> tuple[list[str], dict[str, tuple[list[str], tuple[Any, ...]]]]:
        """Per table written per application: (columns, the template's values), the
        tables' own INTEGER PRIMARY KEYs left out (SQLite assigns them, as in the app)."""
        per_item: dict[str, tuple[list[str], tuple[Any, ...]]] = {}
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            names = [col[1] for col in info]
            if table == "applications":
                where, keep = "id = ?", names
            elif "application_id" in names:
                where = "application_id = ?"
                keep = [col[1] for col in info if not (col[5] and col[2].upper() == "INTEGER")]
            else:
                continue
            rows = conn.execute(
                f"SELECT {', '.join(keep)} FROM {table} WHERE {where}", (app_id,)).fetchall()
            if len(rows) > 1:
                raise RuntimeError(f"{table}: {len(rows)} rows for one new application")
            if rows:
                per_item[table] = (keep, rows[0])
        return tables, per_item

    def _users(self, server_db: Path) -> None:
        source = sqlite3.connect(server_db)
        try:
            rows = source.execute("SELECT * FROM users").fetchall()
        finally:
            source.close()
        marks = ", ".join("?" * len(rows[0]))
        self.conn.executemany(f"INSERT INTO users VALUES ({marks})", rows)

    def items(self, count: int) -> list[dict[str, tuple[Any, ...]]]:
        """``count`` fresh items: new id, client id, request hash, tracking code (and the
        answer that holds them), every other value as the server stored it."""
        columns, template = self.per_item["applications"]
        row = dict(zip(columns, template, strict=True))
        items = []
        for n in range(count):
            app_id = self.next_id + n
            client_id, code = str(uuid.uuid4()), self._new_code()
            fresh = {**row, "id": app_id, "client_id": client_id, "tracking_code": code,
                     "request_hash": secrets.token_hex(32),
                     "response_json": row["response_json"]
                     .replace(row["client_id"], client_id).replace(row["tracking_code"], code)}
            item = {"applications": tuple(fresh[c] for c in columns)}
            for table, (cols, values) in self.per_item.items():
                if table != "applications":
                    item[table] = tuple(app_id if c == "application_id" else v
                                        for c, v in zip(cols, values, strict=True))
            items.append(item)
        self.next_id += count
        return items

    def _new_code(self) -> str:
        """A unique random tracking code (the app's alphabet and length)."""
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(7))
            if code not in self._codes:
                self._codes.add(code)
                return code

    def _insert_sql(self, table: str) -> str:
        columns = self.per_item[table][0]
        return (f"INSERT INTO {table} ({', '.join(columns)})"
                f" VALUES ({', '.join('?' * len(columns))})")

    def round(self, mode: str, count: int, size: int = 100) -> float:
        """Insert ``count`` fresh items, one per commit (``full``) or ``size`` per commit
        (``batch``); items/s. Building the items is not timed."""
        items = self.items(count)
        inserts = [(table, self._insert_sql(table)) for table in self.per_item]
        start = time.perf_counter()
        if mode == "full":
            for item in items:
                self.conn.execute("BEGIN IMMEDIATE")
                for table, sql in inserts:
                    self.conn.execute(sql, item[table])
                self.conn.execute("COMMIT")
        else:
            for first in range(0, count, size):
                chunk = items[first : first + size]
                self.conn.execute("BEGIN IMMEDIATE")
                for table, sql in inserts:
                    self.conn.executemany(sql, [item[table] for item in chunk])
                self.conn.execute("COMMIT")
        return count / (time.perf_counter() - start)

    def close(self) -> None:
        (rows,) = self.conn.execute("SELECT count(*) FROM applications").fetchone()
        self.conn.close()
        assert rows == self.next_id - 1, (rows, self.next_id)


# == the run =============================================================================
def verify(server: Any, base: int, total: int, tables: list[str]) -> dict[str, int]:
    """Exactly the keys sent are stored, once each; which tables got one row per item."""
    stored = [row[0] for row in server.query("SELECT client_id FROM applications")]
    expected = {key_for(base, n) for n in range(total)}
    assert len(stored) == len(set(stored)), "duplicate client_id rows"
    missing, extra = len(expected - set(stored)), len(set(stored) - expected)
    assert (missing, extra) == (0, 0), f"{missing} keys missing, {extra} unexpected rows"
    counts = {t: server.query(f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    return {t: n for t, n in counts.items() if n >= total}


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--single", type=int, default=3000, help="single POSTs (default 3000)")
    parser.add_argument("--concurrency", type=int, default=64, help="for single (default 64)")
    parser.add_argument("--batches", type=int, default=100, help="batch requests (default 100)")
    parser.add_argument("--batch-size", type=int, default=100, help="items per batch")
    parser.add_argument("--batch-concurrency", type=int, default=4)
    parser.add_argument("--raw-full", type=int, default=1000,
                        help="items per round, raw one-item commits")
    parser.add_argument("--raw-batch", type=int, default=4000,
                        help="items per round, raw 100-item commits (the default keeps the "
                        "raw database about as big as the server's: inserts slow down as "
                        "the random-key indexes outgrow the page cache)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="server rounds, interleaved with rounds+1 raw rounds (median)")
    parser.add_argument("--load-child", metavar="JSON", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_child:
        return load_child(json.loads(args.load_child))
    with deadline(BUDGET_S):
        return run(args)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    print("intake benchmark (2-core machine; figures are ratios to raw sqlite3 in this run)")
    key_base = secrets.randbits(96)
    total = 0

    def phase(name: str, kind: str, count: int, concurrency: int) -> dict[str, Any]:
        nonlocal total
        made = {"name": name, "kind": kind, "count": count, "concurrency": concurrency,
                "batch_size": args.batch_size, "key_offset": total}
        total += count
        return made

    raw: dict[str, list[float]] = {"full": [], "batch": []}
    results: list[dict[str, Any]] = []
    with running_server(**SERVER_ENV) as (server, cookie, tmp):
        assert server.proc is not None
        server_cpu = cpu_seconds(server.proc.pid)
        background = BackgroundLoad()
        cfg = {"port": server.port, "cookie": cookie, "server_pid": server.proc.pid,
               "key_base": key_base}
        load = LoadProcess(cfg)
        try:
            results.append(load.run(phase("warm-up", "single", 300, args.concurrency)))
            (template_id,) = server.query(
                "SELECT id FROM applications WHERE client_id = ?", key_for(key_base, 0))[0]
            with tempfile.TemporaryDirectory(dir=tmp) as raw_dir:
                baseline = RawBaseline(server.db_path, template_id, Path(raw_dir))
                singles = _split(args.single, args.rounds)
                batches = _split(args.batches, args.rounds)
                for n in range(args.rounds + 1):
                    raw["full"].append(baseline.round("full", args.raw_full))
                    raw["batch"].append(baseline.round("batch", args.raw_batch))
                    if n == args.rounds:
                        break
                    results.append(load.run(phase("single", "single", singles[n],
                                                  args.concurrency)))
                    results.append(load.run(phase("batch", "batch",
                                                  batches[n] * args.batch_size,
                                                  args.batch_concurrency)))
                baseline.close()
        except BaseException:
            print(f"server log (tail):\n{server.log_text()[-3000:]}", file=sys.stderr)
            raise
        finally:
            background.add_ours(cpu_seconds(load.proc.pid))
            load.close()
        background.add_ours(cpu_seconds(server.proc.pid) - server_cpu)
        per_item = verify(server, key_base, total, baseline.tables)
    others = background.cores()
    assert set(per_item) == set(baseline.per_item), (
        f"one row per application on the server in {sorted(per_item)}, in the baseline in "
        f"{sorted(baseline.per_item)}")

    raw_full, raw_batch = statistics.median(raw["full"]), statistics.median(raw["batch"])
    print(f"baseline raw sqlite3, WAL + synchronous=FULL, the server's schema, one row per item"
          f" in {', '.join(baseline.per_item)}; median of {args.rounds + 1} rounds:")
    for label, name, rate in (("1 item per commit", "full", raw_full),
                              ("100 items per commit", "batch", raw_batch)):
        print(f"  {label:<21}{rate:9,.0f} items/s   rounds "
              + " ".join(f"{r:,.0f}" for r in raw[name]))
    print("server (python -m app serve), load from a second process over keep-alive HTTP/1.1"
          " (every item checked: 201):")
    for r in results:
        unit = "items/s" if r["kind"] == "batch" else "req/s"
        print(f"  {r['name']:<8} {r['per_s']:7,.0f} {unit:<8} n={r['count']:<5} "
              f"c={r['concurrency']:<3} p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
              f"CPU: client {r['client_cpu_pct']:4.1f}%  server "
              f"{r['server']['cpu_pct']:5.1f}% (main thread "
              f"{r['server']['main_thread_pct']:4.1f}%) = {r['server_us_per_item']:4.0f} us/item")
        if r["ok"] != r["count"]:
            print(f"  !! not all 201: {r['statuses']} {r['errors']}")
    print(f"verified in the server's SQLite file: the {total} keys sent, once each; "
          + ", ".join(f"{n} {t}" for t, n in per_item.items()) + " rows")
    failed = [r["name"] for r in results if r["ok"] != r["count"]]
    assert not failed, f"some answers were not 201 in {failed}"

    def median_of(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results if r["name"] == name)

    single, batch = median_of("single", "per_s"), median_of("batch", "per_s")
    ratio_single, ratio_batch = single / raw_full, batch / raw_batch
    mark = {True: "met", False: "MISSED"}
    print(f"ratio single = {single:,.0f} / {raw_full:,.0f} = {ratio_single:.2f} "
          f"(aim >= {AIM_SINGLE}: {mark[ratio_single >= AIM_SINGLE]})")
    print(f"ratio batch  = {batch:,.0f} / {raw_batch:,.0f} = {ratio_batch:.2f} "
          f"(aim >= {AIM_BATCH}: {mark[ratio_batch >= AIM_BATCH]})")
    print(f"whole run {time.perf_counter() - started:.1f} s; other processes on the machine used "
          f"{others:.2f} of its 2 cores meanwhile"
          + (" (a busy neighbour: figures are less trustworthy)" if others > QUIET_CORES else ""))
    emit({
        "bench": "intake",
        "single_per_s": round(single),
        "batch_items_per_s": round(batch),
        "raw_full_per_s": round(raw_full),
        "raw_batch_per_s": round(raw_batch),
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
