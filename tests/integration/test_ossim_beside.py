"""`make run`'s default: `python -m app serve` starts the OSS simulator (``app.ossim``) beside
the app and the forwarder registers applications there, so they are issued with the NIB the
simulator issued; `python -m app forward` alone does the same with a simulator child of its
own, which stops with it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.test_oss_support import create_applications, wait_for
from tests.support import ROOT, ServerProcess, free_port, officer_client

pytestmark = pytest.mark.oss_mode(
    "simulator", reason="the simulator started beside serve and forward")


def _listening(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_sim/health", timeout=0.5).status_code == 200
    except httpx.TransportError:
        return False


def _nib_at(sim_url: str, reference: str) -> str | None:
    return httpx.get(f"{sim_url}/_sim/nibs", params={"reference": reference},
                     timeout=5).json()["nib"]


def _issued(server: ServerProcess, code: str) -> tuple[str, str] | None:
    (status, nib), = server.query(
        "SELECT status, nib FROM applications WHERE tracking_code = ?", code)
    return (status, nib) if status == "issued" else None


def test_serve_forwards_to_the_simulator_it_started(tmp_path: Path) -> None:
    sim_port = free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    # the defaults of `make run` (OSS mode simulator, forwarder in the app), a known port
    server = ServerProcess(tmp_path / "app", JBM_OSS_FORWARDER="1",
                           JBM_OSS_SIMULATOR_PORT=str(sim_port))
    try:
        server.seed()
        server.start()
        assert _listening(sim_url), "serve must start the simulator beside the app"
        http = officer_client(server.url)
        (reference, code), = create_applications(http, 1)
        http.close()
        _, nib = wait_for(lambda: _issued(server, code), timeout=20, what="the NIB")
        assert nib == _nib_at(sim_url, reference)
    finally:
        server.stop()
    wait_for(lambda: not _listening(sim_url), timeout=10, what="the simulator to stop")


def test_forward_alone_starts_its_own_simulator(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "app")  # the web app without its forwarder
    sim_port = free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    log = (tmp_path / "forward.log").open("wb")
    forward: subprocess.Popen[bytes] | None = None
    try:
        server.seed()
        server.start()
        http = officer_client(server.url)
        (reference, code), = create_applications(http, 1)
        http.close()
        assert _issued(server, code) is None
        env = {**server.env, "JBM_OSS_SIMULATOR_PORT": str(sim_port), "JBM_OSS_POLL_S": "0.05"}
        forward = subprocess.Popen([sys.executable, "-m", "app", "forward"], env=env, cwd=ROOT,
                                   stdout=log, stderr=subprocess.STDOUT)
        _, nib = wait_for(lambda: _issued(server, code), timeout=20, what="the NIB")
        assert nib == _nib_at(sim_url, reference)
        forward.send_signal(signal.SIGTERM)
        assert forward.wait(10) == 0
        wait_for(lambda: not _listening(sim_url), timeout=10, what="the simulator to stop")
    finally:
        if forward is not None and forward.poll() is None:
            forward.kill()
            forward.wait()
        log.close()
        server.stop()
