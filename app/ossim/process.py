"""The OSS simulator as a child process beside the app (the default ``simulator`` mode).

``simulator_beside(settings)`` starts ``python -m app.ossim`` on loopback (port
``oss_simulator_port``, else the app's port + 1, else a free port), waits until it listens,
and yields settings pointing the gateway at it. Credentials the simulator and the app must
share (``user_key``, the receiveNIB username/password) are generated for the run unless
configured, and reach the child through its environment, never its command line. The child
stops with the app: on exit here, and, should the app be killed, by the kernel
(PR_SET_PDEATHSIG on Linux) or the simulator's own parent watch.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def choose_port(settings: Any) -> int:
    if settings.oss_simulator_port:
        return int(settings.oss_simulator_port)
    if settings.port + 1 < 65536 and _port_free("127.0.0.1", settings.port + 1):
        return int(settings.port + 1)
    return _free_port("127.0.0.1")


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start_child(settings: Any) -> tuple[subprocess.Popen[bytes], Any]:
    port = choose_port(settings)
    settings = replace(
        settings,
        oss_user_key=settings.oss_user_key or secrets.token_urlsafe(24),
        pia_username=settings.pia_username or "jbm-" + secrets.token_hex(4),
        pia_password=settings.pia_password or secrets.token_urlsafe(24),
    )
    app_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "app.ossim",
        "--host", "127.0.0.1", "--port", str(port),
        "--db", str(settings.data_dir / "oss-simulator.sqlite3"),
        "--parent-pid", str(os.getpid()),
        "--push-url", f"http://{app_host}:{settings.port}/api/oss/receiveNIB",
        *shlex.split(settings.oss_simulator_args),
    ]
    env = {
        **os.environ,
        "JBM_OSS_SIM_USER_KEY": settings.oss_user_key,
        "JBM_OSS_SIM_PIA_USERNAME": settings.pia_username,
        "JBM_OSS_SIM_PIA_PASSWORD": settings.pia_password,
    }
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    child = subprocess.Popen(command, env=env, preexec_fn=preexec)  # noqa: S603
    deadline = time.monotonic() + 15
    while not _listening(port):
        if child.poll() is not None:
            raise RuntimeError(f"the OSS simulator exited with code {child.returncode}")
        if time.monotonic() > deadline:
            stop_child(child)
            raise RuntimeError("the OSS simulator did not start in time")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}/v1/kl/rba"
    log.info("OSS simulator (pid %s) on 127.0.0.1:%s", child.pid, port)
    print(f"OSS simulator on http://127.0.0.1:{port} (pid {child.pid})", flush=True)
    return child, replace(settings, oss_url=base, oss_simulator_port=port)


def stop_child(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@contextlib.contextmanager
def simulator_beside(settings: Any) -> Iterator[Any]:
    """Yield settings to run with; in simulator mode without an OSS URL, with a child
    simulator running for the duration."""
    if settings.oss_mode != "simulator" or settings.oss_url:
        yield settings
        return
    child, settings = start_child(settings)
    try:
        yield settings
    finally:
        stop_child(child)
