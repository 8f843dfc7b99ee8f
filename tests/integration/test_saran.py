"""Complaints and suggestions over real HTTP: the public form with its limits and honeypot,
/saran/cek, and the admin's inbox (assign, reply, close, LAPOR!, the clock)."""

from __future__ import annotations

import html
import re
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.clock import wib_today
from app.domain.complaints import add_working_days
from tests.support import ADMIN, ServerProcess, client, csrf_from, login


@pytest.fixture(scope="module")
def saran_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Small limits so that reaching them takes a few requests."""
    proc = ServerProcess(tmp_path_factory.mktemp("saran"), JBM_PUBLIC_FORM_CLIENT_LIMIT="8",
                         JBM_PUBLIC_FORM_PHONE_LIMIT="2", JBM_TRUSTED_PROXIES="127.0.0.1")
    proc.seed()
    proc.start()
    yield proc
    proc.kill()


def citizen_at(server: ServerProcess, address: str) -> httpx.Client:
    """A citizen behind the (trusted) proxy at this address: each test is its own client."""
    http = client(server.url)
    http.headers["X-Forwarded-For"] = address
    return http


def _send(http: httpx.Client, **fields: str) -> httpx.Response:
    page = http.get("/saran")
    data = {"_csrf_token": csrf_from(page.text), "client_id": str(uuid.uuid4()),
            "category": "pelayanan", "text": "Petugas ramah, tetapi antre lama sekali.",
            **fields}
    return http.post("/saran", data=data)


def _code(page: httpx.Response) -> str:
    return re.search(r'href="/saran/cek\?kode=([A-Z0-9]+)"', page.text).group(1)


def _cek(http: httpx.Client, code: str, digits: str = "") -> httpx.Response:
    page = http.get("/saran/cek")
    return http.post("/saran/cek", data={"_csrf_token": csrf_from(page.text), "kode": code,
                                         "digits": digits})


def _count(server: ServerProcess) -> int:
    return server.query("SELECT count(*) FROM complaints")[0][0]


def test_form_errors_honeypot_and_idempotent_submit(saran_server: ServerProcess) -> None:
    with citizen_at(saran_server, "203.0.113.1") as citizen:
        before = _count(saran_server)
        bad = _send(citizen, category="", text="pendek", phone="021-5551234",
                    name="Bu <b>Sri</b>")
        assert bad.status_code == 422
        assert 'id="category-error"' in bad.text and 'id="text-error"' in bad.text
        assert 'id="phone-error"' in bad.text and "bukan nomor HP" in bad.text
        assert 'aria-describedby="text-error"' in bad.text
        assert ">pendek</textarea>" in bad.text  # what was typed is kept ...
        assert 'value="Bu &lt;b&gt;Sri&lt;/b&gt;"' in bad.text  # ... escaped
        bot = _send(citizen, website="http://spam.example")
        assert bot.status_code == 200 and "Terima kasih" in bot.text
        assert "data-complaint-code" not in bot.text
        assert _count(saran_server) == before

        page = citizen.get("/saran")
        data = {"_csrf_token": csrf_from(page.text), "client_id": str(uuid.uuid4()),
                "category": "jadwal", "text": "Mohon jadwal mobil keliling diumumkan."}
        first = citizen.post("/saran", data=data)
        again = citizen.post("/saran", data=data)  # the connection dropped: sent again
        assert first.status_code == again.status_code == 201
        assert _code(first) == _code(again)
        assert _count(saran_server) == before + 1


def test_anonymous_code_shows_only_status_and_reply_with_phone_also_the_text(
    saran_server: ServerProcess
) -> None:
    secret = "Saya melapor <script>alert(1)</script> pungutan di lokasi."
    with citizen_at(saran_server, "203.0.113.2") as citizen:
        anon = _code(_send(citizen, text=secret))
        with_phone = _code(_send(citizen, text="Nomor saya: mohon dihubungi soal OSS.",
                                 category="oss", phone="0812-3456-7890"))
        shown = _cek(citizen, anon)
        assert shown.status_code == 200
        assert "Diterima" in shown.text and "pungutan" not in shown.text
        assert _cek(citizen, with_phone).status_code == 404  # its digits are needed
        assert _cek(citizen, with_phone, "0000").status_code == 404
        mine = _cek(citizen, with_phone, "7890")
        assert mine.status_code == 200 and "mohon dihubungi soal OSS" in mine.text
        assert _cek(citizen, "ABC-DEFX").status_code in (404, 422)

    with client(saran_server.url) as admin:
        assert login(admin, *ADMIN).status_code == 303
        inbox = admin.get("/admin/saran")
        assert inbox.status_code == 200 and f'data-complaint="{anon}"' in inbox.text
        assert "0812-3456-7890" not in inbox.text and "6281234567890" not in inbox.text
        detail = admin.get(f"/admin/saran/{anon}")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail.text
        assert "<script>alert(1)" not in detail.text
        token = csrf_from(detail.text)
        staff_id = re.search(r'<option value="(\d+)"', detail.text).group(1)
        assert admin.post(f"/admin/saran/{anon}/tugaskan",
                          data={"_csrf_token": token, "user_id": staff_id}).status_code == 303
        empty = admin.post(f"/admin/saran/{anon}/jawab", data={"_csrf_token": token,
                                                               "reply": "  "})
        assert empty.status_code == 422 and 'id="reply-error"' in empty.text
        reply = "Terima kasih. Kami sudah menegur <petugas> terkait & menindaklanjuti."
        assert admin.post(f"/admin/saran/{anon}/jawab",
                          data={"_csrf_token": token, "reply": reply}).status_code == 303
        bad_lapor = admin.post(f"/admin/saran/{anon}/lapor",
                               data={"_csrf_token": token, "lapor_number": "<x>"})
        assert bad_lapor.status_code == 422
        assert admin.post(f"/admin/saran/{anon}/lapor",
                          data={"_csrf_token": token, "lapor_number": "lpr-2026-001"}
                          ).status_code == 303
        assert admin.post(f"/admin/saran/{anon}/tutup",
                          data={"_csrf_token": token}).status_code == 303
        # The reply to a complaint with a number goes out on WhatsApp too.
        admin.post(f"/admin/saran/{with_phone}/jawab",
                   data={"_csrf_token": token, "reply": "Petugas OSS akan menelepon Anda."})
        wa = re.search(r'href="(https://wa\.me/[^"]+)"[^>]*data-wa-reply',
                       admin.get(f"/admin/saran/{with_phone}").text).group(1)
        parts = urlsplit(html.unescape(wa))
        assert parts.path == "/6281234567890"
        assert "Petugas OSS akan menelepon Anda." in parse_qs(parts.query)["text"][0]

    with citizen_at(saran_server, "203.0.113.3") as citizen:
        answered = _cek(citizen, anon)
        assert "Selesai" in answered.text
        assert ("Terima kasih. Kami sudah menegur &lt;petugas&gt; terkait &amp; "
                "menindaklanjuti.") in answered.text
        assert "LPR-2026-001" in answered.text and "pungutan" not in answered.text
    assert saran_server.query(
        "SELECT status, assigned_to IS NOT NULL, lapor_number FROM complaints WHERE code = ?",
        anon) == [("closed", 1, "LPR-2026-001")]
    assert saran_server.query(
        "SELECT count(*) FROM audit_log WHERE action LIKE 'complaint.%'")[0][0] >= 4


def test_overdue_against_five_working_days(saran_server: ServerProcess) -> None:
    with citizen_at(saran_server, "203.0.113.4") as citizen:
        old = _code(_send(citizen, text="Keluhan lama yang belum dijawab kantor."))
        fresh = _code(_send(citizen, text="Keluhan baru hari ini, belum dijawab."))
    # The old one was received three weeks ago (injected into the stored day): its five
    # working days are long gone.
    received = wib_today() - timedelta(days=21)
    conn = sqlite3.connect(saran_server.db_path)
    with conn:
        conn.execute("UPDATE complaints SET received_day = ? WHERE code = ?",
                     (received.isoformat(), old))
    conn.close()
    due = add_working_days(received, 5).strftime("%d-%m-%Y")
    with client(saran_server.url) as admin:
        assert login(admin, *ADMIN).status_code == 303
        inbox = admin.get("/admin/saran").text
    row = lambda code: re.search(rf'data-complaint="{code}">(.*?)</tr>', inbox, re.S).group(1)  # noqa: E731
    assert f"Terlambat (batas {due})" in row(old)
    assert "data-overdue" not in row(fresh) and "hari kerja lagi" in row(fresh)


def test_limits_per_phone_and_per_client(saran_server: ServerProcess) -> None:
    with citizen_at(saran_server, "203.0.113.5") as citizen:
        phone = "0813-1111-2222"
        assert _send(citizen, phone=phone).status_code == 201
        assert _send(citizen, phone=phone).status_code == 201
        third = _send(citizen, phone=phone)
        assert third.status_code == 429 and "Nomor WhatsApp ini" in third.text
        assert _send(citizen, phone="0813-9999-0000").status_code == 201  # another number
        codes = [_send(citizen).status_code for _ in range(6)]
        assert codes == [201] * 4 + [429] * 2  # 8 submissions a day from one client
        with citizen_at(saran_server, "203.0.113.99") as neighbour:  # another client
            assert _send(neighbour).status_code == 201
    assert saran_server.query("SELECT count(*) FROM complaints WHERE phone = '6281311112222'"
                              ) == [(2,)]
