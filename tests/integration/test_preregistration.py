"""Pre-registration from home over real HTTP against the real server: the officer's rules
and messages, the consent's version, the limits and honeypot, the officers' download
(only their rounds, only while assigned), check-in through the exactly-once intake, and
the retention job on a real SQLite file."""

from __future__ import annotations

import html
import re
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.clock import WIB, iso
from app.db.connection import migrate_path, open_sync, run_transaction
from app.domain.preregistration import CONSENT_VERSION, checkin_key
from app.domain.tracking import check_char
from app.services import audit
from app.services.intake import MSG_PREREG_CONFLICT
from app.services.retention import apply
from app.settings import Settings
from tests.support import (
    ROOT,
    ServerProcess,
    application,
    client,
    csrf_from,
    new_key,
    officer_client,
    post_application,
)

ERROR = re.compile(r'<p class="field-error" id="([a-z_]+)-error">([^<]*)</p>')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Small limits so that reaching them takes a few requests; each test is its own client
    behind the trusted proxy."""
    proc = ServerProcess(tmp_path_factory.mktemp("prereg"), JBM_PREREG_CLIENT_LIMIT="5",
                         JBM_PREREG_PHONE_LIMIT="2", JBM_TRUSTED_PROXIES="127.0.0.1")
    proc.seed()
    proc.start()
    yield proc
    proc.kill()


@pytest.fixture(scope="module")
def officer(server: ServerProcess) -> Iterator[httpx.Client]:
    http = officer_client(server.url)
    yield http
    http.close()


def citizen_at(server: ServerProcess, address: str) -> httpx.Client:
    http = client(server.url)
    http.headers["X-Forwarded-For"] = address
    return http


def form_of(body: dict[str, Any]) -> dict[str, str]:
    """An application body as the HTML form posts it (text only; a ticked box is "on")."""
    data: dict[str, str] = {}
    for name, value in body.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = ", ".join(str(v) for v in value)
        else:
            data[name] = str(value)
    return data


def submit(http: httpx.Client, body: dict[str, Any], *, agree: bool = True,
           client_id: str | None = None, **extra: str) -> httpx.Response:
    page = http.get("/daftar-mandiri")
    assert page.status_code == 200
    fresh = re.search(r'name="client_id" value="([^"]+)"', page.text).group(1)
    data = {"_csrf_token": csrf_from(page.text), "client_id": client_id or fresh,
            **form_of(body), **extra}
    if agree:
        data.setdefault("consent", CONSENT_VERSION)
    return http.post("/daftar-mandiri", data=data)


def page_errors(page: httpx.Response) -> dict[str, str]:
    return {name: html.unescape(text) for name, text in ERROR.findall(page.text)}


def code_of(page: httpx.Response) -> str:
    return re.search(r"data-prereg-code>P-([A-Z0-9]{3})-([A-Z0-9]{4})<", page.text).expand(
        r"\1\2")


def count(server: ServerProcess, table: str = "preregistrations") -> int:
    return server.query(f"SELECT count(*) FROM {table}")[0][0]


def add_round(server: ServerProcess, *, days: int = 1, status: str = "published",
              kecamatan: str = "35.05.01", officer_id: int | None = None) -> int:
    day = (datetime.now(WIB) + timedelta(days=days)).date()
    starts = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
    now = iso(datetime.now(UTC))
    with sqlite3.connect(server.db_path) as conn:
        round_id = conn.execute(
            "INSERT INTO rounds (day, start_time, end_time, starts_at, ends_at, evening,"
            " kecamatan, place, car_id, status, created_at, updated_at) VALUES (?, '08:00',"
            " '12:00', ?, ?, 0, ?, 'Balai Desa', 1, ?, ?, ?)",
            (day.isoformat(), iso(starts), iso(starts + timedelta(hours=4)), kecamatan, status,
             now, now)).lastrowid
        if officer_id is not None:
            conn.execute("INSERT INTO round_officers (round_id, user_id, assigned_at,"
                         " assigned_by, how) VALUES (?, ?, ?, 'uji', 'manual')",
                         (round_id, officer_id, now))
    return int(round_id or 0)


# Every bad input of the officer's form, as the HTML form can send it (text).
BAD: list[tuple[str, str]] = [
    ("nik", ""), ("nik", "350501450790"), ("nik", "3505014507900000"),
    ("nik", "9905014507900012"), ("nik", "3505019907900012"),
    ("name", ""), ("name", "Al"), ("name", "A" * 101), ("name", "Siti 2"), ("name", "-Siti"),
    ("phone", ""), ("phone", "0342-801234"), ("phone", "+1 202 555 0100"), ("phone", "08123"),
    ("email", "siti@gmail"), ("email", ""),
    ("npwp", "12345"), ("npwp", "3505014507900013"),
    ("business_name", ""), ("business_name", "UD"), ("business_name", "W" * 101),
    ("business_name", "..."),
    ("kecamatan", "Wonodadi"),
    ("desa", ""), ("desa", "Jaten"), ("desa", "35.05.01.2999"), ("desa", "35.05.02.2001"),
    ("rt", ""), ("rt", "1234"), ("rt", "3a"), ("rt", "000"), ("rw", "0"), ("rw", "2.5"),
    ("street", ""), ("street", "Jl"), ("street", "J" * 201),
    ("kbli", ""), ("kbli", "5610"), ("kbli", "56102, warung"), ("kbli", "99999"),
    ("kbli", ", ".join(f"{n:05d}" for n in range(21))),
    ("capital", ""), ("capital", "15 juta"), ("capital", "1,5"), ("capital", "-1"),
    ("workers_male", "-1"), ("workers_male", "dua"), ("workers_female", "10001"),
    ("round_id", "999999"), ("round_id", "abc"), ("referrals", "kredit"),
]


def test_every_bad_input_gets_the_officer_apis_message_and_nothing_is_stored(
        server: ServerProcess, officer: httpx.Client) -> None:
    wrong: list[str] = []
    with citizen_at(server, "203.0.113.10") as citizen:
        for field, value in BAD:
            changes: dict[str, Any] = {field: value}
            if field == "email" and value == "":
                changes["no_email"] = False
            body = application(**changes)
            api = post_application(officer, str(uuid.uuid4()), body)
            assert api.status_code == 422, (field, value, api.text)
            expected = api.json()["errors"]
            page = submit(citizen, body)
            got = page_errors(page)
            if page.status_code != 422 or got != expected:
                wrong.append(f"{field}={value!r}: {page.status_code} {got} != {expected}")
            # the typed value is kept in the page (escaped)
            if field in ("name", "street") and value:
                assert f'value="{html.escape(value)}"' in page.text
    assert not wrong, "\n".join(wrong)
    assert count(server) == 0
    assert count(server, "applications") == 0  # the API stored none of them either


def test_consent_and_honeypot(server: ServerProcess) -> None:
    with citizen_at(server, "203.0.113.11") as citizen:
        before = count(server)
        no_consent = submit(citizen, application(), agree=False)
        assert no_consent.status_code == 422
        assert page_errors(no_consent) == {
            "consent": "Centang persetujuan penggunaan data untuk melanjutkan."}
        # an old page's statement (another version) is asked again
        old = submit(citizen, application(), agree=False, consent="2025-01-v0")
        assert old.status_code == 422 and "consent" in page_errors(old)
        bot = submit(citizen, application(), website="http://spam.example")
        assert bot.status_code == 200 and "Terima kasih" in bot.text
        assert "data-prereg-code" not in bot.text
        assert count(server) == before


def test_a_preregistration_is_stored_once_with_its_consent_and_reaches_no_oss(
        server: ServerProcess) -> None:
    round_id = add_round(server, days=3)
    body = application(phone="0813-1111-2222", round_id=str(round_id),
                       referrals=["halal"], email="siti@example.id", no_email=False)
    with citizen_at(server, "203.0.113.12") as citizen:
        client_id = str(uuid.uuid4())
        first = submit(citizen, body, client_id=client_id)
        assert first.status_code == 201, page_errors(first)
        code = code_of(first)
        again = submit(citizen, body, client_id=client_id)  # the connection dropped: resent
        assert again.status_code == 200 and code_of(again) == code
        changed = submit(citizen, {**body, "street": "Jl. Melati 7"}, client_id=client_id)
        assert changed.status_code == 200 and code_of(changed) == code
        assert "Perubahan terakhir tidak disimpan" in changed.text
        stored = server.query(
            "SELECT consent_version, status, round_id, phone, email, referrals_json, street,"
            " kbli_json, application_id FROM preregistrations WHERE code = ?", code)
        assert stored == [(CONSENT_VERSION, "waiting", round_id, "6281311112222",
                           "siti@example.id", '["halal"]', "Jl. Mawar 5", '["56102"]', None)]
        assert count(server, "applications") == 0 and count(server, "outbox") == 0
        # the answer: the code's QR, and a WhatsApp message to her own number with the code
        assert "<svg" in first.text
        wa = re.search(r'href="(https://wa\.me/[^"]+)"[^>]*data-whatsapp', first.text).group(1)
        parts = urlsplit(html.unescape(wa))
        assert parts.path == "/6281311112222"
        text = parse_qs(parts.query)["text"][0]
        assert f"P-{code[:3]}-{code[3:]}" in text and "KTP" in text
        # the status page: the code and the last 4 digits of the number
        cek = citizen.get("/daftar-mandiri/cek")
        token = csrf_from(cek.text)
        status = citizen.post("/daftar-mandiri/cek", data={
            "_csrf_token": token, "kode": f"P-{code[:3]}-{code[3:]}", "digits": "2222"})
        assert status.status_code == 200
        assert "Menunggu verifikasi petugas" in status.text
        assert "6281311112222" not in status.text and "3505014507900012" not in status.text
        wrong = citizen.post("/daftar-mandiri/cek", data={
            "_csrf_token": token, "kode": code, "digits": "0000"})
        unknown = citizen.post("/daftar-mandiri/cek", data={
            "_csrf_token": token, "kode": "P-ABC-DEFG", "digits": "2222"})
        assert wrong.status_code in (404, 422) and unknown.status_code in (404, 422)
        assert wrong.status_code == 404


def test_limits_per_phone_and_per_client(server: ServerProcess) -> None:
    with citizen_at(server, "203.0.113.13") as citizen:
        for _ in range(2):
            assert submit(citizen, application(phone="0857-0000-1111")).status_code == 201
        third = submit(citizen, application(phone="0857-0000-1111"))
        assert third.status_code == 429
        assert "Nomor WhatsApp ini sudah dipakai" in page_errors(third)["phone"]
        assert 'value="0857-0000-1111"' in third.text  # what was typed stays
        for index in range(2):  # the 4th and 5th submission of this client
            assert submit(citizen, application(phone=f"0858-0000-{index:04d}")
                          ).status_code == 201
        sixth = submit(citizen, application(phone="0858-1111-0000"))
        assert sixth.status_code == 429 and int(sixth.headers["Retry-After"]) > 0
        assert "Terlalu banyak pendaftaran" in sixth.text
    assert server.query("SELECT count(*) FROM preregistrations WHERE phone = ?",
                        "6285700001111") == [(2,)]


def test_a_draft_round_cannot_be_chosen(server: ServerProcess) -> None:
    draft = add_round(server, days=4, status="draft")
    with citizen_at(server, "203.0.113.14") as citizen:
        page = submit(citizen, application(round_id=str(draft)))
        assert page.status_code == 422
        assert page_errors(page) == {
            "round_id": "Sesi layanan tidak dikenali. Pilih sesi dari daftar, atau kosongkan."}


def _officer_id(server: ServerProcess) -> int:
    return server.query("SELECT id FROM users WHERE username = 'petugas'")[0][0]


def _prereg(server: ServerProcess, address: str, **changes: Any) -> str:
    with citizen_at(server, address) as citizen:
        page = submit(citizen, application(**changes))
        assert page.status_code == 201, page_errors(page)
        return code_of(page)


def test_download_only_assigned_rounds_and_check_in_once(
        server: ServerProcess, officer: httpx.Client) -> None:
    me = _officer_id(server)
    mine = add_round(server, days=2, kecamatan="35.05.02", officer_id=me)
    other = add_round(server, days=2, kecamatan="35.05.03")
    desa_2 = "35.05.02.2001"
    chosen = _prereg(server, "203.0.113.20", kecamatan="35.05.02", desa=desa_2,
                     round_id=str(mine), phone="0811-2000-0001")
    nearby = _prereg(server, "203.0.113.20", kecamatan="35.05.02", desa=desa_2,
                     phone="0811-2000-0002")  # no round, same kecamatan
    elsewhere = _prereg(server, "203.0.113.21", kecamatan="35.05.03", desa="35.05.03.2001",
                        round_id=str(other), phone="0811-2000-0003")

    got = officer.get("/api/praregistrasi")
    assert got.status_code == 200
    data = got.json()
    assert [r["id"] for r in data["rounds"] if r["id"] in (mine, other)] == [mine]
    codes = {item["code"] for item in data["items"]}
    assert chosen in codes and nearby in codes and elsewhere not in codes
    item = next(i for i in data["items"] if i["code"] == chosen)
    assert item["display"] == f"P-{chosen[:3]}-{chosen[3:]}"
    assert item["values"]["nik"] == "3505014507900012" and item["values"]["kbli"] == ["56102"]
    assert officer.get(f"/api/praregistrasi?round={other}").status_code == 403
    assert officer.get(f"/api/praregistrasi?round={mine}").status_code == 200
    assert client(server.url).get("/api/praregistrasi").status_code == 401

    # check-in: the key derived from the code, the body from the form with the code
    body = {**item["values"], "prereg_code": item["display"], "round_id": str(mine)}
    key = checkin_key(chosen)
    first = post_application(officer, key, body)
    assert first.status_code == 201, first.text
    second = post_application(officer, key, body)  # a second phone, the same person
    assert second.status_code == 200 and second.text == first.text
    differs = post_application(officer, key, {**body, "street": "Jl. Kenanga 9"})
    assert differs.status_code == 409
    assert differs.json()["message"] == MSG_PREREG_CONFLICT
    app_id = server.query("SELECT id FROM applications WHERE client_id = ?", key)[0][0]
    assert server.query("SELECT status, application_id FROM preregistrations WHERE code = ?",
                        chosen) == [("checked_in", app_id)]
    # a body naming the code under another key checks nothing in
    stray = post_application(officer, str(uuid.uuid4()),
                             {**body, "prereg_code": f"P-{nearby}", "phone": "0811-2000-0009"})
    assert stray.status_code == 201
    assert server.query("SELECT status FROM preregistrations WHERE code = ?",
                        nearby) == [("waiting",)]
    # the checked-in one leaves the next download
    codes = {i["code"] for i in officer.get("/api/praregistrasi").json()["items"]}
    assert chosen not in codes and nearby in codes

    # no longer assigned: nothing of that round any more
    with sqlite3.connect(server.db_path) as conn:
        conn.execute("DELETE FROM round_officers WHERE round_id = ?", (mine,))
    after = officer.get("/api/praregistrasi").json()
    assert nearby not in {i["code"] for i in after["items"]}
    assert officer.get(f"/api/praregistrasi?round={mine}").status_code == 403


PERSONAL = ("SELECT nik, name, phone, email, npwp, business_name, birth_date, rt, rw, street,"
            " redacted_at IS NOT NULL FROM preregistrations WHERE code = ?")
CLEARED = ("0000000000000000", "[dihapus]", "2222", None, None, "[dihapus]", "", "", "",
           "[dihapus]", 1)


def _status_page(server: ServerProcess, address: str, code: str, digits: str
                 ) -> httpx.Response:
    with citizen_at(server, address) as citizen:
        token = csrf_from(citizen.get("/daftar-mandiri/cek").text)
        return citizen.post("/daftar-mandiri/cek", data={
            "_csrf_token": token, "kode": f"P-{code}", "digits": digits})


def test_check_in_clears_the_preregistrations_copy_of_the_citizens_data(
        server: ServerProcess, officer: httpx.Client) -> None:
    body = application(phone="0811-3000-2222", email="siti@example.id", no_email=False,
                       npwp="3505014507900012", referrals=["halal"])
    client_id = str(uuid.uuid4())
    with citizen_at(server, "203.0.113.30") as citizen:
        page = submit(citizen, body, client_id=client_id)
        assert page.status_code == 201, page_errors(page)
    code = code_of(page)
    key = checkin_key(code)
    checkin = {**body, "prereg_code": f"P-{code}", "street": "Jl. Mawar 5A"}
    first = post_application(officer, key, checkin)
    assert first.status_code == 201, first.text

    # Cleared in the check-in's own transaction: the application holds the data now.
    assert server.query(PERSONAL, code) == [CLEARED]
    app_id, tracking = server.query("SELECT id, tracking_code FROM applications"
                                    " WHERE client_id = ?", key)[0]
    kept = server.query(
        "SELECT status, application_id, client_id, consent_version, kecamatan, desa,"
        " kbli_json, capital, workers_female, sex, scale, referrals_json"
        " FROM preregistrations WHERE code = ?", code)
    assert kept == [("checked_in", app_id, client_id, CONSENT_VERSION, "35.05.01",
                     "35.05.01.2001", '["56102"]', 15000000, 2, "P", "01", '["halal"]')]
    assert server.query("SELECT nik, name, phone, street FROM applications WHERE id = ?",
                        app_id) == [("3505014507900012", "Siti Aminah", "6281130002222",
                                     "Jl. Mawar 5A")]

    # What reads a checked-in pre-registration later still works.
    again = post_application(officer, key, checkin)  # a second phone: the stored answer
    assert again.status_code == 200 and again.text == first.text
    differs = post_application(officer, key, {**checkin, "street": "Jl. Kenanga 9"})
    assert differs.status_code == 409 and differs.json()["message"] == MSG_PREREG_CONFLICT
    assert code not in {i["code"] for i in officer.get("/api/praregistrasi").json()["items"]}
    status = _status_page(server, "203.0.113.31", code, "2222")
    assert status.status_code == 200
    assert "Sudah diverifikasi petugas" in status.text and tracking in status.text
    assert "[dihapus]" not in status.text and "Pemilik" not in status.text
    assert _status_page(server, "203.0.113.32", code, "0000").status_code == 404
    with citizen_at(server, "203.0.113.30") as citizen:  # her form resent after the check-in
        resent = submit(citizen, body, client_id=client_id)
    assert resent.status_code == 200 and code_of(resent) == code
    assert "Sudah diverifikasi petugas" in resent.text
    assert "data-whatsapp" not in resent.text and "[dihapus]" not in resent.text
    assert server.query("SELECT count(*) FROM preregistrations WHERE client_id = ?",
                        client_id) == [(1,)]


def test_the_retention_job_clears_preregistrations_checked_in_before_the_change(
        server: ServerProcess, officer: httpx.Client) -> None:
    """A deployed database: rows checked in before the check-in cleared them."""
    code = _prereg(server, "203.0.113.33", phone="0811-3000-4444")
    key = checkin_key(code)
    made = post_application(officer, key, {**application(phone="0811-3000-4444"),
                                           "prereg_code": f"P-{code}"})
    assert made.status_code == 201, made.text
    with sqlite3.connect(server.db_path) as conn:  # as an older version left it
        conn.execute(
            "UPDATE preregistrations SET nik = '3505014507900012', name = 'Siti Aminah',"
            " phone = '6281130004444', business_name = 'Warung Bu Siti', birth_date ="
            " '1990-07-05', rt = '003', rw = '002', street = 'Jl. Mawar 5', redacted_at = NULL"
            " WHERE code = ?", (code,))
    waiting = _prereg(server, "203.0.113.34", phone="0811-3000-5555")

    done = subprocess.run([sys.executable, "-m", "app", "retention"], cwd=ROOT,
                          env=server.env, capture_output=True, text=True, check=True)
    assert "pra-pendaftaran terverifikasi dikosongkan 1" in done.stdout
    assert server.query(PERSONAL, code) == [(*CLEARED[:2], "4444", *CLEARED[3:])]
    # one still waiting for its check-in keeps what the officer will compare with the KTP
    assert server.query("SELECT nik, phone, redacted_at FROM preregistrations WHERE code = ?",
                        waiting) == [("3505014507900012", "6281130005555", None)]
    status = _status_page(server, "203.0.113.35", code, "4444")
    assert status.status_code == 200 and "Sudah diverifikasi petugas" in status.text


# -- retention, on a real SQLite file with the job's clock given --------------------------
NOW = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)


def test_retention_deletes_exactly_the_expired_preregistrations(tmp_path: Path) -> None:
    path = tmp_path / "jbm.sqlite3"
    migrate_path(path)
    conn = open_sync(path)

    def ago(days: float) -> str:
        return iso(NOW - timedelta(days=days))

    def build(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO users (id, username, full_name, password_hash, role,"
                     " created_at) VALUES (1, 'p', 'P', 'x', 'officer', ?)", (ago(400),))
        for round_id, ended in ((1, 91), (2, 89), (3, -5), (4, 200)):
            conn.execute(
                "INSERT INTO rounds (id, day, start_time, end_time, starts_at, ends_at,"
                " evening, kecamatan, place, car_id, status, created_at, updated_at) VALUES"
                " (?, '2026-01-01', '08:00', '12:00', ?, ?, 0, '35.05.01', 'Balai', 1,"
                " 'published', ?, ?)", (round_id, ago(ended + 0.2), ago(ended), ago(300),
                                        ago(300)))
        conn.execute(
            "INSERT INTO applications (id, client_id, request_hash, response_json,"
            " tracking_code, status, nik, name, sex, birth_date, phone, business_name,"
            " kecamatan, desa, rt, rw, street, kbli_json, capital, workers_male,"
            " workers_female, scale, created_at, created_day, updated_at) VALUES (1, 'c1',"
            " 'h', '{}', 'CODE1', 'received', '3505014507900012', 'Siti', 'P', '1990-07-05',"
            " '6281234567890', 'Warung', '35.05.01', '35.05.01.2001', '003', '002', 'Jl',"
            " '[\"56102\"]', 1, 0, 0, 'mikro', ?, '2026-01-01', ?)", (ago(200), ago(200)))
        rows = [  # (id, round, created days ago, status, application)
            (1, 1, 120, "waiting", None),  # round ended 91 days ago: deleted
            (2, 2, 120, "waiting", None),  # round ended 89 days ago: kept, now "expired"
            (3, None, 91, "waiting", None),  # no round, made 91 days ago: deleted
            (4, None, 89, "waiting", None),  # no round, made 89 days ago: kept
            (5, 4, 250, "checked_in", 1),  # checked in: kept whatever its age
            (6, 3, 120, "waiting", None),  # its round is still ahead: kept, waiting
            (7, 1, 120, "expired", None),  # expired and past its period: deleted
        ]
        for pid, round_id, made, status, app in rows:
            conn.execute(
                "INSERT INTO preregistrations (id, code, client_id, request_hash, status,"
                " consent_version, application_id, nik, name, phone, business_name,"
                " kbli_json, capital, workers_male, workers_female, kecamatan, desa, rt, rw,"
                " street, round_id, sex, birth_date, scale, created_at, expires_at) VALUES"
                " (?, ?, ?, 'h', ?, ?, ?, '3505014507900012', 'Siti Aminah', '6281234567890',"
                " 'Warung', '[\"56102\"]', 1, 0, 0, '35.05.01', '35.05.01.2001', '003',"
                " '002', 'Jl. Mawar', ?, 'P', '1990-07-05', 'mikro', ?, ?)",
                (pid, f"CODE{pid}", f"client-{pid}", status, CONSENT_VERSION, app, round_id,
                 ago(made), ago(made - 90)))

    try:
        run_transaction(conn, build)
        result = run_transaction(conn, apply, Settings(), NOW, audit.cli_actor("retention"))
        assert result.preregistrations == 3
        left = conn.execute("SELECT id, status FROM preregistrations ORDER BY id").fetchall()
        assert [tuple(r) for r in left] == [(2, "expired"), (4, "waiting"),
                                            (5, "checked_in"), (6, "waiting")]
        expiry = conn.execute("SELECT expires_at FROM preregistrations WHERE id = 2"
                              ).fetchone()[0]
        assert expiry == iso(NOW - timedelta(days=89) + timedelta(days=90))
        # the next run finds nothing more to delete
        again = run_transaction(conn, apply, Settings(), NOW, audit.cli_actor("retention"))
        assert again.preregistrations == 0
        later = run_transaction(conn, apply, Settings(), NOW + timedelta(days=2),
                                audit.cli_actor("retention"))
        assert later.preregistrations == 2  # 2 and 4 reach their 90 days
    finally:
        conn.close()


def _cek(server: ServerProcess, address: str, code: str, digits: str) -> httpx.Response:
    """The application's status lookup (/cek), asked by a client at ``address``."""
    with citizen_at(server, address) as citizen:
        token = csrf_from(citizen.get("/cek").text)
        return citizen.post("/cek", data={"_csrf_token": token, "kode": code,
                                          "digits": digits})


