"""The statistics pages and exports over real HTTP against the real server: admin only,
the public page hides small cells, exports are complete and well-formed (CSV streamed,
XLSX read back with openpyxl), the full-NIK export is audited."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator

import httpx
import openpyxl
import pytest

from app.reference.regions import Regions
from tests.support import (
    ADMIN,
    NIK_RUN,
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

WONODADI, KANIGORO = "35.05.01", "35.05.10"
KANIGORO_DESA = Regions.load().desa_of(KANIGORO)[0].code
NIKS_WOMEN = ["3505014507900012", "3505015203850007", "3505016101700001"]
NIKS_MEN = ["3505011507900013", "3505012011880003", "3505011212600002"]


@pytest.fixture(scope="module")
def stats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Its own server: 3 applications in Wonodadi (women), 6 in Kanigoro (men)."""
    proc = ServerProcess(tmp_path_factory.mktemp("statistik"))
    proc.seed()
    proc.start()
    officer = officer_client(proc.url)
    for nik in NIKS_WOMEN:
        assert post_application(officer, new_key(), application(nik=nik)).status_code == 201
    for nik in NIKS_MEN * 2:
        body = application(nik=nik, kecamatan=KANIGORO, desa=KANIGORO_DESA, kbli=["47111"],
                           workers_male=1, workers_female=0)
        assert post_application(officer, new_key(), body).status_code == 201
    officer.close()
    yield proc
    proc.stop()


@pytest.fixture
def admin(stats_server: ServerProcess) -> Iterator[httpx.Client]:
    http = client(stats_server.url)
    assert login(http, *ADMIN).status_code == 303
    yield http
    http.close()


def test_admin_statistics_is_for_admins_only(stats_server):
    officer = officer_client(stats_server.url)
    try:
        for path in ("/admin/statistik", "/admin/statistik/cakupan", "/admin/statistik/ekspor"):
            assert officer.get(path).status_code == 403
    finally:
        officer.close()
    with client(stats_server.url) as anonymous:
        assert anonymous.get("/admin/statistik").status_code in (302, 303, 401)


def test_admin_page_shows_exact_counts_and_charts(admin):
    page = admin.get("/admin/statistik")
    assert page.status_code == 200
    assert re.search(r"data-total-applications>9<", page.text)
    assert "<svg" in page.text and "chart-s0" in page.text
    text = visible_text(page.text)
    assert "Kanigoro" in text and "Wonodadi" in text
    assert "Perempuan" in text
    assert 'href="/admin/jadwal"' in page.text
    filtered = admin.get("/admin/statistik", params={"kecamatan": WONODADI})
    assert re.search(r"data-total-applications>3<", filtered.text)


def test_public_page_hides_small_cells_and_rounds(stats_server):
    with client(stats_server.url) as anonymous:
        page = anonymous.get("/statistik")
    assert page.status_code == 200
    assert re.search(r"data-public-total>10<", page.text)  # 9, rounded to 5
    row = re.search(r'data-kecamatan-name="Wonodadi"><td>Wonodadi</td><td class="num">([^<]+)<',
                    page.text)
    assert row and row.group(1) == "&lt;5"  # 3 applications
    row = re.search(r'data-kecamatan-name="Kanigoro"><td>Kanigoro</td><td class="num">([^<]+)<',
                    page.text)
    assert row and row.group(1) == "5"  # 6, rounded
    women = re.search(r'data-sex="Perempuan"><td>Perempuan</td><td class="num">([^<]+)<',
                      page.text)
    assert women and women.group(1) == "&lt;5"
    assert not NIK_RUN.search(visible_text(page.text))


def _export(admin: httpx.Client, **fields: str) -> httpx.Response:
    token = csrf_from(admin.get("/admin/statistik/ekspor").text)
    return admin.post("/admin/statistik/ekspor", data={"_csrf_token": token, **fields})


def test_csv_export_is_complete_and_masks_the_nik(admin, stats_server):
    response = _export(admin, jenis="permohonan", format="csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    count = stats_server.query("SELECT count(*) FROM applications")[0][0]
    assert len(rows) - 1 == count == 9
    assert rows[0][0] == "kode_pelacakan"
    assert not NIK_RUN.search(response.text)
    audits = stats_server.query("SELECT count(*) FROM audit_log WHERE action = 'export.full_nik'")
    assert audits[0][0] == 0


def test_full_nik_export_is_audited(admin, stats_server):
    before = stats_server.query(
        "SELECT count(*) FROM audit_log WHERE action = 'export.full_nik'")[0][0]
    response = _export(admin, jenis="permohonan", format="csv", nik_lengkap="1")
    assert response.status_code == 200
    niks = {row[3] for row in list(csv.reader(io.StringIO(response.text)))[1:]}
    assert niks == set(NIKS_WOMEN + NIKS_MEN)
    after = stats_server.query(
        "SELECT username, detail FROM audit_log WHERE action = 'export.full_nik'")
    assert len(after) == before + 1
    assert after[-1][0] == ADMIN[0] and not NIK_RUN.search(after[-1][1] or "")


def test_xlsx_export_runs_with_progress_and_reads_back(admin, stats_server):
    response = _export(admin, jenis="permohonan", format="xlsx")
    assert response.status_code == 303
    progress_url = response.headers["location"]
    deadline = time.monotonic() + 20
    while True:
        part = admin.get(progress_url, headers={"HX-Request": "true"})
        assert part.status_code == 200
        state = re.search(r'data-export-state="(\w+)"', part.text).group(1)
        if state != "running" or time.monotonic() > deadline:
            break
        assert 'hx-trigger="every 1s"' in part.text
        time.sleep(0.1)
    assert state == "done", part.text
    download = re.search(r'href="([^"]+/unduh)"', part.text).group(1)
    file = admin.get(download)
    assert file.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(file.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "kode_pelacakan"
    assert len(rows) - 1 == stats_server.query("SELECT count(*) FROM applications")[0][0]
    # another admin (or nobody) cannot fetch it
    with client(stats_server.url) as anonymous:
        assert anonymous.get(download).status_code in (302, 303, 401)


def test_monthly_table_exports(admin):
    response = _export(admin, jenis="bulanan", format="csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["bulan", "permohonan", "nib_terbit"]
    assert sum(int(r[1]) for r in rows[1:]) == 9


def test_coverage_potential_is_entered_and_ranked(admin, stats_server):
    page = admin.get("/admin/statistik/cakupan")
    assert "belum diisi" in page.text
    token = csrf_from(page.text)
    saved = admin.post("/admin/statistik/cakupan/impor", data={"_csrf_token": token},
                       files={"berkas": ("potensi.csv", b"kecamatan,potensi\nWonodadi,100\n"
                                                        b"Kanigoro,50\n", "text/csv")})
    assert saved.status_code == 303, saved.text
    page = admin.get("/admin/statistik/cakupan")
    order = re.findall(r'<tr data-kecamatan="([\d.]+)">', page.text)
    # nothing issued yet (forwarder off): both 0 %, never visited; names break the tie
    assert order[:2] == [KANIGORO, WONODADI]
    assert stats_server.query(
        "SELECT count(*) FROM audit_log WHERE action = 'statistics.potential'")[0][0] == 1
    bad = admin.post("/admin/statistik/cakupan", data={"_csrf_token": token,
                                                       f"potensi-{WONODADI}": "banyak"})
    assert bad.status_code == 422 and "Wonodadi" in bad.text
