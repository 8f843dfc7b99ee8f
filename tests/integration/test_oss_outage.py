"""OSS down for a stretch (connection refused, and separately hanging): the breaker opens,
probes are limited to one per reset period, and the backlog drains after recovery without
exceeding the configured concurrency and rate."""

from __future__ import annotations

import itertools
import re
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.integration.test_oss_support import (
    SimulatorProcess,
    count,
    create_applications,
    oss_env,
    wait_for,
)
from tests.support import ADMIN, ServerProcess, client, free_port, login, officer_client

pytestmark = pytest.mark.oss_mode(
    "simulator", reason="drives a simulator process through the http gateway")

CONCURRENCY = 4
RATE = 50
BURST = 5
FAILURES = 3
RESET_S = 0.6
BACKLOG = 100


def _env(sim: SimulatorProcess) -> dict[str, str]:
    return oss_env(
        sim, JBM_OSS_CONCURRENCY=str(CONCURRENCY), JBM_OSS_RATE_PER_S=str(RATE),
        JBM_OSS_RATE_BURST=str(BURST), JBM_OSS_BREAKER_FAILURES=str(FAILURES),
        JBM_OSS_BREAKER_RESET_S=str(RESET_S), JBM_OSS_READ_TIMEOUT_S="0.3",
        JBM_OSS_CONNECT_TIMEOUT_S="0.3", JBM_OSS_BACKOFF_BASE_S="0.05",
        JBM_OSS_BACKOFF_CAP_S="0.4",
    )


def _breaker_open(server: ServerProcess) -> bool:
    return server.query("SELECT state FROM oss_breaker") == [("open",)]


def _seconds(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _assert_spaced(times: list[float], at_least: float) -> None:
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= at_least for gap in gaps), gaps


def _assert_drained_within_limits(sim: SimulatorProcess, server: ServerProcess) -> None:
    db = server.db_path
    wait_for(lambda: count(db, "SELECT count(*) FROM applications WHERE status = 'issued'")
             == BACKLOG, timeout=30, what="the backlog to drain")
    counters = sim.counters()
    assert counters["nibs_total"] == BACKLOG
    assert counters["max_in_flight"] <= CONCURRENCY
    # the forwarder's token bucket: at most rate + burst requests leave in any one second;
    # counted on arrival, scheduling on a loaded 2-core machine can bunch a few more
    # (unpaced, this drain runs at several hundred requests per second)
    assert counters["max_per_second"] <= (RATE + BURST) * 1.1
    assert counters["rate_limited"] == 0
    nibs = server.query("SELECT nib FROM applications")
    assert len({n for (n,) in nibs}) == BACKLOG
    outages = server.query("SELECT started_at, opened_at, ended_at, max_queue FROM oss_outages")
    assert len(outages) == 1 and outages[0][2] is not None
    # the deepest queue seen while it lasted (sampled at each of the forwarder's commits)
    assert 1 <= outages[0][3] <= BACKLOG
    assert server.query("SELECT state FROM oss_breaker") == [("closed",)]


def _logged_in(server: ServerProcess) -> tuple[httpx.Client, httpx.Client]:
    """An officer and an admin, logged in before OSS goes down: a login (argon2) can take a
    second on a busy machine, and the outage lasts only seconds."""
    admin = client(server.url)
    assert login(admin, *ADMIN).status_code == 303
    return officer_client(server.url), admin


def _pages_show_the_outage(code: str, officer: httpx.Client, admin: httpx.Client) -> None:
    page = officer.get(f"/petugas/permohonan/{code}").text
    officer.close()
    assert re.search(r"OSS sedang gangguan sejak \d\d:\d\d WIB — dicoba lagi", page), page
    health = admin.get("/admin/oss")
    admin.close()
    assert health.status_code == 200
    # open, or half-open while its trial call is out
    assert ('data-breaker-state="open"' in health.text
            or 'data-breaker-state="half_open"' in health.text)
    assert "masih berlangsung" in health.text


