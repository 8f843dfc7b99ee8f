"""The office's holiday list over real HTTP: an admin adds one, pastes a year's list and
deletes one (each audited); the complaints' clock skips the holidays on /admin/saran; the
round form warns (and still saves) on a holiday; other roles are refused."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta

import httpx
import pytest

from app.clock import wib_today
from app.domain.complaints import add_working_days, is_working_day
from tests.integration.rounds_support import admin_client, day, post_form, round_form
from tests.support import OFFICER, ServerProcess, client, csrf_from, login

YEAR = 2031  # a year no other test here touches


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("libur"))
    proc.seed()
    proc.start()
    yield proc
    proc.kill()


@pytest.fixture
def admin(server: ServerProcess) -> Iterator[httpx.Client]:
    with closing(admin_client(server.url)) as http:
        yield http


def add(http: httpx.Client, day_: str, name: str, kind: str = "nasional") -> httpx.Response:
    return post_form(http, "/admin/libur", "/admin/libur",
                     {"day": day_, "name": name, "kind": kind, "year": day_[:4]})


def holidays_of(server: ServerProcess, year: int) -> list[tuple[str, str, str]]:
    return server.query("SELECT date, name, kind FROM holidays WHERE date LIKE ?"
                        " ORDER BY date", f"{year}-%")


def audited(server: ServerProcess, action: str) -> list[tuple[str, str]]:
    return server.query("SELECT target_id, detail FROM audit_log WHERE action = ? ORDER BY id",
                        action)


def test_admin_adds_one_with_errors_shown_and_nothing_typed_lost(
    server: ServerProcess, admin: httpx.Client
) -> None:
    # nothing is seeded: the office enters the year's SKB list itself
    assert server.query("SELECT count(*) FROM holidays") == [(0,)]
    page = admin.get(f"/admin/libur?tahun={YEAR}")
    assert page.status_code == 200
    assert "SKB (Surat Keputusan Bersama)" in page.text
    assert f"Belum ada hari libur tahun {YEAR}" in page.text

    bad = add(admin, f"{YEAR}-02-30", "Hari <Raya> Uji", "daerah")
    assert bad.status_code == 422
    assert 'id="libur-day-error"' in bad.text and 'aria-describedby="libur-day-error"' in bad.text
    assert 'value="Hari &lt;Raya&gt; Uji"' in bad.text  # kept, escaped
    assert '<option value="daerah" selected>' in bad.text
    no_name = add(admin, f"{YEAR}-05-20", "  ")
    assert no_name.status_code == 422 and 'id="libur-name-error"' in no_name.text
    assert f'value="{YEAR}-05-20"' in no_name.text
    assert holidays_of(server, YEAR) == []

    done = add(admin, f"{YEAR}-05-20", "  Hari   Jadi Uji ", "daerah")
    assert done.status_code == 303
    assert done.headers["location"] == f"/admin/libur?tahun={YEAR}&selesai=tambah"
    listed = admin.get(done.headers["location"]).text
    row = re.search(rf'data-holiday="{YEAR}-05-20">(.*?)</tr>', listed, re.S).group(1)
    assert "Selasa, 20 Mei 2031" in row and "Hari Jadi Uji" in row and "Libur daerah" in row
    assert "Hari libur sudah ditambahkan." in listed

    again = add(admin, f"{YEAR}-05-20", "Hari lain")
    assert again.status_code == 422
    assert "Tanggal ini sudah ada di daftar: Hari Jadi Uji." in again.text
    assert holidays_of(server, YEAR) == [(f"{YEAR}-05-20", "Hari Jadi Uji", "daerah")]
    (_, detail), = audited(server, "holiday.added")
    assert detail == f"{YEAR}-05-20 Hari Jadi Uji (satu)"


def test_admin_pastes_a_year_list_and_sees_each_line(
    server: ServerProcess, admin: httpx.Client
) -> None:
    lines = "\n".join((
        f"{YEAR}-01-01 Tahun Baru Uji",
        f"{YEAR}-02-30 Tanggal yang tidak ada",
        f"{YEAR}-05-20 Sudah ada",
        "Tanpa tanggal",
        f"{YEAR + 1}-01-01 Tahun berikutnya",
        f"{YEAR}-06-02 Cuti Uji",
    ))
    add(admin, f"{YEAR}-05-20", "Hari Jadi Uji", "daerah")  # already there after the test above
    before = len(audited(server, "holiday.added"))
    answer = post_form(admin, f"/admin/libur?tahun={YEAR}", "/admin/libur/tempel",
                       {"lines": lines, "kind": "cuti_bersama", "year": str(YEAR)})
    assert answer.status_code == 200
    outcomes = dict(re.findall(r'data-line="(\d+)" data-outcome="(\w+)"', answer.text))
    assert outcomes == {"1": "added", "2": "refused", "3": "refused", "4": "refused",
                        "5": "refused", "6": "added"}
    assert "2 dari 6 baris ditambahkan." in answer.text
    assert "Tanggal ini sudah ada di daftar: Hari Jadi Uji." in answer.text
    assert f"Tanggal ini bukan tahun {YEAR}." in answer.text
    # the refused lines are back in the box; the added ones are in the list
    box = re.search(r'<textarea id="tempel-lines"[^>]*>(.*?)</textarea>', answer.text,
                    re.S).group(1)
    assert box.splitlines() == [f"{YEAR}-02-30 Tanggal yang tidak ada",
                                f"{YEAR}-05-20 Sudah ada", "Tanpa tanggal",
                                f"{YEAR + 1}-01-01 Tahun berikutnya"]
    assert f'data-holiday="{YEAR}-06-02"' in answer.text
    assert (f"{YEAR}-01-01", "Tahun Baru Uji", "cuti_bersama") in holidays_of(server, YEAR)
    assert (f"{YEAR}-06-02", "Cuti Uji", "cuti_bersama") in holidays_of(server, YEAR)
    assert len(audited(server, "holiday.added")) == before + 2

    empty = post_form(admin, f"/admin/libur?tahun={YEAR}", "/admin/libur/tempel",
                      {"lines": " \n", "kind": "nasional", "year": str(YEAR)})
    assert empty.status_code == 422 and 'id="tempel-lines-error"' in empty.text


def test_admin_deletes_after_a_confirmation(server: ServerProcess, admin: httpx.Client) -> None:
    assert add(admin, f"{YEAR}-11-11", "Libur Hapus Uji").status_code == 303
    (holiday_id,), = server.query("SELECT id FROM holidays WHERE date = ?", f"{YEAR}-11-11")
    listed = admin.get(f"/admin/libur?tahun={YEAR}").text
    assert f'href="/admin/libur/{holiday_id}/hapus"' in listed
    confirm = admin.get(f"/admin/libur/{holiday_id}/hapus")
    assert confirm.status_code == 200
    assert "Hapus hari libur?" in confirm.text and "Libur Hapus Uji" in confirm.text
    assert f'action="/admin/libur/{holiday_id}/hapus"' in confirm.text
    assert server.query("SELECT count(*) FROM holidays WHERE id = ?", holiday_id) == [(1,)]
    # without the form's CSRF token: refused, nothing deleted
    assert admin.post(f"/admin/libur/{holiday_id}/hapus").status_code == 403
    assert server.query("SELECT count(*) FROM holidays WHERE id = ?", holiday_id) == [(1,)]
    gone = admin.post(f"/admin/libur/{holiday_id}/hapus",
                      data={"_csrf_token": csrf_from(confirm.text)})
    assert gone.status_code == 303
    assert gone.headers["location"] == f"/admin/libur?tahun={YEAR}&selesai=hapus"
    assert server.query("SELECT count(*) FROM holidays WHERE id = ?", holiday_id) == [(0,)]
    assert audited(server, "holiday.deleted")[-1] == (str(holiday_id),
                                                      f"{YEAR}-11-11 Libur Hapus Uji")
    assert admin.get(f"/admin/libur/{holiday_id}/hapus").status_code == 404
    log = admin.get("/admin/audit", params={"aksi": "holiday.deleted"})
    assert log.status_code == 200 and "Hari libur dihapus" in log.text


def _due(page: str, code: str) -> str:
    row = re.search(rf'data-complaint="{code}">(.*?)</tr>', page, re.S).group(1)
    return re.search(r"Terlambat \(batas (\d\d-\d\d-\d{4})\)", row).group(1)


def test_a_holiday_moves_a_complaints_due_day_on_the_inbox(
    server: ServerProcess, admin: httpx.Client
) -> None:
    with closing(client(server.url)) as citizen:
        page = citizen.get("/saran")
        sent = citizen.post("/saran", data={
            "_csrf_token": csrf_from(page.text), "client_id": str(uuid.uuid4()),
            "category": "pelayanan", "text": "Antrean di balai desa lama sekali."})
    assert sent.status_code == 201
    code = re.search(r'href="/saran/cek\?kode=([A-Z0-9]+)"', sent.text).group(1)
    # received four weeks ago (injected into the stored day): long overdue either way
    received = wib_today() - timedelta(days=28)
    conn = sqlite3.connect(server.db_path)
    with conn:
        conn.execute("UPDATE complaints SET received_day = ? WHERE code = ?",
                     (received.isoformat(), code))
    conn.close()
    holiday = received + timedelta(days=1)
    while not is_working_day(holiday):
        holiday += timedelta(days=1)
    without = add_working_days(received, 5)
    with_holiday = add_working_days(received, 5, {holiday})
    assert with_holiday == add_working_days(without, 1)  # one working day later

    assert _due(admin.get("/admin/saran").text, code) == f"{without:%d-%m-%Y}"
    assert add(admin, holiday.isoformat(), "Libur Daerah Uji", "daerah").status_code == 303
    inbox = admin.get("/admin/saran").text
    assert _due(inbox, code) == f"{with_holiday:%d-%m-%Y}"
    assert 'href="/admin/libur"' in inbox
    detail = admin.get(f"/admin/saran/{code}").text
    assert f"Terlambat: batas {with_holiday:%d-%m-%Y}" in detail


def test_the_round_form_warns_on_a_holiday_and_still_saves(
    server: ServerProcess, admin: httpx.Client
) -> None:
    holiday = day(12)
    assert add(admin, holiday, "Cuti Bersama Uji", "cuti_bersama").status_code == 303
    warned = admin.get("/admin/libur/cek", params={"day": holiday})
    assert warned.status_code == 200
    assert "data-holiday-warning" in warned.text
    assert "Cuti bersama: Cuti Bersama Uji" in warned.text
    assert "data-holiday-warning" not in admin.get("/admin/libur/cek",
                                                   params={"day": day(13)}).text
    assert "data-holiday-warning" not in admin.get("/admin/libur/cek",
                                                   params={"day": "bukan"}).text
    form = admin.get("/admin/jadwal/baru").text
    assert 'hx-get="/admin/libur/cek"' in form and "data-holiday-warning" not in form

    # a warning, not a refusal: the round on the holiday is saved
    saved = post_form(admin, "/admin/jadwal/baru", "/admin/jadwal/baru", round_form(12))
    assert saved.status_code == 303
    round_page = admin.get(saved.headers["location"]).text
    assert "Cuti Bersama Uji" in round_page and "data-holiday-warning" in round_page
    round_id = saved.headers["location"].split("/")[3].split("?")[0]
    edit = admin.get(f"/admin/jadwal/{round_id}/ubah").text
    assert "data-holiday-warning" in edit and "Cuti Bersama Uji" in edit
    # a form sent back with an error keeps warning about the date typed
    wrong = post_form(admin, "/admin/jadwal/baru", "/admin/jadwal/baru",
                      round_form(12, place=""))
    assert wrong.status_code == 422 and "Cuti Bersama Uji" in wrong.text
    other = post_form(admin, "/admin/jadwal/baru", "/admin/jadwal/baru", round_form(13))
    assert other.status_code == 303
    assert "data-holiday-warning" not in admin.get(other.headers["location"]).text


def test_other_roles_are_refused(server: ServerProcess) -> None:
    with closing(client(server.url)) as anonymous:
        assert anonymous.get("/admin/libur").status_code == 303
        assert anonymous.get("/admin/libur").headers["location"].startswith("/masuk?next=")
    with closing(client(server.url)) as officer:
        assert login(officer, *OFFICER).status_code == 303
        page = officer.get("/admin/libur")
        assert page.status_code == 403
        token = csrf_from(officer.get("/petugas").text)
        refused = officer.post("/admin/libur", data={
            "_csrf_token": token, "day": f"{YEAR}-09-09", "name": "Bukan admin",
            "kind": "nasional"})
        assert refused.status_code == 403
        assert officer.get("/admin/libur/cek", params={"day": f"{YEAR}-09-09"}
                           ).status_code == 403
    assert server.query("SELECT count(*) FROM holidays WHERE date = ?",
                        f"{YEAR}-09-09") == [(0,)]

