"""Push subscriptions cannot make the server connect anywhere (issue 9, defect 3).

A citizen who passed one status lookup hands us a URL we later POST to. Without the
test-only settings (tests/support.py LOCAL_PUSH_ENV), only the push services' hosts over
https at public addresses are taken; loopback listeners prove nothing was contacted.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from urllib3.exceptions import ProtocolError

from app.domain.push_endpoint import EndpointPolicy
from app.notify.endpoints import EndpointRefused, PushSession
from tests.integration.test_push_delivery import new_application, set_status
from tests.pushservice import b64e
from tests.support import LOCAL_PUSH_ENV, ServerProcess, client, csrf_from

TOKEN = re.compile(r'data-push-token="([^"]+)"')
FAST = {"JBM_PUSH_POLL_S": "0.1", "JBM_PUSH_BACKOFF_BASE_S": "0.2",
        "JBM_PUSH_BACKOFF_CAP_S": "0.5"}


class Listener:
    """A TCP port on loopback that counts the connections it is offered."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


class Redirector:
    """A 'push service' on loopback that answers every POST with a redirect elsewhere."""

    def __init__(self, location: str) -> None:
        self.posts = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                owner.posts += 1
                self.rfile.read(int(self.headers.get("content-length", 0)))
                self.send_response(307)
                self.send_header("location", location)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listeners() -> Iterator[tuple[Listener, Listener]]:
    v4, v6 = Listener("127.0.0.1"), Listener("::1")
    yield v4, v6
    v4.close()
    v6.close()


def start(data_dir: Path, **env: str) -> ServerProcess:
    proc = ServerProcess(data_dir, **FAST, **env)
    proc.seed()
    return proc.start()


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The default push settings, plus one allowed name ("localhost") that resolves to
    loopback, to show that the address check does not trust the allowlist."""
    hosts = "fcm.googleapis.com,*.push.apple.com,localhost"
    proc = start(tmp_path_factory.mktemp("ssrf"), JBM_PUSH_ALLOWED_HOSTS=hosts)
    yield proc
    proc.stop()


def lookup_token(srv: ServerProcess, code: str, http: httpx.Client | None = None) -> str:
    with client(srv.url) as own:
        http = http or own
        page = http.get("/cek")
        answer = http.post("/cek", data={"_csrf_token": csrf_from(page.text), "kode": code,
                                         "digits": "7890"})
        assert answer.status_code == 200
        return TOKEN.search(answer.text).group(1)


def keys() -> dict[str, str]:
    """A browser's subscription keys: a P-256 public point and a 16-byte auth secret."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64e(point), "auth": b64e(os.urandom(16))}


def subscription(endpoint: str) -> dict[str, Any]:
    return {"endpoint": endpoint, "keys": keys()}


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def notifier_done(srv: ServerProcess) -> Callable[[], bool]:
    """The push cursor has passed every status event: the notifier has seen them all."""
    def done() -> bool:
        (last_event,) = srv.query("SELECT coalesce(max(id), 0) FROM status_events")[0]
        rows = srv.query("SELECT last_id FROM event_cursors WHERE consumer = 'push'")
        return bool(rows) and rows[0][0] >= last_event
    return done


