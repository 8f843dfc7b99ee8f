"""Helpers for the OSS tests (no tests here): the simulator as a real process, the app's
OSS settings for tests, many applications at once, and waiting for the database."""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.support import ChildProcess, application, new_key


class SimulatorProcess(ChildProcess):
    """``python -m app.ossim`` on 127.0.0.1 with its own NIB file."""

    name = "simulator"

    def __init__(self, data_dir: Path, *args: str, port: int | None = None,
                 **env: str) -> None:
        super().__init__(data_dir, port, env)
        self.api_url = f"{self.url}/v1/kl/rba"
        self.args = list(args)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "app.ossim", "--port", str(self.port),
                "--db", str(self.data_dir / "nibs.sqlite3"), *self.args]

    def health_url(self) -> str:
        return f"{self.url}/_sim/health"

    # -- admin endpoint ---------------------------------------------------------------------
    def admin(self, method: str, action: str, **body: Any) -> Any:
        response = httpx.request(method, f"{self.url}/_sim/{action}",
                                 json=body if method == "POST" else None, timeout=15)
        response.raise_for_status()
        return response.json()

    def counters(self) -> dict[str, Any]:
        return self.admin("GET", "counters")

    def reset_counters(self) -> None:
        self.admin("POST", "counters/reset")

    def faults(self, **changes: Any) -> dict[str, Any]:
        return self.admin("POST", "faults", **changes)

    def nibs(self) -> dict[str, str]:
        return dict(self.admin("GET", "nibs")["nibs"])


def oss_env(sim: SimulatorProcess | None, **overrides: str) -> dict[str, str]:
    """The app's OSS settings for a test: forwarder on, everything short."""
    env = {
        "JBM_OSS_MODE": "http",
        "JBM_OSS_FORWARDER": "1",
        "JBM_OSS_POLL_S": "0.05",
        "JBM_OSS_CONCURRENCY": "8",
        "JBM_OSS_RATE_PER_S": "0",
        "JBM_OSS_CONNECT_TIMEOUT_S": "0.3",
        "JBM_OSS_READ_TIMEOUT_S": "0.3",
        "JBM_OSS_SLOW_CALL_S": "0",
        "JBM_OSS_BREAKER_FAILURES": "50",
        "JBM_OSS_BREAKER_RESET_S": "0.5",
        "JBM_OSS_BACKOFF_BASE_S": "0.02",
        "JBM_OSS_BACKOFF_CAP_S": "0.3",
        "JBM_OSS_LEASE_S": "2",
    }
    if sim is not None:
        env["JBM_OSS_URL"] = sim.api_url
    env.update(overrides)
    return env


def nik_for(index: int) -> str:
    """A valid NIK per index (Kab. Blitar, born 1 January 1990, serial index+1)."""
    assert 0 <= index < 9999
    return f"350501010190{index + 1:04d}"


def create_applications(http: httpx.Client, count: int, start: int = 0,
                        **changes: Any) -> list[tuple[str, str]]:
    """``count`` applications through the batch API: [(client_id, tracking_code)]."""
    created: list[tuple[str, str]] = []
    items = [{"id": new_key(), "body": application(nik=nik_for(start + i), **changes)}
             for i in range(count)]
    for offset in range(0, count, 200):
        chunk = items[offset:offset + 200]
        response = http.post("/api/applications/batch", json={"items": chunk})
        assert response.status_code == 200, response.text
        for item, result in zip(chunk, response.json()["results"], strict=True):
            assert result["status"] == 201, result
            created.append((item["id"], result["body"]["tracking_code"]))
    return created


def wait_for(check: Callable[[], Any], timeout: float, interval: float = 0.1,
             what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def query(db_path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def count(db_path: Path, sql: str, *params: Any) -> int:
    return int(query(db_path, sql, *params)[0][0])
