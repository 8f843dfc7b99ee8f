"""Web Push end to end: the real server process, a real SQLite file, status changes made
with change_status, and the local push service (tests/pushservice.py) that checks VAPID,
TTL and aes128gcm and decrypts every message."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.clock import now_iso
from app.db.applications import change_status
from app.db.connection import open_sync, run_transaction
from app.notify.tokens import TOKEN_TTL_S
from tests.pushservice import PushService, Sub
from tests.support import (
    LOCAL_PUSH_ENV,
    ServerProcess,
    application,
    client,
    csrf_from,
    new_key,
    officer_client,
    post_application,
)

# subscribe limits are tested in test_push_ssrf.py: here they only get in the way
PUSH_ENV = {**LOCAL_PUSH_ENV, "JBM_PUSH_POLL_S": "0.1", "JBM_PUSH_SUBSCRIBE_LIMIT": "1000",
            "JBM_PUSH_BACKOFF_BASE_S": "0.2", "JBM_PUSH_BACKOFF_CAP_S": "0.5"}
NIK, NAME, BUSINESS = "3505014507900012", "Siti Aminah", "Warung Bu Siti"
TOKEN = re.compile(r'data-push-token="([^"]+)"')


def start(data_dir: Path, **env: str) -> ServerProcess:
    proc = ServerProcess(data_dir, **PUSH_ENV, **env)
    proc.seed()
    return proc.start()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = start(tmp_path_factory.mktemp("push"))
    yield proc
    proc.stop()


@pytest.fixture
def push(srv: ServerProcess) -> Iterator[PushService]:
    key = httpx.get(f"{srv.url}/api/push/kunci").json()["publicKey"]
    service = PushService(expected_key=key)
    yield service
    service.close()


def new_application(srv: ServerProcess) -> tuple[int, str]:
    http = officer_client(srv.url)
    try:
        key = new_key()
        assert post_application(http, key, application()).status_code == 201
    finally:
        http.close()
    ((app_id, code),) = srv.query(
        "SELECT id, tracking_code FROM applications WHERE client_id = ?", key)
    return app_id, code


def citizen_subscribe(srv: ServerProcess, code: str, sub: Sub) -> None:
    with client(srv.url) as http:
        page = http.get("/cek")
        answer = http.post("/cek", data={"_csrf_token": csrf_from(page.text), "kode": code,
                                         "digits": "7890"})
        assert answer.status_code == 200
        token = TOKEN.search(answer.text).group(1)
        # the token holds the application's id, its expiry and a signature, nothing else
        # (no phone digits, no NIK); its expiry and signature are digits and letters that
        # can hold "7890" by chance, so the check is on its parts
        (app_id,) = srv.query("SELECT id FROM applications WHERE tracking_code = ?", code)[0]
        token_id, expires, signature = token.split(".")
        assert token_id == str(app_id)
        assert abs(int(expires) - time.time() - TOKEN_TTL_S) < 120
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", signature)  # HMAC-SHA256, base64url
        r = http.post("/api/push/warga", json={"token": token, "subscription": sub.info()})
        assert r.status_code == 201, r.text


def officer_subscribe(srv: ServerProcess, sub: Sub) -> None:
    http = officer_client(srv.url)
    r = http.post("/api/push/petugas", json={"subscription": sub.info()})
    http.close()
    assert r.status_code == 201, r.text


def set_status(db: Path, app_id: int, status: str, nib: str | None = None) -> None:
    conn = open_sync(db)
    try:
        # Now, not a fixed date: the retention job forgets citizens' push links 30 days
        # after an application has ended, and a restarted server runs it at once.
        run_transaction(conn, change_status, app_id, status, "test", None, now_iso(), nib)
    finally:
        conn.close()


def wait_for_states(srv: ServerProcess, sub: Sub, expected: list[str]) -> None:
    """Until the phone's jobs, oldest first, are in these states (the outcome committed)."""
    deadline = time.monotonic() + 30
    while True:
        states = [state for (state,) in srv.query(
            "SELECT j.state FROM push_jobs j JOIN push_subscriptions s"
            " ON s.id = j.subscription_id WHERE s.endpoint = ? ORDER BY j.id", sub.endpoint)]
        if states == expected:
            return
        assert time.monotonic() < deadline, f"jobs {states}, expected {expected}"
        time.sleep(0.05)


