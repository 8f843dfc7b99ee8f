"""OSS says 503 with a Retry-After of an hour and is back seconds later: nothing waits the
hour. What OSS asks for is obeyed up to JBM_OSS_RETRY_AFTER_CAP_S, and when OSS is seen
healthy again (the breaker closes) every held job is brought forward, within the rate
limit. While OSS is down, an application not yet tried says so, on the officer's page and on
the citizen's status page, with the outage's start in WIB."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
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
from tests.support import ServerProcess, client, csrf_from, officer_client

pytestmark = pytest.mark.oss_mode(
    "simulator", reason="drives a simulator process through the http gateway")

RATE = 20
BURST = 5
AN_HOUR = 3600
ISSUED = "SELECT count(*) FROM applications WHERE status = 'issued'"


def _lookup(server: ServerProcess, code: str) -> httpx.Response:
    """The citizen's status lookup: the code and the WhatsApp number's last four digits."""
    with client(server.url) as citizen:
        token = csrf_from(citizen.get("/cek").text)
        return citizen.post("/cek", data={"_csrf_token": token, "kode": code, "digits": "7890"})


def _wait_s(server: ServerProcess) -> list[float]:
    """How long each failed job was told to wait after its last attempt."""
    rows = server.query("SELECT last_attempt_at, next_attempt_at FROM outbox"
                        " WHERE state = 'pending' AND last_outcome = 'unavailable'")
    return [(datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()
            for a, b in rows]


def test_a_retry_after_of_an_hour_is_obeyed_only_up_to_the_cap(tmp_path: Path) -> None:
    sim = SimulatorProcess(tmp_path / "sim").start()
    # the breaker never opens here: only the cap can bring the jobs back before the hour
    server = ServerProcess(tmp_path / "app", **oss_env(
        sim, JBM_OSS_BREAKER_FAILURES="100000", JBM_OSS_RETRY_AFTER_CAP_S="1",
        JBM_OSS_RATE_PER_S=str(RATE), JBM_OSS_RATE_BURST=str(BURST)))
    try:
        server.seed()
        server.start()
        officer = officer_client(server.url)
        create_applications(officer, 1)
        wait_for(lambda: count(server.db_path, ISSUED) == 1, timeout=10, what="a first NIB")

        sim.admin("POST", "down", for_s=AN_HOUR, mode="503")
        create_applications(officer, 10, start=1)
        officer.close()
        wait_for(lambda: count(server.db_path, "SELECT count(*) FROM outbox WHERE attempts > 0"
                               " AND last_outcome = 'unavailable'") == 10,
                 timeout=10, what="every new job to meet the outage")
        assert all(wait <= 1.5 for wait in _wait_s(server)), _wait_s(server)
        sim.admin("POST", "up")
        wait_for(lambda: count(server.db_path, ISSUED) == 11, timeout=15,
                 what="the jobs to go once OSS is back")
    finally:
        server.kill()
        sim.kill()


def test_held_jobs_come_forward_when_oss_is_back_and_pages_tell_of_the_outage(
    tmp_path: Path,
) -> None:
    sim = SimulatorProcess(tmp_path / "sim").start()
    # the cap is the default (five minutes): only bringing the held jobs forward helps;
    # the breaker's trial waits 4 s, time enough to read the pages while OSS is down
    server = ServerProcess(tmp_path / "app", **oss_env(
        sim, JBM_OSS_CONCURRENCY="4", JBM_OSS_BREAKER_FAILURES="3",
        JBM_OSS_BREAKER_RESET_S="4", JBM_OSS_RATE_PER_S=str(RATE),
        JBM_OSS_RATE_BURST=str(BURST)))
    try:
        server.seed()
        server.start()
        sim.admin("POST", "down", for_s=AN_HOUR, mode="503")
        sim.reset_counters()
        officer = officer_client(server.url)
        backlog = 40
        create_applications(officer, backlog)
        wait_for(lambda: server.query("SELECT state FROM oss_breaker") == [("open",)],
                 timeout=10, interval=0.05, what="the breaker to open")
        held = _wait_s(server)
        assert held and min(held) > 60  # told to wait long (capped at five minutes)

        # an application not tried yet, while OSS is down
        (code,), = server.query(
            "SELECT a.tracking_code FROM applications a JOIN outbox o ON o.application_id = a.id"
            " WHERE o.attempts = 0 ORDER BY a.id DESC LIMIT 1")
        (started,), = server.query("SELECT started_at FROM oss_outages WHERE ended_at IS NULL")
        since = (datetime.fromisoformat(started) + timedelta(hours=7)).strftime("%H:%M")
        page = officer.get(f"/petugas/permohonan/{code}").text
        officer.close()
        assert (f"OSS sedang gangguan sejak {since} WIB; permohonan ini menunggu dalam antrean."
                in page)
        assert "Dalam antrean pengiriman ke OSS" not in page
        status = _lookup(server, code)
        assert status.status_code == 200
        assert (f"OSS sedang gangguan sejak {since} WIB; permohonan Anda aman dalam antrean"
                " dan akan dikirim otomatis." in status.text)

        sim.admin("POST", "up")
        back = time.monotonic()
        wait_for(lambda: count(server.db_path, ISSUED) == backlog, timeout=30,
                 what="every held job to go once OSS is back")
        assert time.monotonic() - back < 30  # not the five minutes the held jobs were told
        assert server.query("SELECT state FROM oss_breaker") == [("closed",)]
        counters = sim.counters()
        assert counters["nibs_issued"] == backlog
        assert counters["duplicate_registrations"] == 0
        # brought forward together, they still leave within the rate limit
        assert counters["max_per_second"] <= (RATE + BURST) * 1.1
        # and once OSS is back, the pages no longer speak of an outage
        after = _lookup(server, code).text
        assert "OSS sedang gangguan" not in after
        assert re.search(r"NIB: <strong>\d{13}</strong>", after)
    finally:
        server.kill()
        sim.kill()
