"""The partner agencies' desk over real HTTP (issue 13): a mitra account works only its own
agency's referrals, records the outcome with its reference number, the applicant sees it
on the status page, the NIK is shown (and its view logged) only where the service needs
it; the officer adds referrals; the admin edits services; the UMK letter; the referrals
panel and export."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openpyxl
import pytest

from app.domain.nik import mask_nik
from tests.integration.test_cli import run
from tests.integration.test_oss_support import nik_for
from tests.support import (
    ADMIN,
    ServerProcess,
    application,
    client,
    csrf_from,
    login,
    new_key,
    officer_client,
    post_application,
    visible_text,
)

PASSWORD = "kebun-kopi-wlingi-pagi"


@dataclass
class Desk:
    http: httpx.Client
    token: str
    username: str


def agency_id(server: ServerProcess, code: str) -> int:
    return server.query("SELECT id FROM agencies WHERE code = ?", code)[0][0]


def referral_id(server: ServerProcess, tracking_code: str, service: str) -> int:
    return server.query(
        "SELECT r.id FROM referrals r JOIN agency_services s ON s.id = r.service_id"
        " JOIN applications a ON a.id = r.application_id"
        " WHERE a.tracking_code = ? AND s.code = ?", tracking_code, service)[0][0]


def new_mitra(server: ServerProcess, admin: httpx.Client, agency: str) -> Desk:
    name = f"mitra{uuid.uuid4().hex[:6]}"
    token = csrf_from(admin.get("/admin/pengguna").text)
    r = admin.post("/admin/pengguna", data={
        "_csrf_token": token, "username": name, "full_name": f"Petugas {agency}",
        "role": "mitra", "agency_id": str(agency_id(server, agency)), "password": PASSWORD})
    assert r.status_code == 303, r.text
    http = client(server.url)
    assert login(http, name, PASSWORD).status_code == 303
    return Desk(http, csrf_from(http.get("/akun").text), name)


@dataclass
class World:
    admin: httpx.Client
    officer: httpx.Client
    kpp: Desk  # NPWP (needs the NIK)
    kemenag: Desk  # halal (needs the NIK)
    dinkopum: Desk  # trademark (no NIK)
    code: str  # an application referred to npwp, halal and merek
    nik: str
    other: str  # an application referred to halal only


@pytest.fixture(scope="module")
def world(server: ServerProcess) -> Iterator[World]:
    admin = client(server.url)
    assert login(admin, *ADMIN).status_code == 303
    officer = officer_client(server.url)
    nik = nik_for(7301)
    r = post_application(officer, new_key(), application(
        nik=nik, name="Rahayu Lestari", business_name="Keripik Tempe Bu Rahayu",
        phone="0813-2222-4444", referrals=["npwp", "halal", "merek"]))
    assert r.status_code == 201, r.text
    other = post_application(officer, new_key(), application(
        nik=nik_for(7302), business_name="Jamu Gendong Mbak Sri", referrals=["halal"]))
    assert other.status_code == 201, other.text
    desks = [new_mitra(server, admin, code) for code in ("kpp", "kemenag", "dinkopum")]
    yield World(admin, officer, *desks, r.json()["tracking_code"], nik,
                other.json()["tracking_code"])
    for h in (admin, officer, *(d.http for d in desks)):
        h.close()


def nik_views(server: ServerProcess) -> list[tuple[str, str, str]]:
    return server.query("SELECT username, target_id, detail FROM audit_log"
                        " WHERE action = 'nik.view' ORDER BY id")


def status_page(server: ServerProcess, code: str, phone_last4: str) -> httpx.Response:
    with client(server.url) as citizen:
        token = csrf_from(citizen.get("/cek").text)
        return citizen.post("/cek", data={"_csrf_token": token, "kode": code,
                                          "digits": phone_last4})


def test_a_mitra_sees_only_its_agency_and_no_staff_pages(
        server: ServerProcess, world: World) -> None:
    desk = world.dinkopum.http
    page = desk.get("/mitra")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Keripik Tempe Bu Rahayu" in text and "Merek dagang UMK" in text
    assert "Jamu Gendong" not in text  # referred to halal only: another agency's
    assert world.nik not in page.text  # no NIK at all for a service that does not need it
    assert "62813••••4444" in text and "6281322224444" not in page.text  # WhatsApp masked
    own = referral_id(server, world.code, "merek")
    assert desk.get(f"/mitra/rujukan/{own}").status_code == 200
    for service, code in (("halal", world.code), ("npwp", world.code),
                          ("halal", world.other)):
        theirs = referral_id(server, code, service)
        assert desk.get(f"/mitra/rujukan/{theirs}").status_code == 404
        assert desk.post(f"/mitra/rujukan/{theirs}", data={
            "_csrf_token": world.dinkopum.token, "status": "done",
            "reference_number": "X-1"}).status_code == 404
        assert desk.get(f"/mitra/rujukan/{theirs}/surat-merek").status_code == 404
    assert desk.get("/mitra/rujukan/99999999").status_code == 404
    for path in ("/petugas", "/petugas/daftar", f"/petugas/permohonan/{world.code}",
                 "/admin/pengguna", "/admin/statistik", "/admin/mitra"):
        assert desk.get(path).status_code == 403, path
    assert server.query("SELECT status FROM referrals WHERE id = ?",
                        referral_id(server, world.other, "halal")) == [("requested",)]
    # the desk lists by outcome and by round
    assert "Keripik" not in desk.get("/mitra", params={"status": "done"}).text


def test_the_outcome_recorded_by_the_agency_shows_on_the_status_page(
        server: ServerProcess, world: World) -> None:
    halal = referral_id(server, world.code, "halal")
    url = f"/mitra/rujukan/{halal}"
    http, token = world.kemenag.http, world.kemenag.token
    missing = http.post(url, data={"_csrf_token": token, "status": "done",
                                   "reference_number": ""})
    assert missing.status_code == 422 and "Isi Nomor STTD" in missing.text
    bad = http.post(url, data={"_csrf_token": token, "status": "selesai-lah"})
    assert bad.status_code == 422 and "Pilih hasil layanan" in bad.text
    done = http.post(url, data={"_csrf_token": token, "status": "done",
                                "reference_number": "STTD-2026/0042", "note": "Ikrar diambil"})
    assert done.status_code == 303, done.text
    assert server.query("SELECT status, reference_number, updated_by FROM referrals"
                        " WHERE id = ?", halal) == [("done", "STTD-2026/0042",
                                                     world.kemenag.username)]
    page = status_page(server, world.code, "4444")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Sertifikat halal (self-declare)" in text and "Selesai" in text
    assert "Nomor STTD: STTD-2026/0042" in text
    assert "Menunggu dilayani" in text  # npwp and merek not yet served
    assert "Ikrar diambil" not in text  # the agency's note is not the applicant's page
    assert world.nik not in page.text
    # the officer's application page shows the states too
    officer_page = visible_text(world.officer.get(f"/petugas/permohonan/{world.code}").text)
    assert "STTD-2026/0042" in officer_page


def test_npwp_reference_is_checked_and_masked_for_the_applicant(
        server: ServerProcess, world: World) -> None:
    npwp = referral_id(server, world.code, "npwp")
    url = f"/mitra/rujukan/{npwp}"
    http, token = world.kpp.http, world.kpp.token
    wrong = http.post(url, data={"_csrf_token": token, "status": "done",
                                 "reference_number": "12.345"})
    assert wrong.status_code == 422 and "NPWP harus 15 angka" in wrong.text
    other_nik = http.post(url, data={"_csrf_token": token, "status": "done",
                                     "reference_number": nik_for(7399)})
    assert other_nik.status_code == 422 and "sama dengan NIK" in other_nik.text
    ok = http.post(url, data={"_csrf_token": token, "status": "done",
                              "reference_number": world.nik})
    assert ok.status_code == 303
    assert server.query("SELECT reference_number FROM referrals WHERE id = ?", npwp) == [
        (world.nik,)]
    page = status_page(server, world.code, "4444")
    assert "NPWP (aktivasi NIK sebagai NPWP)" in page.text
    assert world.nik not in page.text and world.nik[-4:] in page.text


def test_the_nik_view_is_logged_only_where_the_service_needs_it(
        server: ServerProcess, world: World) -> None:
    (app_id,), = server.query("SELECT id FROM applications WHERE tracking_code = ?",
                              world.code)
    before = len(nik_views(server))
    page = world.kemenag.http.get(f"/mitra/rujukan/{referral_id(server, world.code, 'halal')}")
    assert page.status_code == 200 and world.nik in page.text
    views = nik_views(server)
    assert views[before:] == [(world.kemenag.username, str(app_id), "meja mitra")]
    merek = world.dinkopum.http.get(f"/mitra/rujukan/{referral_id(server, world.code, 'merek')}")
    assert merek.status_code == 200 and world.nik not in merek.text
    listing = world.kemenag.http.get("/mitra")
    assert world.nik not in listing.text and mask_nik(world.nik) in listing.text
    assert len(nik_views(server)) == before + 1


def test_the_officer_adds_referrals_and_the_ones_present_stay(
        server: ServerProcess, world: World) -> None:
    page = world.officer.get(f"/petugas/permohonan/{world.other}")
    assert 'name="referrals" value="pirt"' in page.text
    assert 'name="referrals" value="halal"' not in page.text  # already referred
    token = csrf_from(page.text)
    r = world.officer.post(f"/petugas/permohonan/{world.other}/layanan-mitra",
                           data={"_csrf_token": token,
                                 "referrals": ["pirt", "halal", "bpjs_tk", "pinjol"]})
    assert r.status_code == 303
    rows = server.query(
        "SELECT s.code, r.status FROM referrals r JOIN agency_services s ON s.id = r.service_id"
        " JOIN applications a ON a.id = r.application_id WHERE a.tracking_code = ?"
        " ORDER BY s.code", world.other)
    assert rows == [("bpjs_tk", "requested"), ("halal", "requested"), ("pirt", "requested")]
    # another officer's application is not theirs to refer (the admin's roles test has B)
    assert world.kpp.http.post(f"/petugas/permohonan/{world.other}/layanan-mitra",
                               data={"_csrf_token": world.kpp.token,
                                     "referrals": ["npwp"]}).status_code == 403


def test_umk_letter_from_the_application_and_from_the_cooperative_desk(
        server: ServerProcess, world: World) -> None:
    app_page = world.officer.get(f"/petugas/permohonan/{world.code}")
    assert f"/petugas/permohonan/{world.code}/surat-merek" in app_page.text
    merek = referral_id(server, world.code, "merek")
    assert f"/mitra/rujukan/{merek}/surat-merek" in world.dinkopum.http.get(
        f"/mitra/rujukan/{merek}").text
    for http, url in ((world.officer, f"/petugas/permohonan/{world.code}/surat-merek"),
                      (world.dinkopum.http, f"/mitra/rujukan/{merek}/surat-merek")):
        letter = http.get(url)
        assert letter.status_code == 200
        text = visible_text(letter.text)
        assert "Rahayu Lestari" in text and "Keripik Tempe Bu Rahayu" in text
        assert "Usaha Mikro" in text and "56102" in text
        assert re.search(r"Blitar, \w+, \d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|"
                         r"Agustus|September|Oktober|November|Desember) \d{4}", text)
        assert "css/letter.css" in letter.text
        assert world.nik not in letter.text
    # no trademark referral: no letter
    assert world.officer.get(f"/petugas/permohonan/{world.other}/surat-merek"
                             ).status_code == 404


def test_mitra_account_needs_its_agency(server: ServerProcess, world: World) -> None:
    token = csrf_from(world.admin.get("/admin/pengguna").text)
    r = world.admin.post("/admin/pengguna", data={
        "_csrf_token": token, "username": f"mitra{uuid.uuid4().hex[:6]}",
        "full_name": "Tanpa Instansi", "role": "mitra", "agency_id": "", "password": PASSWORD})
    assert r.status_code == 422
    assert 'id="new-agency_id-error"' in r.text and "satu instansi" in r.text
    (user_id,), = server.query("SELECT id FROM users WHERE username = ?", world.kpp.username)
    change = world.admin.post(f"/admin/pengguna/{user_id}/peran", data={
        "_csrf_token": token, "role": "mitra", "agency_id": "999"})
    assert change.status_code == 422 and 'id="agency_id-error"' in change.text
    assert server.query("SELECT agency_id FROM users WHERE id = ?", user_id) == [
        (agency_id(server, "kpp"),)]


def test_admin_edits_a_service_with_field_errors(server: ServerProcess, world: World) -> None:
    (service,), = server.query("SELECT id FROM agency_services WHERE code = 'pbg'")
    page = world.admin.get("/admin/mitra")
    assert page.status_code == 200 and "Konsultasi persetujuan bangunan gedung" in page.text
    token = csrf_from(page.text)
    bad = world.admin.post(f"/admin/mitra/layanan/{service}", data={
        "_csrf_token": token, "name": "X", "brings": "", "reference_label": "Nomor",
        "position": "abc", "active": "1"})
    assert bad.status_code == 422
    assert 'id="s' + str(service) + '-name-error"' in bad.text
    assert "satu per baris" in bad.text and "Urutan berupa angka" in bad.text
    ok = world.admin.post(f"/admin/mitra/layanan/{service}", data={
        "_csrf_token": token, "name": "Konsultasi PBG", "brings": "Gambar bangunan\n\nIMB lama",
        "reference_label": "Nomor konsultasi SIMBG", "position": "8", "active": "1",
        "needs_nik": ""})
    assert ok.status_code == 303
    assert server.query("SELECT name, brings, reference_label, needs_nik, active FROM"
                        " agency_services WHERE id = ?", service) == [
        ("Konsultasi PBG", "Gambar bangunan\nIMB lama", "Nomor konsultasi SIMBG", 0, 1)]
    assert server.query("SELECT count(*) FROM audit_log WHERE action = 'service.changed'"
                        " AND target_id = ?", str(service))[0][0] >= 1


def test_referrals_panel_and_export(server: ServerProcess, world: World) -> None:
    panel = world.admin.get("/admin/statistik")
    assert panel.status_code == 200
    section = panel.text.split('id="stat-rujukan"')[1].split("</section>")[0]
    assert "Kemenag / Halal" in section and "Dinas Koperasi dan UM" in section
    token = csrf_from(world.admin.get("/admin/statistik/ekspor").text)
    export = world.admin.post("/admin/statistik/ekspor", data={
        "_csrf_token": token, "jenis": "rujukan", "format": "csv", "dari": "2000-01",
        "sampai": "2099-12"})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == ["kode_pelacakan", "tanggal_daftar", "nama_usaha", "kecamatan", "sesi",
                       "layanan", "instansi", "hasil", "nomor_referensi", "diperbarui",
                       "diperbarui_oleh"]
    assert all(len(r) == len(rows[0]) for r in rows)
    (total,), = server.query("SELECT count(*) FROM referrals")
    assert len(rows) - 1 == total
    ours = {(r[0], r[5]): r for r in rows[1:] if r[0] == world.code}
    assert ours[(world.code, "Sertifikat halal (self-declare)")][7] == "Selesai"
    assert world.nik not in export.text and "Rahayu Lestari" not in export.text
    # the panel's summary equals a recount from the referrals (kept by triggers)
    kept = server.query("SELECT month, kecamatan, round_id, service_id, status, n FROM"
                        " stat_referral_cells WHERE n != 0 ORDER BY 1, 2, 3, 4, 5")
    recount = server.query(
        "SELECT substr(a.created_day, 1, 7), a.kecamatan, coalesce(a.round_id, 0),"
        " r.service_id, r.status, count(*) FROM referrals r JOIN applications a"
        " ON a.id = r.application_id GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5")
    assert kept == recount


def test_cli_creates_a_mitra_only_with_its_agency(tmp_path: Path) -> None:
    env = {"JBM_NEW_PASSWORD": PASSWORD}
    refused = run(tmp_path, "create-user", "dinkes1", "--name", "Petugas Dinkes",
                  "--role", "mitra", **env)
    assert refused.returncode == 2 and "--agency" in refused.stderr
    unknown = run(tmp_path, "create-user", "dinkes1", "--name", "Petugas Dinkes",
                  "--role", "mitra", "--agency", "dinas-antah", **env)
    assert unknown.returncode == 2 and "dinkes" in unknown.stderr
    made = run(tmp_path, "create-user", "dinkes1", "--name", "Petugas Dinkes",
               "--role", "mitra", "--agency", "dinkes", **env)
    assert made.returncode == 0, made.stderr
    conn = sqlite3.connect(tmp_path / "jbm.sqlite3")
    try:
        assert conn.execute("SELECT u.role, a.code FROM users u JOIN agencies a"
                            " ON a.id = u.agency_id WHERE u.username = 'dinkes1'"
                            ).fetchall() == [("mitra", "dinkes")]
    finally:
        conn.close()


def test_referrals_xlsx_export_reads_back(server: ServerProcess, world: World) -> None:
    token = csrf_from(world.admin.get("/admin/statistik/ekspor").text)
    started = world.admin.post("/admin/statistik/ekspor", data={
        "_csrf_token": token, "jenis": "rujukan", "format": "xlsx", "dari": "2000-01",
        "sampai": "2099-12"})
    assert started.status_code == 303
    deadline = time.monotonic() + 20
    while True:
        part = world.admin.get(started.headers["location"], headers={"HX-Request": "true"})
        state = re.search(r'data-export-state="(\w+)"', part.text).group(1)
        if state != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert state == "done", part.text
    file = world.admin.get(re.search(r'href="([^"]+/unduh)"', part.text).group(1))
    rows = list(openpyxl.load_workbook(io.BytesIO(file.content), read_only=True)
                .active.iter_rows(values_only=True))
    assert rows[0][:2] == ("kode_pelacakan", "tanggal_daftar") and len(rows[0]) == 11
    assert len(rows) - 1 == server.query("SELECT count(*) FROM referrals")[0][0]
    assert world.nik not in str(rows)
