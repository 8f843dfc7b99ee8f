"""Test support: the real server as a child process, logged-in HTTP clients, sample data."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Self

import httpx

ROOT = Path(__file__).resolve().parent.parent
OFFICER = ("petugas", "petugas-blitar")
ADMIN = ("admin", "admin-blitar")

# The OSS mode every test server runs in unless a test pins its own: `make test` runs the
# integration suite once per mode (JBM_TEST_OSS_MODE=simulator|assisted). Tests that only
# make sense in one mode carry ``@pytest.mark.oss_mode(MODE, reason=...)`` (tests/conftest.py).
OSS_MODES = ("simulator", "assisted")
OSS_MODE = os.environ.get("JBM_TEST_OSS_MODE", "simulator")
if OSS_MODE not in OSS_MODES:
    raise RuntimeError(f"JBM_TEST_OSS_MODE must be one of {OSS_MODES}, not {OSS_MODE!r}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChildProcess:
    """A process of ours on 127.0.0.1, started, awaited on a health URL, stopped or killed."""

    name = "process"

    def __init__(self, data_dir: Path, port: int | None, env: dict[str, str]) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"{self.name}-{self.port}.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    def health_url(self) -> str:
        raise NotImplementedError

    def start(self, timeout: float = 60.0) -> Self:  # CI: two busy cores
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:  # the child holds its own copy of the file
            self.proc = subprocess.Popen(self.command(), env=self.env, cwd=ROOT, stdout=log,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(self.health_url(), timeout=0.5).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start in time")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class ServerProcess(ChildProcess):
    """``python -m app serve`` on 127.0.0.1 with its own data directory."""

    name = "server"

    def __init__(self, data_dir: Path, port: int | None = None, **env: str) -> None:
        super().__init__(data_dir, port, {})
        self.env.update({
            "JBM_DATA_DIR": str(data_dir),
            "JBM_PORT": str(self.port),
            "JBM_HOST": "127.0.0.1",
            "JBM_OSS_MODE": OSS_MODE,
            # Tests of intake look at applications as captured; the OSS tests
            # (tests/integration/test_oss_*.py) turn the forwarder on.
            "JBM_OSS_FORWARDER": "0",
            # Litestream beside every test server is cost for nothing: the restore drill
            # (tests/integration/test_backup_restore.py) turns it on.
            "JBM_BACKUP": "off",
            **env,
        })

    def command(self) -> list[str]:
        return [sys.executable, "-m", "app", "serve"]

    def health_url(self) -> str:
        return f"{self.url}/healthz"

    def seed(self) -> None:
        # seed-demo refuses an https base URL (a production server): the demo accounts
        # go into the database before the test server becomes one.
        env = {k: v for k, v in self.env.items() if k != "JBM_BASE_URL"}
        subprocess.run([sys.executable, "-m", "app", "seed-demo"], env=env, cwd=ROOT,
                       check=True, capture_output=True)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "jbm.sqlite3"

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(self.db_path)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


# Test-only settings for servers that send to the local push service (tests/pushservice.py),
# which listens on http://127.0.0.1: production accepts only the push services' hosts, over
# https, at public addresses (docs/notify.md).
LOCAL_PUSH_ENV = {"JBM_PUSH_ALLOW_HTTP": "1", "JBM_PUSH_ALLOWED_HOSTS": "127.0.0.1",
                  "JBM_PUSH_ALLOW_PRIVATE": "1"}


# A run of exactly 16 digits: what a full NIK looks like. Search it in rendered text only
# (``visible_text``): a page's attributes carry random tokens (CSRF: 128 hex characters)
# that now and then hold 16 digits in a row.
NIK_RUN = re.compile(r"(?<!\d)\d{16}(?!\d)")


class _TextOnly(HTMLParser):
    SKIP = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees on a page: its text nodes, without tags, attributes or
    scripts. Nodes are joined with nothing between them, as inline elements render, so a
    number split over several elements is still found whole."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=15.0, follow_redirects=False)


def login(http: httpx.Client, username: str, password: str) -> httpx.Response:
    page = http.get("/masuk")
    token = csrf_from(page.text)
    return http.post("/masuk", data={"_csrf_token": token, "username": username,
                                     "password": password, "next": "/petugas"})


def officer_client(base_url: str) -> httpx.Client:
    http = client(base_url)
    response = login(http, *OFFICER)
    assert response.status_code == 303, response.text
    return http


def application(**changes: Any) -> dict[str, Any]:
    """A valid micro-business application, as the phone sends it."""
    body: dict[str, Any] = {
        "nik": "3505014507900012",
        "name": "Siti Aminah",
        "phone": "0812-3456-7890",
        "email": "",
        "no_email": True,
        "npwp": "",
        "business_name": "Warung Bu Siti",
        "kecamatan": "35.05.01",
        "desa": "35.05.01.2001",
        "rt": "3",
        "rw": "2",
        "street": "Jl. Mawar 5",
        "kbli": ["56102"],
        "capital": "15.000.000",
        "workers_male": 0,
        "workers_female": 2,
    }
    body.update(changes)
    return body


def new_key() -> str:
    return str(uuid.uuid4())


def post_application(http: httpx.Client, key: str, body: Any) -> httpx.Response:
    return http.post("/api/applications", json=body, headers={"Idempotency-Key": key})