def _unknown(code: str) -> str:
    """A well-formed code nobody holds: another body with its right check character."""
    body = ("Z" if code[0] != "Z" else "Y") + code[1:6]
    return body + check_char(body)


def test_cek_takes_a_preregistration_code_and_says_nothing_more_for_a_wrong_answer(
        server: ServerProcess, officer: httpx.Client) -> None:
    body = application(phone="0811-4000-3333")
    with citizen_at(server, "203.0.113.40") as citizen:
        page = submit(citizen, body)
        assert page.status_code == 201, page_errors(page)
    code = code_of(page)
    shown = f"P-{code[:3]}-{code[3:]}"

    form = client(server.url).get("/cek").text
    assert "P-ABC-DEFG" in form and "ABC-DEFG" in form  # the hint names both kinds

    # The right last four digits: the pre-registration's own status page, as typed or not.
    for address, typed in (("203.0.113.41", shown), ("203.0.113.42", f"p {code.lower()}")):
        status = _cek(server, address, typed, "3333")
        assert status.status_code == 200
        assert "Menunggu verifikasi petugas" in status.text and shown in status.text
        assert "6281140003333" not in status.text and "3505014507900012" not in status.text
    malformed = _cek(server, "203.0.113.43", "P-ABC-DEF", "3333")
    assert malformed.status_code == 422 and "Periksa kembali" in malformed.text

    # A wrong answer for a P- code, an unknown P- code and an unknown tracking code: one
    # and the same page (the CSRF token aside), which does not echo the code.
    tracking = post_application(officer, new_key(), application()).json()["tracking_code"]
    answers = [_cek(server, "203.0.113.44", shown, "0000"),
               _cek(server, "203.0.113.45", f"P-{_unknown(code)}", "3333"),
               _cek(server, "203.0.113.46", _unknown(tracking), "7890"),
               _cek(server, "203.0.113.47", tracking, "0000")]
    assert {a.status_code for a in answers} == {404}
    pages = {a.text.replace(csrf_from(a.text), "TOKEN") for a in answers}
    assert len(pages) == 1 and code not in pages.pop()

    # Checked in at the car: the page points to the application's own status.
    checkin = {**body, "prereg_code": shown}
    assert post_application(officer, checkin_key(code), checkin).status_code == 201
    app_code = server.query("SELECT tracking_code FROM applications WHERE client_id = ?",
                            checkin_key(code))[0][0]
    done = _cek(server, "203.0.113.48", shown, "3333")
    assert done.status_code == 200 and "Sudah diverifikasi petugas" in done.text
    assert f'href="/cek?kode={app_code}"' in done.text


def test_wrong_answers_to_a_preregistration_code_count_once_across_both_pages(
        server: ServerProcess) -> None:
    """The per-code limit (10 wrong answers an hour) is one count for /cek and
    /daftar-mandiri/cek, from any number of addresses: two pages give no extra guesses."""
    with citizen_at(server, "203.0.113.50") as citizen:
        page = submit(citizen, application(phone="0811-5000-4444"))
        assert page.status_code == 201, page_errors(page)
    code = code_of(page)
    for n in range(5):
        assert _status_page(server, f"203.0.113.{51 + n}", code, f"{n:04d}").status_code == 404
        assert _cek(server, f"203.0.113.{61 + n}", f"P-{code}", f"{n:04d}").status_code == 404
    limited = _cek(server, "203.0.113.70", f"P-{code}", "4444")  # even the right answer
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert _status_page(server, "203.0.113.71", code, "4444").status_code == 429
