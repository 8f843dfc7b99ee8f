"""1,000 applications through an OSS that fails half of all requests: every one is issued,
each with exactly one NIB, and the simulator confirms it issued exactly 1,000."""

from __future__ import annotations

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

MIX = "503=1,500=1,504=1,hang=1,reset=1,malformed=1"


def test_thousand_applications_through_half_failing_oss_get_one_nib_each(tmp_path: Path) -> None:
    sim = SimulatorProcess(tmp_path / "sim", "--error-rate", "0.5", "--fault-mix", MIX,
                           "--hang-s", "30", "--seed", "7").start()
    server = ServerProcess(tmp_path / "app", **oss_env(
        sim, JBM_OSS_CONCURRENCY="16", JBM_OSS_READ_TIMEOUT_S="0.25",
        JBM_OSS_CONNECT_TIMEOUT_S="0.5",
    ))
    try:
        server.seed()
        server.start()
        http = officer_client(server.url)
        created = create_applications(http, 1000)
        http.close()
        db = server.db_path
        wait_for(lambda: count(db, "SELECT count(*) FROM applications WHERE status = 'issued'")
                 == 1000, timeout=100, interval=0.5, what="1,000 issued applications")

        rows = server.query("SELECT client_id, status, nib FROM applications")
        assert len(rows) == 1000
        assert {status for _, status, _ in rows} == {"issued"}
        app_nibs = {client_id: nib for client_id, _, nib in rows}
        assert len(set(app_nibs.values())) == 1000  # no NIB given twice
        assert all(len(nib) == 13 and nib.isdigit() for nib in app_nibs.values())
        assert {client_id for client_id, _ in created} == set(app_nibs)

        # OSS's side: exactly 1,000 NIBs, one per reference, the ones the app recorded
        counters = sim.counters()
        assert counters["nibs_issued"] == 1000
        assert counters["nibs_total"] == 1000
        assert sim.nibs() == app_nibs
        # the faults really happened, every kind of them
        assert set(counters["faults"]) == {"503", "500", "504", "hang", "reset", "malformed"}
        assert sum(counters["faults"].values()) > 800

        # every job completed once: one 'issued' attempt, one 'issued' history row, job done
        assert server.query(
            "SELECT count(*), count(DISTINCT application_id) FROM oss_attempts"
            " WHERE outcome = 'issued'") == [(1000, 1000)]
        assert server.query(
            "SELECT count(*) FROM (SELECT application_id FROM application_history"
            " WHERE status = 'issued' GROUP BY application_id HAVING count(*) != 1)") == [(0,)]
        assert server.query("SELECT state, count(*) FROM outbox GROUP BY state") == [
            ("done", 1000)]
        unavailable = count(db, "SELECT count(*) FROM oss_attempts WHERE outcome = 'unavailable'")
        assert unavailable > 300
        # ambiguous failures were resolved by asking OSS for the reference first
        assert counters["lookups"] > 0
        assert count(db, "SELECT count(*) FROM oss_attempts WHERE detail ="
                         " 'found by reference lookup'") > 0
        assert counters["max_in_flight"] <= 16 + 1  # +1: a hung request's disconnect in transit
        assert server.query("PRAGMA integrity_check") == [("ok",)]
    finally:
        server.kill()
        sim.kill()