def assert_no_personal_data(push: PushService) -> None:
    for r in push.received:
        text = repr(r.payload)
        assert NIK not in text and "Siti" not in text and "Aminah" not in text
        assert BUSINESS not in text and not re.search(r"\d{16}", text)
        assert set(r.payload) == {"title", "body", "url", "tag"}


def test_status_change_gives_each_subscriber_exactly_one_decrypted_message(
        srv: ServerProcess, push: PushService) -> None:
    app_id, code = new_application(srv)
    citizen, officer = push.subscription(), push.subscription()
    citizen_subscribe(srv, code, citizen)
    officer_subscribe(srv, officer)
    set_status(srv.db_path, app_id, "submitted")
    set_status(srv.db_path, app_id, "issued", "1234567890123")
    push.wait_for(lambda: len(push.for_sub(citizen)) >= 2 and push.for_sub(officer))
    time.sleep(1.0)  # nothing more may come
    assert push.rejected == []
    shown = f"{code[:3]}-{code[3:]}"
    got = [r.payload for r in push.for_sub(citizen)]
    assert [p["title"] for p in got] == ["Dikirim ke OSS", "NIB sudah terbit"]  # in order
    assert all(shown in p["body"] for p in got)
    # the issued NIB takes the citizen to the satisfaction survey of this application
    assert got[0]["url"] == f"/cek?kode={code}" and got[1]["url"].startswith(f"/survei/{app_id}.")
    mine = [r.payload for r in push.for_sub(officer) if shown in r.payload["body"]]
    assert len(mine) == 1 and mine[0]["url"] == f"/petugas/permohonan/{code}"
    assert mine[0]["title"] == "NIB sudah terbit"
    for r in push.for_sub(citizen) + push.for_sub(officer):
        assert int(r.headers["ttl"]) >= 86400 and r.headers["content-encoding"] == "aes128gcm"
        assert r.headers["urgency"] in ("normal", "high")
        assert r.claims["sub"].startswith("mailto:")
    assert_no_personal_data(push)
    # The officer turns notifications off: the next change reaches the citizen only.
    http = officer_client(srv.url)
    assert http.post("/api/push/petugas/berhenti",
                     json={"endpoint": officer.endpoint}).json() == {"subscribed": False}
    http.close()


@pytest.mark.parametrize("gone", [404, 410])
def test_gone_subscription_is_deleted_and_not_resent(srv: ServerProcess, push: PushService,
                                                     gone: int) -> None:
    app_id, code = new_application(srv)
    sub = push.subscription()
    citizen_subscribe(srv, code, sub)
    push.answers[sub.id] = [gone]
    set_status(srv.db_path, app_id, "submitted")
    push.wait_for(lambda: push.attempts.get(sub.id, 0) >= 1)
    deadline = time.monotonic() + 5
    while srv.query("SELECT 1 FROM push_subscriptions WHERE endpoint = ?", sub.endpoint):
        assert time.monotonic() < deadline, "subscription not deleted"
        time.sleep(0.05)
    set_status(srv.db_path, app_id, "needs_fix")
    time.sleep(1.0)
    assert push.attempts[sub.id] == 1 and push.for_sub(sub) == []


def test_500_and_429_are_retried_then_delivered_once(srv: ServerProcess,
                                                     push: PushService) -> None:
    app_id, code = new_application(srv)
    sub = push.subscription()
    citizen_subscribe(srv, code, sub)
    push.answers[sub.id] = [500, 429, 503]
    set_status(srv.db_path, app_id, "submitted")
    push.wait_for(lambda: push.for_sub(sub))
    time.sleep(0.8)
    assert push.attempts[sub.id] == 4 and len(push.for_sub(sub)) == 1
    ((state, attempts),) = srv.query(
        "SELECT j.state, j.attempts FROM push_jobs j JOIN push_subscriptions s"
        " ON s.id = j.subscription_id WHERE s.endpoint = ?", sub.endpoint)
    assert (state, attempts) == ("done", 4)
    assert_no_personal_data(push)


