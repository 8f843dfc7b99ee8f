"""Ten years of a province on one box: 1,000,000 applications, every statistics panel, the
public page and a 1M-row CSV export, each as a ratio to a raw baseline of the same run.

    .venv/bin/python bench/scale.py [--rows 1000000]

1. ``python -m app seed-demo`` makes a fresh database (every migration, the demo admin);
   then raw ``sqlite3`` loads ten years (2016-2025) into it in big transactions, shaped
   like the office's 2019 report (SERVICES.md): ~10 rounds a month over the 22
   kecamatan, a KBLI mix, owners' sex, workers, statuses, and for every issued
   application its history and status events. The summary triggers are set aside for
   the load and the summary is recounted once (``app.db.statistics.rebuild_cells``,
   the statements a test proves equal to what the triggers keep).
2. Every panel of /admin/statistik and the public page's figures, timed in-process on the
   heaviest filter (all ten years, every kecamatan), median of 5, against a raw
   ``SELECT count(*) FROM applications`` timed the same way; then both pages over HTTP
   from the real server.
3. The CSV export of all rows over HTTP from the real server (as a browser asks for it),
   against a raw ``sqlite3`` SELECT of the same rows written with the ``csv`` module;
   the server's peak RSS (VmHWM) is its memory figure.

Last line: JSON with bench, slowest_panel_ms, ratio_slowest_panel, export_rows_per_s,
ratio_export, export_peak_mb (and more).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, BackgroundLoad, cpu_seconds, emit

sys.path.insert(0, str(ROOT))
from app.db.statistics import rebuild_cells
from app.domain.statistics import StatFilter
from app.reference.regions import Regions
from app.services import statistics as stats
from tests.support import ADMIN, ServerProcess, client, csrf_from, login

# The office's 2019 months (SERVICES.md), as a seasonal shape; October was cut at the 4th.
SHAPE_2019 = [9, 48, 83, 121, 177, 170, 226, 330, 303, 250, 220, 150]
YEARS = range(2016, 2026)
KBLI_MIX = [("47111", 22), ("56102", 18), ("10792", 10), ("47241", 6), ("96011", 5),
            ("14111", 5), ("01111", 6), ("01461", 4), ("45407", 4), ("47912", 5),
            ("10710", 4), ("16291", 2), ("31001", 2), ("49431", 2), ("55900", 1),
            ("85499", 1), ("93292", 1), ("62019", 1), ("68111", 1)]
STATUS_MIX = [("notified", 82), ("issued", 6), ("referred_office", 5), ("needs_fix", 3),
              ("cancelled", 2), ("received", 1), ("submitted", 1)]
OFFICERS = 30
ROUNDS_PER_MONTH = 10
MEDIAN_RUNS = 5


def _weighted(pairs: list[tuple[str, int]], rng: random.Random, k: int) -> list[str]:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs], k=k)


def _per_month(total: int) -> list[tuple[str, int]]:
    """How many applications each month: the 2019 shape, growing 12 % a year."""
    weights = [(f"{y}-{m + 1:02d}", SHAPE_2019[m] * 1.12 ** (y - YEARS[0]))
               for y in YEARS for m in range(12)]
    scale = total / sum(w for _, w in weights)
    counts = [(month, int(w * scale)) for month, w in weights]
    counts[-1] = (counts[-1][0], counts[-1][1] + total - sum(c for _, c in counts))
    return counts


def load(db: Path, total: int, seed: int = 2019) -> dict[str, float]:
    rng = random.Random(seed)
    regions = Regions.load()
    kecamatan = [k.code for k in regions.kecamatan()]
    desa = {k: [d.code for d in regions.desa_of(k)] for k in kecamatan}
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                            " AND name LIKE 'stat_%'").fetchall()
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    conn.executemany(
        "INSERT INTO users (username, full_name, password_hash, role, created_at)"
        " VALUES (?, ?, 'x', 'officer', '2016-01-01')",
        [(f"petugas{i:02d}", f"Petugas {i:02d}") for i in range(OFFICERS)])
    officer_ids = [r[0] for r in conn.execute("SELECT id FROM users WHERE role = 'officer'")]
    rounds: dict[str, list[tuple[int, str, str, list[int]]]] = {}
    desk = officer_ids[:4]  # who serves at the office
    rid = 0
    round_rows = []
    for y in YEARS:
        for m in range(1, 13):
            month = f"{y}-{m:02d}"
            for _ in range(ROUNDS_PER_MONTH):
                rid += 1
                day = f"{month}-{rng.randint(1, 28):02d}"
                kec = rng.choice(kecamatan)
                rounds.setdefault(month, []).append((rid, day, kec,
                                                     rng.sample(officer_ids, 3)))
                round_rows.append((rid, day, "08:00", "12:00", f"{day}T01:00:00.000+00:00",
                                   f"{day}T05:00:00.000+00:00", 0, kec, "Balai desa", 1,
                                   "done", "2016-01-01", "2016-01-01"))
    conn.executemany(
        "INSERT INTO rounds (id, day, start_time, end_time, starts_at, ends_at, evening,"
        " kecamatan, place, car_id, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", round_rows)
    conn.execute("COMMIT")

    app_sql = (
        "INSERT INTO applications (id, client_id, request_hash, response_json, tracking_code,"
        " status, officer_id, nik, name, sex, birth_date, phone, business_name, kecamatan,"
        " desa, rt, rw, street, kbli_json, capital, workers_male, workers_female, scale,"
        " nib, created_at, created_day, updated_at, round_id)"
        " VALUES (?, ?, '', '{}', ?, ?, ?, ?, ?, ?, '1980-01-01', '081234567890', ?, ?, ?,"
        " '1', '1', 'Jl. Raya', ?, 15000000, ?, ?, ?, ?, ?, ?, ?, ?)")
    hist_sql = ("INSERT INTO application_history (application_id, status, actor, reason, at)"
                " VALUES (?, ?, 'bench', NULL, ?)")
    event_sql = "INSERT INTO status_events (application_id, status, at) VALUES (?, ?, ?)"
    next_id = 0
    for month, count in _per_month(total):
        apps, hist, events = [], [], []
        statuses = _weighted(STATUS_MIX, rng, count)
        kblis = _weighted(KBLI_MIX, rng, count)
        month_rounds = rounds[month]
        for i in range(count):
            next_id += 1
            round_id, day, kec, crew = month_rounds[i % len(month_rounds)]
            if rng.random() < 0.08:  # at the office, not at a round
                round_id, kec, crew = None, rng.choice(kecamatan), desk
            female = rng.random() < 0.56
            born = rng.randint(1, 28) + (40 if female else 0)
            nik = (f"{kec.replace('.', '')}{born:02d}{rng.randint(1, 12):02d}"
                   f"{rng.randint(60, 99)}{next_id % 10000:04d}")
            created = datetime.fromisoformat(f"{day}T01:00:00+00:00") + timedelta(
                seconds=rng.randint(0, 14_400))
            at = created.isoformat(timespec="milliseconds")
            status = statuses[i]
            issued = status in ("issued", "notified")
            nib = f"9{next_id:012d}" if issued else None
            apps.append((next_id, f"k{next_id}", f"T{next_id:09d}", status,
                         rng.choice(crew), nik, "Pemilik Usaha", "P" if female else "L",
                         "Usaha Bersama", kec, rng.choice(desa[kec]), f'["{kblis[i]}"]',
                         rng.choice((0, 0, 1, 1, 2, 3)), rng.choice((0, 1, 1, 2, 2, 3)),
                         "01" if rng.random() < 0.95 else "02", nib, at, day, at, round_id))
            hist.append((next_id, "received", at))
            events.append((next_id, "received", at))
            if issued:
                wait = rng.choice((rng.randint(20, 600),) * 8 + (rng.randint(600, 200_000),) * 2)
                at_nib = (created + timedelta(seconds=wait)).isoformat(timespec="milliseconds")
                hist.append((next_id, "issued", at_nib))
                events.append((next_id, "issued", at_nib))
        conn.execute("BEGIN")
        conn.executemany(app_sql, apps)
        conn.executemany(hist_sql, hist)
        conn.executemany(event_sql, events)
        conn.execute("COMMIT")
    t_load = time.perf_counter() - t0
    conn.execute("BEGIN")
    outages = []
    for n in range(60):
        start = datetime(2016, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 3650))
        end = start + timedelta(minutes=rng.randint(5, 600))
        outages.append((start.isoformat(timespec="milliseconds"),
                        start.isoformat(timespec="milliseconds"),
                        end.isoformat(timespec="milliseconds"), "5 kegagalan berturut-turut",
                        "bench", rng.randint(1, 400 + n)))
    conn.executemany("INSERT INTO oss_outages (started_at, opened_at, ended_at, reason, worker,"
                     " max_queue) VALUES (?, ?, ?, ?, ?, ?)", outages)
    t1 = time.perf_counter()
    rebuild_cells(conn)
    for _, sql in triggers:
        conn.execute(sql)
    conn.execute("COMMIT")
    t_summary = time.perf_counter() - t1
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    cells = conn.execute("SELECT count(*) FROM stat_cells").fetchone()[0]
    conn.close()
    return {"load_s": t_load, "summary_s": t_summary, "cells": cells}


def _median_ms(fn: Any) -> float:
    times = []
    for _ in range(MEDIAN_RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure_panels(db: Path) -> tuple[float, float, dict[str, float]]:
    regions = Regions.load()
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    everything = StatFilter(f"{YEARS[0]}-01", f"{YEARS[-1]}-12")
    raw = _median_ms(lambda: conn.execute("SELECT count(*) FROM applications").fetchone())
    # count(*) reads only the smallest index; counting a column reads every row
    scan = _median_ms(
        lambda: conn.execute("SELECT count(created_day) FROM applications").fetchone())
    panels = {name: _median_ms(lambda p=panel: p(conn, everything, regions))
              for name, panel in stats.PANELS.items()}
    panels["public"] = _median_ms(lambda: stats.public(conn, everything, regions))
    panels["coverage"] = _median_ms(
        lambda: stats.coverage(conn, regions, datetime(2026, 1, 1).date()))
    one_kec = StatFilter(f"{YEARS[0]}-01", f"{YEARS[-1]}-12", regions.kecamatan()[0].code)
    panels["dashboard_one_kecamatan"] = _median_ms(
        lambda: stats.dashboard(conn, one_kec, regions))
    conn.close()
    return raw, scan, panels


def raw_export(db: Path) -> tuple[int, float]:
    """The baseline: the export's rows by a plain SELECT, written with the csv module."""
    conn = sqlite3.connect(db)
    start = time.perf_counter()
    rows = 0
    with open("/dev/null", "w", newline="") as sink:
        writer = csv.writer(sink)
        cursor = conn.execute(
            "SELECT a.id, a.tracking_code, a.created_day, a.status, a.nik, a.name, a.sex,"
            " a.business_name, a.kecamatan, a.desa, a.kbli_json, a.scale, a.capital,"
            " a.workers_male, a.workers_female, a.nib, a.round_id, u.full_name"
            " FROM applications a LEFT JOIN users u ON u.id = a.officer_id ORDER BY a.id")
        while chunk := cursor.fetchmany(5000):
            writer.writerows(chunk)
            rows += len(chunk)
    elapsed = time.perf_counter() - start
    conn.close()
    return rows, rows / elapsed


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def over_http(server: ServerProcess) -> dict[str, Any]:
    http = client(server.url)
    http.timeout = 600
    assert login(http, *ADMIN).status_code == 303
    query = {"dari": f"{YEARS[0]}-01", "sampai": f"{YEARS[-1]}-12"}
    pages = {}
    for path in ("/admin/statistik", "/statistik"):
        http.get(path, params=query)  # warm
        pages[path] = _median_ms(lambda p=path: http.get(p, params=query).raise_for_status())
    rss_before = vm_hwm_mb(server.proc.pid)
    token = csrf_from(http.get("/admin/statistik/ekspor").text)
    start = time.perf_counter()
    lines = 0
    with http.stream("POST", "/admin/statistik/ekspor", headers={
            "Accept-Encoding": "gzip, deflate, br"}, data={
            "_csrf_token": token, "jenis": "permohonan", "format": "csv", **query}) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - start
    http.close()
    return {"pages_ms": pages, "export_rows": lines - 1, "export_s": elapsed,
            "export_rows_per_s": (lines - 1) / elapsed, "rss_before_export_mb": rss_before,
            "export_peak_mb": vm_hwm_mb(server.proc.pid)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    background = BackgroundLoad()
    print(f"scale benchmark: {args.rows:,} applications, ten years (2-core machine; "
          "figures are ratios to raw sqlite3 in this run)")
    with tempfile.TemporaryDirectory(prefix="jbm-scale-") as tmp:
        server = ServerProcess(Path(tmp) / "data")
        server.data_dir.mkdir(parents=True)
        server.seed()
        loaded = load(server.db_path, args.rows)
        print(f"  load {loaded['load_s']:.1f} s, summary recount {loaded['summary_s']:.1f} s,"
              f" {loaded['cells']:,} summary cells")
        raw_ms, scan_ms, panels = measure_panels(server.db_path)
        slowest = max(panels, key=panels.get)
        print(f"  raw SELECT count(*) over applications: {raw_ms:.2f} ms;"
              f" count(created_day), reading every row: {scan_ms:.1f} ms")
        for name, ms in panels.items():
            print(f"  panel {name:<24}{ms:8.1f} ms   ratio {ms / raw_ms:8.1f}"
                  f"   to the row scan {ms / scan_ms:5.2f}")
        raw_rows, raw_rate = raw_export(server.db_path)
        print(f"  raw SELECT + csv module: {raw_rows:,} rows at {raw_rate:,.0f} rows/s")
        server.start(timeout=60)
        try:
            web = over_http(server)
            background.add_ours(cpu_seconds(server.proc.pid))
        finally:
            server.stop()
        for path, ms in web["pages_ms"].items():
            print(f"  GET {path:<22}{ms:8.1f} ms (whole page over HTTP)")
        print(f"  export over HTTP: {web['export_rows']:,} rows in {web['export_s']:.1f} s ="
              f" {web['export_rows_per_s']:,.0f} rows/s, server peak RSS"
              f" {web['export_peak_mb']:.0f} MB (before the export"
              f" {web['rss_before_export_mb']:.0f} MB)")
        if web["export_rows"] != args.rows:
            print(f"  !! export rows {web['export_rows']} != {args.rows}")
            return 1
    result = {
        "bench": "scale",
        "rows": args.rows,
        "load_s": round(loaded["load_s"], 1),
        "raw_count_ms": round(raw_ms, 2),
        "slowest_panel": slowest,
        "slowest_panel_ms": round(panels[slowest], 1),
        "ratio_slowest_panel": round(panels[slowest] / raw_ms, 2),
        "scan_count_ms": round(scan_ms, 1),
        "ratio_slowest_panel_to_scan": round(panels[slowest] / scan_ms, 3),
        "admin_page_ms": round(web["pages_ms"]["/admin/statistik"], 1),
        "public_page_ms": round(web["pages_ms"]["/statistik"], 1),
        "export_rows_per_s": round(web["export_rows_per_s"]),
        "raw_export_rows_per_s": round(raw_rate),
        "ratio_export": round(web["export_rows_per_s"] / raw_rate, 2),
        "export_peak_mb": round(web["export_peak_mb"], 1),
        "background_cores": round(background.cores(), 2),
    }
    print(json.dumps({k: round(v, 1) for k, v in panels.items()}))
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
