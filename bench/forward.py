"""Forwarder throughput: drain 5,000 outbox jobs through the OSS simulator, healthy and with
30% faults, against the simulator's rate limit measured in the same run.

The ceiling of this path is OSS's allowed rate (the simulator answers 429 beyond it), so the
baseline is that rate as a plain client achieves it against the same simulator process.
The forwarder runs in this process exactly as in the app (same class, same gateway, a real
SQLite file with FULL sync), paced at the simulator's configured rate; the simulator is a
real process. Figures: jobs/s to drain, and their ratio to the measured allowed rate.

Run: ``.venv/bin/python bench/forward.py`` (about a minute). Last line: one JSON object.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from _common import ROOT, CpuWindow, RawHttpConnection, emit

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.clock import local_day, utc_now_iso
from app.db import applications as store
from app.db import outbox as outbox_store
from app.db.connection import Database, migrate_path, open_sync, run_transaction
from app.domain.tracking import new_tracking_code
from app.oss.forwarder import Forwarder, ForwarderConfig
from app.oss.http_gateway import HttpGateway
from app.oss.pacing import Pacer
from tests.integration.test_oss_support import SimulatorProcess, nik_for

JOBS = 5000
RATE = 200.0  # the simulator's rate limit: OSS's allowed rate
SIM_BURST = 20
FORWARDER_BURST = 10
CONCURRENCY = 16
FAULT_RATE = 0.3
FAULT_MIX = {"503": 1, "500": 1, "504": 1, "hang": 1, "reset": 1, "malformed": 1}
ALLOWED_WINDOW_S = 3.0


# -- the backlog --------------------------------------------------------------------------------
def seed_backlog(db_path: Path, count: int) -> None:
    """``count`` applications with their outbox jobs, written as intake writes them."""
    migrate_path(db_path)
    now_iso, now = utc_now_iso()
    items = []
    for index in range(count):
        form = {
            "nik": nik_for(index % 9000), "name": "Siti Aminah", "sex": "L",
            "birth_date": "1990-01-01", "phone": "6281234567890", "email": None, "npwp": None,
            "business_name": "Warung Bu Siti", "kecamatan": "35.05.01",
            "desa": "35.05.01.2001", "rt": "003", "rw": "002", "street": "Jl. Mawar 5",
            "kbli_json": '["56102"]', "capital": 15_000_000, "workers_male": 0,
            "workers_female": 2, "scale": "01",
        }
        client_id = str(uuid.uuid4())
        items.append(store.NewApplication(
            client_id=client_id, request_hash=hashlib.sha256(client_id.encode()).hexdigest(),
            response_json="{}", tracking_code=new_tracking_code(), status="received",
            status_reason=None, officer_id=None, actor="bench", form=form, created_at=now_iso,
            created_day=local_day(now), send_to_oss=True,
        ))
    conn = open_sync(db_path)
    try:
        for start in range(0, count, 1000):
            run_transaction(conn, store.insert_batch, items[start:start + 1000])
    finally:
        conn.close()


def _issued(conn: Any) -> tuple[int, int]:
    return conn.execute(
        "SELECT count(*), count(DISTINCT nib) FROM applications WHERE status = 'issued'"
    ).fetchone()


# -- draining it ----------------------------------------------------------------------------------
async def drain(db_path: Path, sim: SimulatorProcess) -> dict[str, Any]:
    db = Database(db_path)
    await db.open()
    gateway = HttpGateway(sim.api_url, connect_timeout_s=1.0, read_timeout_s=0.5,
                          max_connections=CONCURRENCY, pacer=Pacer(RATE, FORWARDER_BURST))
    config = ForwarderConfig(concurrency=CONCURRENCY, lease_s=30, poll_s=0.02,
                             backoff_base_s=0.05, backoff_cap_s=1.0, breaker_failures=25,
                             breaker_reset_s=1.0, slow_call_s=None)
    forwarder = Forwarder(db, gateway, config, lambda code: "Rumah Makan")
    started = time.perf_counter()
    forwarder.start()
    try:
        while True:
            await asyncio.sleep(0.05)
            if forwarder.inflight == 0 and await db.read(outbox_store.pending_count) == 0:
                break
            if time.perf_counter() - started > 100:
                raise RuntimeError("drain did not finish in 100 s")
        elapsed = time.perf_counter() - started
    finally:
        await forwarder.stop()
        issued, distinct = await db.read(_issued)
        await db.close()
    if issued != JOBS or distinct != JOBS:
        raise RuntimeError(f"only {issued} issued ({distinct} distinct NIBs) of {JOBS}")
    return {"seconds": elapsed, "per_s": JOBS / elapsed, "stats": dict(forwarder.stats)}


# -- the ceiling: what a plain client gets through the simulator's rate limit ---------------------
async def allowed_rate(sim: SimulatorProcess) -> float:
    """Registrations per second accepted (not 429) by the simulator under more load than it
    allows, measured after the initial burst is spent."""
    body_of = lambda ref: json.dumps({"REGISTRASI": {  # noqa: E731
        "referensi": ref, "jenis_pelaku_usaha": "02", "jenis_identitas": "01",
        "no_identitas": nik_for(1), "nama": "Siti Aminah", "daerah_id": "3505012001",
        "skala_usaha": "01", "data_proyek": [{"kbli": "56102", "nama_kegiatan": "Warung"}],
    }}).encode()
    accepted: list[float] = []
    started = time.perf_counter()
    stop_at = started + 0.5 + ALLOWED_WINDOW_S

    async def worker() -> None:
        conn = await RawHttpConnection("127.0.0.1", sim.port).open()
        try:
            while time.perf_counter() < stop_at:
                request = RawHttpConnection.request(
                    "POST", "/v1/kl/rba/registrasiUMK", f"127.0.0.1:{sim.port}",
                    [("Content-Type", "application/json")], body_of(f"allowed-{uuid.uuid4()}"))
                status, _ = await conn.send(request)
                if status == 200:
                    accepted.append(time.perf_counter())
                else:
                    await asyncio.sleep(0.002)  # 429: try again at once, as a greedy client
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(8)))
    window = [t for t in accepted if started + 0.5 <= t < stop_at]
    return len(window) / ALLOWED_WINDOW_S


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="jbm-bench-forward-") as tmp:
        base = Path(tmp)
        sim = SimulatorProcess(base / "sim", "--rate-limit", str(RATE), "--rate-burst",
                               str(SIM_BURST), "--hang-s", "30", "--seed", "11").start()
        assert sim.proc is not None
        try:
            print(f"simulator: rate limit {RATE:.0f}/s (burst {SIM_BURST}); forwarder: "
                  f"concurrency {CONCURRENCY}, paced {RATE:.0f}/s (burst {FORWARDER_BURST})",
                  flush=True)
            allowed = asyncio.run(allowed_rate(sim))
            print(f"allowed rate (plain client, measured): {allowed:8.1f} req/s", flush=True)

            seed_backlog(base / "healthy.sqlite3", JOBS)
            sim.reset_counters()
            cpu, own = CpuWindow(sim.proc.pid), CpuWindow(os.getpid())
            healthy = asyncio.run(drain(base / "healthy.sqlite3", sim))
            sim_cpu, own_cpu = cpu.stop(healthy["seconds"]), own.stop(healthy["seconds"])
            counters = sim.counters()
            print(f"healthy: {JOBS} jobs in {healthy['seconds']:6.2f} s = "
                  f"{healthy['per_s']:7.1f} jobs/s ({counters['requests']} requests, "
                  f"{counters['rate_limited']} answered 429, max {counters['max_in_flight']} "
                  f"in flight; CPU: forwarder {own_cpu['cpu_pct']}%, simulator "
                  f"{sim_cpu['cpu_pct']}%)", flush=True)

            seed_backlog(base / "faulty.sqlite3", JOBS)
            sim.faults(error_rate=FAULT_RATE, fault_mix=FAULT_MIX)
            sim.reset_counters()
            cpu, own = CpuWindow(sim.proc.pid), CpuWindow(os.getpid())
            faulty = asyncio.run(drain(base / "faulty.sqlite3", sim))
            sim_cpu, own_cpu = cpu.stop(faulty["seconds"]), own.stop(faulty["seconds"])
            counters = sim.counters()
            faults = sum(counters["faults"].values())
            print(f"faulty ({FAULT_RATE:.0%} of requests fail: {', '.join(FAULT_MIX)}): "
                  f"{JOBS} jobs in {faulty['seconds']:6.2f} s = {faulty['per_s']:7.1f} jobs/s "
                  f"({counters['requests']} requests, {faults} faults, "
                  f"{counters['lookups']} reference lookups, "
                  f"{counters['duplicate_registrations']} duplicate registrations, "
                  f"{counters['nibs_issued']} NIBs; CPU: forwarder {own_cpu['cpu_pct']}%, "
                  f"simulator {sim_cpu['cpu_pct']}%)", flush=True)
            ratio_healthy = healthy["per_s"] / allowed
            ratio_faulty = faulty["per_s"] / allowed
            print(f"ratio to the allowed rate: healthy {ratio_healthy:.2f} (aim >= 0.80), "
                  f"faulty {ratio_faulty:.2f} (ceiling ~{1 - FAULT_RATE:.2f}: failed requests "
                  "spend the allowance too)", flush=True)
        finally:
            with contextlib.suppress(Exception):
                sim.kill()
    emit({
        "bench": "forward",
        "jobs": JOBS,
        "allowed_per_s": round(allowed, 1),
        "healthy_per_s": round(healthy["per_s"], 1),
        "faulty_per_s": round(faulty["per_s"], 1),
        "ratio_healthy": round(ratio_healthy, 3),
        "ratio_faulty": round(ratio_faulty, 3),
    })


if __name__ == "__main__":
    main()