def test_mixed_answers_in_the_same_rounds_each_phone_gets_its_own_outcome_in_order(
        srv: ServerProcess, push: PushService) -> None:
    """The outcomes of a round's sends are committed together (one transaction for all the
    results that are waiting): a phone that is gone, one whose push service fails twice and
    three that accept, sent side by side, each keep their own outcome and their order."""
    app_id, code = new_application(srv)
    subs = [push.subscription() for _ in range(5)]  # JBM_PUSH_MAX_PER_APPLICATION
    for sub in subs:
        citizen_subscribe(srv, code, sub)
    gone, flaky, *fine = subs
    push.answers[gone.id] = [410]
    push.answers[flaky.id] = [500, 503]
    set_status(srv.db_path, app_id, "submitted")
    set_status(srv.db_path, app_id, "issued", "1234567890123")
    for sub in (flaky, *fine):
        wait_for_states(srv, sub, ["done", "done"])
    deadline = time.monotonic() + 5
    while srv.query("SELECT 1 FROM push_subscriptions WHERE endpoint = ?", gone.endpoint):
        assert time.monotonic() < deadline, "gone subscription not deleted"
        time.sleep(0.05)
    time.sleep(1.0)  # nothing more may come
    for sub in (flaky, *fine):
        titles = [r.payload["title"] for r in push.for_sub(sub)]
        assert titles == ["Dikirim ke OSS", "NIB sudah terbit"]
    assert push.attempts[gone.id] == 1 and push.for_sub(gone) == []
    assert push.attempts[flaky.id] == 4 and push.rejected == []
    for sub in (flaky, *fine):
        jobs = srv.query("SELECT j.state, j.attempts, j.last_status FROM push_jobs j"
                         " JOIN push_subscriptions s ON s.id = j.subscription_id"
                         " WHERE s.endpoint = ? ORDER BY j.id", sub.endpoint)
        first_attempts = 3 if sub is flaky else 1
        assert jobs == [("done", first_attempts, 201), ("done", 1, 201)]


def test_server_killed_between_status_change_and_delivery_loses_nothing(
        tmp_path: Path) -> None:
    # A kill can land while a send is in flight: its job is due again when the lease ends
    # (120 s by default; 5 s here, still far longer than a send to the local push service).
    proc = start(tmp_path / "data", JBM_PUSH_LEASE_S="5")
    try:
        key = httpx.get(f"{proc.url}/api/push/kunci").json()["publicKey"]
        push = PushService(expected_key=key)
        app_id, code = new_application(proc)
        sub, steady = push.subscription(), push.subscription()
        citizen_subscribe(proc, code, sub)
        citizen_subscribe(proc, code, steady)
        push.answers[sub.id] = [500] * 1000  # this phone's push service is down
        set_status(proc.db_path, app_id, "submitted")
        push.wait_for(lambda: push.attempts.get(sub.id, 0) >= 2 and push.for_sub(steady))
        wait_for_states(proc, steady, ["done"])  # its delivery committed before the kill
        proc.kill()  # SIGKILL with a job waiting for retry
        set_status(proc.db_path, app_id, "issued", "1234567890123")  # while the server is down
        push.answers[sub.id] = []  # the push service is back
        proc.start()
        for phone in (sub, steady):
            wait_for_states(proc, phone, ["done", "done"])
        time.sleep(1.0)  # nothing more may come
        for phone in (sub, steady):  # in order, and a recorded delivery is not sent again
            titles = [r.payload["title"] for r in push.for_sub(phone)]
            assert titles == ["Dikirim ke OSS", "NIB sudah terbit"]
        assert push.rejected == []
        assert_no_personal_data(push)
        push.close()
    finally:
        proc.kill()


def test_citizen_subscribe_needs_a_valid_lookup_token(srv: ServerProcess,
                                                      push: PushService) -> None:
    sub = push.subscription()
    with client(srv.url) as http:
        for token in ("", "1.9999999999.forged", "abc"):
            r = http.post("/api/push/warga", json={"token": token, "subscription": sub.info()})
            assert r.status_code == 403
        r = http.post("/api/push/warga", content=b"{}",
                      headers={"content-type": "text/plain"})
        assert r.status_code == 415
        r = http.post("/api/push/warga", json={"token": "x"},
                      headers={"sec-fetch-site": "cross-site"})
        assert r.status_code == 403
    assert srv.query("SELECT 1 FROM push_subscriptions WHERE endpoint = ?", sub.endpoint) == []