def test_hostile_endpoints_are_refused_with_422_and_never_contacted(
        production: ServerProcess, listeners: tuple[Listener, Listener]) -> None:
    v4, v6 = listeners
    app_id, code = new_application(production)
    token = lookup_token(production, code)
    hostile = [
        f"https://127.0.0.1:{v4.port}/push/x",
        "https://169.254.169.254/latest/meta-data/",
        f"https://[::1]:{v6.port}/",
        f"https://[::ffff:127.0.0.1]:{v4.port}/",
        f"http://127.0.0.1:{v4.port}/",
        f"https://localhost:{v4.port}/",  # allowed name, another port
        "https://localhost/push/x",  # allowed name, port 443, but it resolves to loopback
        "http://fcm.googleapis.com/fcm/send/x",  # not https
        "https://fcm.googleapis.com.127.0.0.1.nip.io/x",
        "https://evilpush.apple.com/x",
    ]
    with client(production.url) as http:
        for endpoint in hostile:
            r = http.post("/api/push/warga", json={
                "token": token, "subscription": subscription(endpoint)})
            assert r.status_code == 422, (endpoint, r.text)
            assert r.json()["error"] == "bad_subscription"
            assert "tidak sah" in r.json()["message"]
    assert production.query("SELECT count(*) FROM push_subscriptions") == [(0,)]
    # A status change that would notify a subscriber: the notifier finds nobody to send to.
    set_status(production.db_path, app_id, "submitted")
    wait_until(notifier_done(production))
    assert production.query("SELECT count(*) FROM push_jobs") == [(0,)]
    assert (v4.accepted, v6.accepted) == (0, 0)


def test_a_stored_hostile_endpoint_is_dropped_at_send_time_without_contact(
        production: ServerProcess, listeners: tuple[Listener, Listener]) -> None:
    """Subscriptions stored before these rules (or under other settings) are checked again
    when sent to: the server never connects, and forgets them."""
    v4, _ = listeners
    app_id, _ = new_application(production)
    endpoint = f"https://127.0.0.1:{v4.port}/push/old"
    k = keys()
    conn = sqlite3.connect(production.db_path)
    with conn:
        sub_id = conn.execute(
            "INSERT INTO push_subscriptions (endpoint, p256dh, auth, created_at)"
            " VALUES (?, ?, ?, '2026-01-01T00:00:00.000+00:00')",
            (endpoint, k["p256dh"], k["auth"])).lastrowid
        conn.execute("INSERT INTO push_links (subscription_id, application_id, created_at)"
                     " VALUES (?, ?, '2026-01-01T00:00:00.000+00:00')", (sub_id, app_id))
    conn.close()
    set_status(production.db_path, app_id, "submitted")
    wait_until(lambda: not production.query(
        "SELECT 1 FROM push_subscriptions WHERE id = ?", sub_id))
    assert v4.accepted == 0


def test_a_redirect_from_a_push_service_is_not_followed(
        tmp_path: Path, listeners: tuple[Listener, Listener]) -> None:
    v4, _ = listeners
    redirector = Redirector(f"http://127.0.0.1:{v4.port}/internal")
    proc = start(tmp_path / "data", **LOCAL_PUSH_ENV)
    try:
        app_id, code = new_application(proc)
        endpoint = f"{redirector.url}/push/abc"
        with client(proc.url) as http:
            r = http.post("/api/push/warga", json={
                "token": lookup_token(proc, code),
                "subscription": subscription(endpoint)})
            assert r.status_code == 201, r.text
        set_status(proc.db_path, app_id, "submitted")
        wait_until(lambda: proc.query("SELECT state, last_status FROM push_jobs")
                   == [("failed", 307)])
        assert redirector.posts == 1 and v4.accepted == 0
    finally:
        proc.stop()
        redirector.close()


