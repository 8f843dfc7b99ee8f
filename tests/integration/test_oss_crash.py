"""The app is killed (SIGKILL) while it holds leased jobs, at a point that moves later each
round; after a restart every job completes exactly once and the database is intact."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.integration.test_oss_support import (
    SimulatorProcess,
    count,
    create_applications,
    oss_env,
    wait_for,
)
from tests.support import ServerProcess, officer_client

pytestmark = pytest.mark.oss_mode(
    "simulator", reason="drives a simulator process through the http gateway")

JOBS = 80


def test_sigkill_while_jobs_are_leased_then_restart_completes_every_job_once(
    tmp_path: Path,
) -> None:
    # slow answers keep jobs leased; short timeouts keep the lease (and the test) short
    sim = SimulatorProcess(tmp_path / "sim", "--latency-ms", "100-200").start()
    env = oss_env(sim, JBM_OSS_CONCURRENCY="8", JBM_OSS_READ_TIMEOUT_S="0.3",
                  JBM_OSS_CONNECT_TIMEOUT_S="0.2", JBM_OSS_LEASE_S="1")
    server = ServerProcess(tmp_path / "app", **env)
    db = server.db_path
    try:
        server.seed()
        server.start()
        http = officer_client(server.url)
        created = create_applications(http, JOBS)
        http.close()
        stranded_jobs: set[int] = set()
        for delay in (0.15, 0.4, 0.65):
            time.sleep(delay)
            leased = count(db, "SELECT count(*) FROM outbox WHERE state = 'pending'"
                               " AND lease_owner IS NOT NULL")
            server.kill()  # SIGKILL: no shutdown, leases stay behind
            stranded = {job for (job,) in server.query(
                "SELECT id FROM outbox WHERE state = 'pending' AND lease_owner IS NOT NULL")}
            assert server.query("PRAGMA integrity_check") == [("ok",)]
            assert leased > 0 and stranded, "the kill must catch jobs in flight"
            stranded_jobs |= stranded
            server.start()
        wait_for(lambda: count(db, "SELECT count(*) FROM applications WHERE status = 'issued'")
                 == JOBS, timeout=40, interval=0.2, what="every job to complete")
        server.stop()

        assert server.query("PRAGMA integrity_check") == [("ok",)]
        assert server.query("SELECT state, count(*) FROM outbox GROUP BY state") == [
            ("done", JOBS)]
        # each job completed once: one issued attempt, history received -> submitted -> issued
        assert server.query(
            "SELECT count(*), count(DISTINCT application_id) FROM oss_attempts"
            " WHERE outcome = 'issued'") == [(JOBS, JOBS)]
        histories = server.query(
            "SELECT application_id, group_concat(status, '>') FROM"
            " (SELECT application_id, status FROM application_history ORDER BY id)"
            " GROUP BY application_id")
        assert {h for _, h in histories} == {"received>submitted>issued"}
        events = server.query("SELECT count(*) FROM status_events")
        assert events == [(JOBS * 3,)]
        # OSS's side: one NIB per application, the one recorded; a job whose worker died
        # was looked up by its reference before being sent again, so none was sent twice
        app_nibs = dict(server.query("SELECT client_id, nib FROM applications"))
        assert sim.nibs() == app_nibs
        assert {key for key, _ in created} == set(app_nibs)
        counters = sim.counters()
        assert counters["nibs_total"] == JOBS
        assert counters["duplicate_registrations"] == 0
        # every job a dead worker held was in doubt: OSS was asked for it first
        assert counters["lookups"] >= len(stranded_jobs)
    finally:
        server.kill()
        sim.kill()
