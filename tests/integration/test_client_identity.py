"""Who the client is behind a reverse proxy, and the status lookup's limits per client and
per tracking code (issue 9, defect 6), over real HTTP.

The "proxy" is a client connecting from 127.0.0.61, the one address in
JBM_TRUSTED_PROXIES; every other loopback address is an ordinary (untrusted) client.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.domain.tracking import check_char
from tests.support import ServerProcess, application, csrf_from, new_key, officer_client

PROXY = "127.0.0.61"


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("proxy"),
                         JBM_TRUSTED_PROXIES=f"{PROXY}, 10.9.0.0/16",
                         JBM_LOOKUP_CLIENT_LIMIT="3", JBM_LOOKUP_CODE_FAILURES="4")
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


def from_address(srv: ServerProcess, source: str) -> httpx.Client:
    return httpx.Client(base_url=srv.url, timeout=15.0, follow_redirects=False,
                        transport=httpx.HTTPTransport(local_address=source))


def lookup(http: httpx.Client, code: str, digits: str, forwarded: str | None = None
           ) -> httpx.Response:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    token = csrf_from(http.get("/cek").text)
    return http.post("/cek", data={"_csrf_token": token, "kode": code, "digits": digits},
                     headers=headers)


def statuses(http: httpx.Client, n: int, forwarded: str | None = None,
             code: str = "ABC-DEFG") -> list[int]:
    # "ABC-DEFG" fails its check character (422): only the per-client limit counts it
    return [lookup(http, code, "1234", forwarded).status_code for _ in range(n)]


def test_clients_behind_a_trusted_proxy_have_buckets_of_their_own(
        behind_proxy: ServerProcess) -> None:
    with from_address(behind_proxy, PROXY) as proxy:
        assert statuses(proxy, 4, "203.0.113.7") == [422, 422, 422, 429]
        assert statuses(proxy, 1, "203.0.113.8") == [422]
        # What a client wrote itself, left of what our proxy appended, changes nothing.
        assert statuses(proxy, 1, "198.51.100.1, 203.0.113.7") == [429]
        # IPv6: one /64 is one client.
        assert statuses(proxy, 3, "2001:db8:1:2::1") == [422] * 3
        assert statuses(proxy, 1, "2001:db8:1:2::ffff") == [429]
        assert statuses(proxy, 1, "2001:db8:1:3::1") == [422]


def test_a_spoofed_header_from_an_untrusted_client_changes_nothing(
        behind_proxy: ServerProcess) -> None:
    with from_address(behind_proxy, "127.0.0.62") as http:
        got = [lookup(http, "ABC-DEFG", "1234", f"203.0.113.{n}").status_code
               for n in range(20, 24)]
    assert got == [422, 422, 422, 429]


def test_the_login_throttle_and_audit_log_see_the_forwarded_client(
        behind_proxy: ServerProcess) -> None:
    with from_address(behind_proxy, PROXY) as proxy:
        page = proxy.get("/masuk")
        response = proxy.post("/masuk", data={"_csrf_token": csrf_from(page.text),
                                              "username": "petugas", "password": "salah-sekali"},
                              headers={"x-forwarded-for": "203.0.113.99"})
    assert response.status_code == 422
    rows = behind_proxy.query("SELECT client FROM audit_log WHERE client = '203.0.113.99'")
    assert rows and PROXY not in {r[0] for r in rows}


def _new_code(srv: ServerProcess) -> str:
    http = officer_client(srv.url)
    try:
        response = http.post("/api/applications", json=application(),
                             headers={"Idempotency-Key": new_key()})
        assert response.status_code == 201
        return response.json()["tracking_code"]
    finally:
        http.close()


def test_each_tracking_code_takes_only_so_many_wrong_answers(
        behind_proxy: ServerProcess) -> None:
    code = _new_code(behind_proxy)
    body = ("Z" if code[0] != "Z" else "Y") + code[1:6]
    unknown = body + check_char(body)
    with from_address(behind_proxy, PROXY) as proxy:
        # Right answers do not count against the code.
        for n in range(3):
            assert lookup(proxy, code, "7890", f"203.0.113.{30 + n}").status_code == 200
        # Four wrong answers from four clients, then even the right one waits.
        wrong = [lookup(proxy, code, f"{n:04d}", f"203.0.113.{40 + n}").status_code
                 for n in range(4)]
        blocked = lookup(proxy, code, "7890", "203.0.113.50")
        # An unknown code answers exactly the same.
        wrong_unknown = [lookup(proxy, unknown, f"{n:04d}", f"203.0.113.{60 + n}").status_code
                         for n in range(4)]
        blocked_unknown = lookup(proxy, unknown, "7890", "203.0.113.70")
        # Another code from the same client is not affected.
        other = lookup(proxy, _new_code(behind_proxy), "7890", "203.0.113.50")
    assert wrong == wrong_unknown == [404] * 4
    assert blocked.status_code == blocked_unknown.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0

    def strip_tokens(text: str) -> str:
        return text.replace(csrf_from(text), "TOKEN").replace(code, "").replace(unknown, "")

    assert strip_tokens(blocked.text) == strip_tokens(blocked_unknown.text)
    assert "Terlalu banyak percobaan" in blocked.text
    assert other.status_code == 200