def test_the_sender_connects_only_to_addresses_it_checked(
        listeners: tuple[Listener, Listener]) -> None:
    """The send path resolves and checks inside the connection itself: a name that points
    at loopback when the message goes out is refused then, whatever it said earlier."""
    v4, _ = listeners
    strict = PushSession(EndpointPolicy(("localhost",), allow_http=True))
    with pytest.raises(EndpointRefused):
        strict.post(f"http://localhost:{v4.port}/push/x", b"x", {}, (5, 5))
    assert v4.accepted == 0
    # The same request under the tests' policy does connect: the listener counts.
    lenient = PushSession(EndpointPolicy(("localhost",), allow_http=True, allow_private=True))
    with pytest.raises(ProtocolError):  # the listener hangs up at once
        lenient.post(f"http://localhost:{v4.port}/push/x", b"x", {}, (5, 5))
    wait_until(lambda: v4.accepted >= 1)
    strict.close()
    lenient.close()


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The local push service allowed (test-only settings), 4 subscriptions per client a day,
    6 subscribe calls per client per window; 5 phones per application (the default)."""
    proc = start(tmp_path_factory.mktemp("caps"), **LOCAL_PUSH_ENV,
                 JBM_PUSH_MAX_PER_CLIENT="4", JBM_PUSH_SUBSCRIBE_LIMIT="6")
    yield proc
    proc.stop()


def from_address(srv: ServerProcess, source: str) -> httpx.Client:
    """A client connecting from its own loopback address (its own per-client buckets)."""
    return httpx.Client(base_url=srv.url, timeout=15.0, follow_redirects=False,
                        transport=httpx.HTTPTransport(local_address=source))


def subscribe(http: httpx.Client, token: str, endpoint: str) -> httpx.Response:
    return http.post("/api/push/warga", json={"token": token,
                                              "subscription": subscription(endpoint)})


def test_one_application_takes_five_phones(capped: ServerProcess) -> None:
    _, code = new_application(capped)
    token = lookup_token(capped, code)
    answers = []
    for n in range(6):  # each phone on its own address: only the application's cap counts
        with from_address(capped, f"127.0.0.{31 + n}") as http:
            answers.append(subscribe(http, token, f"http://127.0.0.1:9/push/app-{n}"))
    assert [r.status_code for r in answers] == [201] * 5 + [409]
    assert answers[5].json()["error"] == "too_many_devices"
    assert "terlalu banyak perangkat" in answers[5].json()["message"]
    # A phone already on the list renews its keys freely.
    with from_address(capped, "127.0.0.31") as http:
        assert subscribe(http, token, "http://127.0.0.1:9/push/app-0").status_code == 201
    assert capped.query("SELECT count(*) FROM push_links l JOIN applications a"
                        " ON a.id = l.application_id WHERE a.tracking_code = ?", code) == [(5,)]


def test_one_client_makes_only_so_many_subscriptions_a_day(capped: ServerProcess) -> None:
    tokens = [lookup_token(capped, new_application(capped)[1]) for _ in range(2)]
    with from_address(capped, "127.0.0.41") as http:
        answers = [subscribe(http, tokens[n % 2], f"http://127.0.0.1:9/push/client-{n}")
                   for n in range(5)]
    assert [r.status_code for r in answers] == [201] * 4 + [429]
    assert answers[4].json()["error"] == "too_many_subscriptions"
    # The link keeps a keyed hash of the client, never its address.
    stored = capped.query("SELECT DISTINCT client_key FROM push_links l JOIN"
                          " push_subscriptions s ON s.id = l.subscription_id"
                          " WHERE s.endpoint LIKE '%/push/client-%'")
    assert len(stored) == 1 and "127.0.0" not in stored[0][0]
    with from_address(capped, "127.0.0.42") as other:  # another client is not affected
        assert subscribe(other, tokens[0], "http://127.0.0.1:9/push/other").status_code == 201


def test_subscribe_calls_are_rate_limited_per_client(capped: ServerProcess) -> None:
    with from_address(capped, "127.0.0.51") as http:
        # wrong tokens: refused, and still counted (guessing is what the limit is for)
        statuses = [subscribe(http, "1.9999999999.forged", "http://127.0.0.1:9/push/rl")
                    .status_code for _ in range(6)]
        limited = subscribe(http, "1.9999999999.forged", "http://127.0.0.1:9/push/rl")
        officer_limited = http.post("/api/push/petugas", json={})  # no session: 401 first
    assert statuses == [403] * 6
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert limited.json()["error"] == "too_many_requests"
    assert "Terlalu banyak permintaan notifikasi" in limited.json()["message"]
    assert officer_limited.status_code == 401
    with from_address(capped, "127.0.0.52") as other:
        assert subscribe(other, "1.9999999999.forged",
                         "http://127.0.0.1:9/push/rl").status_code == 403