def test_oss_hanging_opens_breaker_probes_once_per_period_then_drains(tmp_path: Path) -> None:
    sim = SimulatorProcess(tmp_path / "sim").start()
    server = ServerProcess(tmp_path / "app", **_env(sim))
    try:
        server.seed()
        server.start()
        down_s = 3.0
        officer, admin = _logged_in(server)
        sim.reset_counters()
        sim.admin("POST", "down", for_s=down_s, mode="hang")
        created = create_applications(officer, BACKLOG)
        wait_for(lambda: _breaker_open(server), timeout=5, interval=0.05, what="breaker open")
        _pages_show_the_outage(created[0][1], officer, admin)
        _assert_drained_within_limits(sim, server)

        # probes counted at the simulator: every request that arrived while it hung
        counters = sim.counters()
        arrivals = counters["down_arrivals"]
        assert counters["down_requests"] == len(arrivals)
        first_burst = [t for t in arrivals if t - arrivals[0] < 0.2]
        probes = arrivals[len(first_burst):]
        assert len(first_burst) <= CONCURRENCY  # the calls in flight when OSS began to hang
        assert 1 <= len(probes) <= down_s / RESET_S + 1
        # one probe per period: each waited the reset timeout after the previous one failed
        _assert_spaced(probes, RESET_S)
        trials = count(server.db_path, "SELECT count(*) FROM oss_attempts WHERE trial = 1")
        assert trials >= len(probes)
    finally:
        server.kill()
        sim.kill()


def test_oss_refusing_connections_opens_breaker_then_drains_after_restart(
    tmp_path: Path,
) -> None:
    port = free_port()
    sim = SimulatorProcess(tmp_path / "sim", port=port)  # not started: connection refused
    # waiting longer than 2 s is "long" here: the admin sees the applications flagged
    server = ServerProcess(tmp_path / "app", **_env(sim), JBM_OSS_LONG_WAIT_S="2")
    try:
        server.seed()
        server.start()
        http = officer_client(server.url)
        created = create_applications(http, BACKLOG)
        http.close()
        wait_for(lambda: _breaker_open(server), timeout=5, interval=0.05, what="breaker open")
        opened = time.monotonic()
        _pages_show_the_outage(created[0][1], *_logged_in(server))
        time.sleep(2.5)
        admin = client(server.url)
        assert login(admin, *ADMIN).status_code == 303
        health = admin.get("/admin/oss").text
        admin.close()
        assert f"Menunggu lebih dari 2 detik ({BACKLOG})" in health
        assert health.count('class="oss-flagged"') == min(BACKLOG, 100)
        assert "OSS tidak dapat dihubungi" in health
        officer = officer_client(server.url)
        assert "admin sudah diberi tanda" in officer.get(
            f"/petugas/permohonan/{created[0][1]}").text
        officer.close()
        sim.start()  # OSS is back
        outage_s = time.monotonic() - opened
        _assert_drained_within_limits(sim, server)

        # probes counted by the app: nothing can count a refused connection at OSS
        rows = server.query(
            "SELECT started_at, trial, error FROM oss_attempts WHERE outcome = 'unavailable'"
            " ORDER BY started_at")
        assert all(error in ("connect", "connect_timeout") for _, _, error in rows)
        before_open = [r for r in rows if not r[1]]
        probes = [_seconds(started) for started, trial, _ in rows if trial]
        assert len(before_open) <= FAILURES + CONCURRENCY
        assert 1 <= len(probes) <= outage_s / RESET_S + 2
        _assert_spaced(probes, RESET_S * 0.95)
        # the simulator saw only the drain: no request was lost or doubled
        counters = sim.counters()
        assert counters["nibs_issued"] == BACKLOG
        assert counters["duplicate_registrations"] == 0
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.kill()
        sim.kill()
