"""The public abuse limits outlive the server process: a restart (a deploy, a crash, the
service manager starting it again) gives nobody a fresh quota. Each test stops and starts
the same server on the same data directory."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.rounds_support import post_form
from tests.integration.test_invitations import CODE, invitation
from tests.support import (
    ServerProcess,
    application,
    client,
    csrf_from,
    new_key,
    officer_client,
    post_application,
)


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Small daily limits for /saran, and a proxy we trust so each test picks its clients'
    addresses (X-Forwarded-For)."""
    proc = ServerProcess(tmp_path_factory.mktemp("limits"), JBM_PUBLIC_FORM_CLIENT_LIMIT="2",
                         JBM_PUBLIC_FORM_PHONE_LIMIT="1", JBM_TRUSTED_PROXIES="127.0.0.1")
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


def restart(srv: ServerProcess) -> None:
    srv.stop()
    srv.start()


def citizen_at(srv: ServerProcess, address: str) -> httpx.Client:
    http = client(srv.url)
    http.headers["X-Forwarded-For"] = address
    return http


def lookup(srv: ServerProcess, address: str, code: str, digits: str) -> httpx.Response:
    with citizen_at(srv, address) as http:
        token = csrf_from(http.get("/cek").text)
        return http.post("/cek", data={"_csrf_token": token, "kode": code, "digits": digits})


def saran(srv: ServerProcess, address: str, phone: str = "") -> httpx.Response:
    with citizen_at(srv, address) as http:
        page = http.get("/saran")
        return http.post("/saran", data={
            "_csrf_token": csrf_from(page.text), "client_id": str(uuid.uuid4()),
            "category": "pelayanan", "text": "Antrean di mobil layanan terlalu panjang sekali.",
            "phone": phone})


def test_a_codes_wrong_answers_are_still_counted_after_a_restart(srv: ServerProcess) -> None:
    """10 wrong answers an hour per tracking code, from any addresses: after them even the
    right one is refused, and a restart does not give the guesser 10 more."""
    officer = officer_client(srv.url)
    created = post_application(officer, new_key(), application())
    officer.close()
    code = created.json()["tracking_code"]  # its WhatsApp number ends in 7890
    wrong = [lookup(srv, f"203.0.113.{n}", code, f"{n:04d}").status_code for n in range(10)]
    assert wrong == [404] * 10
    assert lookup(srv, "203.0.113.100", code, "7890").status_code == 429
    restart(srv)
    again = lookup(srv, "203.0.113.101", code, "7890")
    assert again.status_code == 429
    assert 0 < int(again.headers["Retry-After"]) <= 3600


def test_a_clients_daily_limit_and_a_numbers_daily_limit_survive_a_restart(
        srv: ServerProcess) -> None:
    assert [saran(srv, "198.51.100.7").status_code for _ in range(3)] == [201, 201, 429]
    assert saran(srv, "198.51.100.8", phone="0812-7000-1111").status_code == 201
    restart(srv)
    refused = saran(srv, "198.51.100.7")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Terlalu banyak kiriman" in refused.text
    # the number's third message of the day, from another address: still its limit (1)
    again = saran(srv, "198.51.100.9", phone="0812-7000-1111")
    assert again.status_code == 429 and "Nomor WhatsApp ini" in again.text
    assert saran(srv, "198.51.100.10").status_code == 201  # others are not held up


def test_the_stored_keys_hold_no_address_code_or_number_in_clear(srv: ServerProcess) -> None:
    address = "192.0.2.77"
    assert lookup(srv, address, "ABC-DEFG", "1234").status_code == 422  # the client counts
    assert saran(srv, address, phone="0812-7000-2222").status_code == 201
    rows = srv.query("SELECT bucket, key_hash, window_start, count, expires_at"
                     " FROM rate_hits")
    assert {"lookup_client", "form_client"} <= {row[0] for row in rows}
    assert all(re.fullmatch(r"[0-9a-f]{32}", row[1]) for row in rows)
    dump = "\n".join(srv.query("SELECT quote(bucket) || quote(key_hash) FROM rate_hits")[i][0]
                     for i in range(len(rows)))
    for clear in (address, "192.0.2", "7000", "2222", "ABCDEFG"):
        assert clear not in dump
    # Keyed with the app's secret: a plain hash of an address (which anyone could compute
    # for every IPv4 address) is not what is kept.
    for bucket in ("lookup_client", "form_client"):
        plain = hashlib.sha256(f"{bucket}:{address}".encode()).hexdigest()
        assert all(row[1] != plain[:32] for row in rows)


def test_wrong_answers_to_an_invitation_code_are_limited_across_clients_and_restarts(
        srv: ServerProcess) -> None:
    with citizen_at(srv, "203.0.113.150") as http:
        sent = post_form(http, "/undang", "/undang", invitation(phone="0813-5555-4321"))
    match = CODE.search(sent.text)
    assert sent.status_code == 200 and match is not None
    code = match.group(1)

    def check(address: str, digits: str) -> int:
        with citizen_at(srv, address) as http:
            return post_form(http, "/undang/cek", "/undang/cek",
                             {"kode": code, "digits": digits}).status_code

    assert check("203.0.113.151", "4321") == 200  # a right answer is not counted
    assert [check(f"203.0.113.{160 + n}", f"{n:04d}") for n in range(10)] == [404] * 10
    assert check("203.0.113.180", "4321") == 429
    restart(srv)
    assert check("203.0.113.181", "4321") == 429
