"""Brute force against the login (issue 9, defect 2), over real HTTP.

Each test uses its own accounts and its own loopback source address (127.0.0.N), so the
per-account and per-client buckets of one test never touch another's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import ROOT, ServerProcess, csrf_from, login

PASSWORD = "kebun-teh-wlingi"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


def add_users(proc: ServerProcess, *usernames: str) -> None:
    subprocess.run([sys.executable, "-m", "app", "migrate"], env=proc.env, cwd=ROOT,
                   check=True, capture_output=True)
    children = [subprocess.Popen([sys.executable, "-m", "app", "create-user", name, "--name",
                                  name], env={**proc.env, "JBM_NEW_PASSWORD": PASSWORD},
                                 cwd=ROOT, stdout=subprocess.DEVNULL)
                for name in usernames]
    assert [child.wait() for child in children] == [0] * len(usernames)


def from_address(proc: ServerProcess, source: str) -> httpx.Client:
    """A client connecting from its own loopback address (a client bucket of its own)."""
    return httpx.Client(base_url=proc.url, timeout=15.0, follow_redirects=False,
                        transport=httpx.HTTPTransport(local_address=source))


def logged_in(http: httpx.Client) -> bool:
    return http.get("/petugas/").status_code == 200


def error_of(response: httpx.Response) -> str:
    match = re.search(r'class="alert alert-error" role="alert">([^<]*)<', response.text)
    assert match, response.text[:500]
    return match.group(1)


@pytest.fixture(scope="module")
def throttled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Default throttle (5 failures per account, first lock 1 minute); 8 per client."""
    proc = ServerProcess(tmp_path_factory.mktemp("throttle"), JBM_LOGIN_CLIENT_FAILURES="8")
    add_users(proc, "budi", "sari", "wati", "joko")
    proc.start()
    yield proc
    proc.stop()


def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_429(
    throttled: ServerProcess,
) -> None:
    with from_address(throttled, "127.0.0.11") as http:
        answers = [login(http, "budi", f"salah-{i}-sandi-x") for i in range(30)]
        right = login(http, "budi", PASSWORD)
        assert [a.status_code for a in answers[:4]] == [422] * 4
        assert {a.status_code for a in answers[4:]} == {429}
        assert right.status_code == 429
        assert LOCKED in error_of(right) and "coba lagi dalam 1 menit" in error_of(right)
        assert 0 < int(right.headers["retry-after"]) <= 60
        assert "jbm_session" not in right.cookies
        assert not logged_in(http)
    # Only the 5 checked attempts count: the locked ones were not even compared.
    failed = throttled.query(
        "SELECT count(*) FROM audit_log WHERE action = 'login.failed' AND target_id ="
        " (SELECT CAST(id AS TEXT) FROM users WHERE username = 'budi')")
    locked = throttled.query(
        "SELECT detail FROM audit_log WHERE action = 'login.locked' AND target_id ="
        " (SELECT CAST(id AS TEXT) FROM users WHERE username = 'budi')")
    assert failed == [(5,)]
    assert locked == [("akun dikunci 1 menit",)]
    assert throttled.query("SELECT lockouts, failed_count FROM users WHERE username = 'budi'"
                           ) == [(1, 5)]


def test_an_unknown_account_gets_the_same_answers_as_a_real_one(
    throttled: ServerProcess,
) -> None:
    def attempts(source: str, username: str) -> list[tuple[int, str]]:
        with from_address(throttled, source) as http:
            answers = [login(http, username, f"tebakan-{i}-sandi") for i in range(7)]
        # the time of day in the 429 message may cross a minute between the two runs
        return [(a.status_code, re.sub(r"\d{2}:\d{2}", "HH:MM", error_of(a)))
                for a in answers]

    real = attempts("127.0.0.12", "sari")
    unknown = attempts("127.0.0.13", "tidak-ada-orangnya")
    assert real == unknown
    assert [code for code, _ in real] == [422, 422, 422, 422, 429, 429, 429]
    # The tried name of an unknown account is not kept anywhere.
    assert throttled.query("SELECT count(*) FROM audit_log WHERE detail LIKE '%tidak-ada%'"
                           " OR username LIKE '%tidak-ada%'") == [(0,)]
    assert throttled.query("SELECT count(*) FROM login_throttle WHERE key_hash LIKE"
                           " '%tidak-ada%'") == [(0,)]


def test_one_client_trying_many_accounts_is_locked_on_its_own(
    throttled: ServerProcess,
) -> None:
    with from_address(throttled, "127.0.0.14") as http:
        answers = [login(http, f"tebak-{i}", "sandi-yang-salah") for i in range(8)]
        assert [a.status_code for a in answers] == [422] * 7 + [429]
        # The client is locked: even a right password from it waits.
        assert login(http, "wati", PASSWORD).status_code == 429
        assert not logged_in(http)
    # The account itself is not locked: its owner elsewhere logs in.
    with from_address(throttled, "127.0.0.15") as http:
        assert login(http, "wati", PASSWORD).status_code == 303
        assert logged_in(http)
    assert throttled.query("SELECT count(*) FROM audit_log WHERE action = 'login.locked'"
                           " AND target_type = 'client' AND client = '127.0.0.14'") == [(1,)]


def test_a_lock_survives_a_restart(throttled: ServerProcess) -> None:
    with from_address(throttled, "127.0.0.16") as http:
        assert [login(http, "joko", "bukan-sandinya-x").status_code
                for _ in range(5)][-1] == 429
    throttled.stop()
    throttled.start()
    with from_address(throttled, "127.0.0.17") as http:
        right = login(http, "joko", PASSWORD)
        assert right.status_code == 429
        assert not logged_in(http)


def test_the_right_password_works_once_the_lock_runs_out_and_the_owner_is_told(
    tmp_path: Path,
) -> None:
    proc = ServerProcess(tmp_path / "short", JBM_LOGIN_LOCK_BASE_S="1")
    add_users(proc, "rina")
    proc.start()
    try:
        with from_address(proc, "127.0.0.18") as http:
            answers = [login(http, "rina", "bukan-sandinya-x") for _ in range(5)]
            assert answers[-1].status_code == 429
            (until,) = proc.query("SELECT locked_until FROM login_throttle"
                                  " WHERE scope = 'account'")[0]
            time.sleep(max(0.0, until - time.time()) + 0.2)
            right = login(http, "rina", PASSWORD)
            assert right.status_code == 303
            assert right.headers["location"] == "/masuk/pemberitahuan?next=/petugas"
            notice = http.get(right.headers["location"])
            assert notice.status_code == 200
            assert re.search(r"Ada 5 percobaan masuk yang gagal ke akun Anda sejak "
                             r"\d{2}-\d{2}-\d{4} \d{2}:\d{2} WIB,\s+dan akun Anda sempat "
                             r"dikunci 1 kali", notice.text)
            seen = http.post("/masuk/pemberitahuan",
                             data={"_csrf_token": csrf_from(notice.text), "next": "/petugas"})
            assert seen.status_code == 303 and seen.headers["location"] == "/petugas"
            # told once: the next visit goes straight on
            assert http.get("/masuk/pemberitahuan").status_code == 303
            assert logged_in(http)
        assert proc.query("SELECT count(*) FROM audit_log WHERE action = 'login.ok'") == [(1,)]
    finally:
        proc.stop()
