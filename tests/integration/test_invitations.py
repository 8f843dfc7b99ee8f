"""Inviting the car, end to end over HTTP: the public form with its code, idempotent
resubmission, the honeypot, limits per number and per client, the admin's answers (accept
into a draft round, propose, decline) with a WhatsApp hand-off, and /undang/cek."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from urllib.parse import unquote

import httpx
import pytest

from tests.integration.rounds_support import DESA, KEC, admin_client, day, post_form
from tests.support import ServerProcess, client, visible_text

CODE = re.compile(r'data-code="(U-[A-Z0-9]{3}-[A-Z0-9]{4})"')


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("undang"))
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


def invitation(phone: str = "0812-3456-7890", **changes: str) -> dict[str, str]:
    return {"name": "Sutrisno", "role": "Kepala Desa", "organisation": "Pemerintah Desa Jaten",
            "phone": phone, "kecamatan": KEC, "desa": DESA, "place": "Balai Desa Jaten",
            "date1": day(15), "date2": day(16), "when": "malam", "expected": "40",
            "note": "Banyak pedagang pasar malam.", "client_id": str(uuid.uuid4()), **changes}


def send(http: httpx.Client, data: dict[str, str]) -> httpx.Response:
    return post_form(http, "/undang", "/undang", data)


def check(http: httpx.Client, code: str, digits: str) -> httpx.Response:
    return post_form(http, "/undang/cek", "/undang/cek", {"kode": code, "digits": digits})


def count(srv: ServerProcess) -> int:
    return srv.query("SELECT count(*) FROM invitations")[0][0]


def test_invitation_flow_with_limits_answers_and_lookup(srv: ServerProcess) -> None:
    http = client(srv.url)
    page = http.get("/undang")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    # field errors next to their fields, values kept
    r = send(http, invitation(phone="12345", date1="2001-01-01", date2=""))
    assert r.status_code == 422
    text = visible_text(r.text)
    assert "Ini bukan nomor HP" in text or "Nomor HP" in text
    assert "Pilih tanggal mulai besok" in text and 'value="Balai Desa Jaten"' in r.text
    assert count(srv) == 0

    first = invitation()
    r = send(http, first)
    assert r.status_code == 200, r.text
    code = CODE.search(r.text).group(1)
    # the same form sent again (a double tap, a retry): the same code, one row
    again = send(http, first)
    assert CODE.search(again.text).group(1) == code and count(srv) == 1
    # the honeypot: a thank-you, nothing stored
    r = send(http, invitation(website="http://spam.example"))
    assert r.status_code == 200 and count(srv) == 1
    # an oversized body is refused before it is read
    r = send(http, invitation(note="x" * 9000))
    assert r.status_code == 413 and count(srv) == 1

    # per number: 3 a day
    for _ in range(3):
        assert send(http, invitation(phone="081299990000")).status_code == 200
    r = send(http, invitation(phone="081299990000"))
    assert r.status_code == 429 and "sudah mengirim 3 undangan hari ini" in r.text
    assert count(srv) == 4
    # per client: 5 an hour (the refused one above counted)
    r = send(http, invitation(phone="081377770000"))
    assert r.status_code == 429 and "Terlalu banyak undangan dari perangkat ini" in r.text
    assert "retry-after" in r.headers and count(srv) == 4

    # the lookup: same answer for an unknown code and for wrong digits
    r = check(http, code, "7890")
    assert r.status_code == 200 and "Sedang ditinjau" in r.text
    wrong, unknown = check(http, code, "0000"), check(http, "U-222-2222", "7890")
    assert wrong.status_code == unknown.status_code == 404
    assert visible_text(wrong.text) == visible_text(unknown.text)
    assert code not in wrong.text

    admin = admin_client(srv.url)
    inbox = admin.get("/admin/undangan")
    assert code in inbox.text
    assert "6281234567890" not in inbox.text  # numbers masked in the list
    ((first_id,),) = srv.query("SELECT id FROM invitations WHERE phone = '6281234567890'")
    r = post_form(admin, f"/admin/undangan/{first_id}", f"/admin/undangan/{first_id}/terima",
                  {})
    assert r.status_code == 303
    round_id = int(r.headers["location"].split("/")[3])
    assert srv.query("SELECT status, day, start_time, kecamatan, desa, place, invitation_id"
                     " FROM rounds WHERE id = ?", round_id) == [
        ("draft", day(15), "19:00", KEC, DESA, "Balai Desa Jaten", first_id)]
    assert srv.query("SELECT status, round_id FROM invitations WHERE id = ?", first_id) == [
        ("accepted", round_id)]
    detail = admin.get(f"/admin/undangan/{first_id}")
    link = re.search(r'href="(https://wa\.me/6281234567890\?text=[^"]+)"', detail.text)
    assert link and "Diterima" in unquote(link.group(1)) and code in unquote(link.group(1))
    r = check(http, code, "7890")
    assert "Diterima" in r.text and "dijadwalkan hadir" in r.text

    # propose another date to one, decline another; each with its message beside the field
    others = [i for (i,) in srv.query(
        "SELECT id FROM invitations WHERE phone = '6281299990000' ORDER BY id")]
    r = post_form(admin, f"/admin/undangan/{others[0]}", f"/admin/undangan/{others[0]}/usulkan",
                  {"proposed_day": day(30), "message": "ok"})
    assert r.status_code == 422 and "Tulis pesan untuk pengundang" in r.text
    r = post_form(admin, f"/admin/undangan/{others[0]}", f"/admin/undangan/{others[0]}/usulkan",
                  {"proposed_day": day(30), "message": "Tanggal itu mobil sudah terjadwal."})
    assert r.status_code == 303
    r = post_form(admin, f"/admin/undangan/{others[1]}", f"/admin/undangan/{others[1]}/tolak",
                  {"reason": "Lokasi sudah dilayani minggu lalu."})
    assert r.status_code == 303
    assert srv.query("SELECT status, proposed_day FROM invitations WHERE id IN (?, ?)"
                     " ORDER BY id", others[0], others[1]) == [
        ("proposed", day(30)), ("declined", None)]
    (proposed_code,) = srv.query("SELECT code FROM invitations WHERE id = ?", others[0])[0]
    r = check(http, proposed_code, "0000")
    assert "Diusulkan tanggal lain" in r.text and "mobil sudah terjadwal" in r.text
    # an answered invitation cannot be answered again
    r = post_form(admin, f"/admin/undangan/{others[1]}", f"/admin/undangan/{others[1]}/tolak",
                  {"reason": "Sekali lagi ditolak."})
    assert r.status_code == 422 and "sudah dijawab" in r.text
    admin.close()
    http.close()
