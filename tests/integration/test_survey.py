"""The satisfaction survey over real HTTP: the link after the NIB, the kiosk API, /ikm
and the admin's exports."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import openpyxl
import pytest

from app.db.applications import change_status
from app.db.connection import open_sync, run_transaction
from app.notify.tokens import SurveyTokens
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
)

ALL_THREE = {f"u{i}": "3" for i in range(1, 10)}


def _new_application(server: ServerProcess, officer: httpx.Client, name: str) -> tuple[int, str]:
    key = new_key()
    assert post_application(officer, key, application(business_name=name)).status_code == 201
    (app_id, code), = server.query(
        "SELECT id, tracking_code FROM applications WHERE client_id = ?", key)
    return app_id, code


def _issue(server: ServerProcess, app_id: int, nib: str) -> None:
    conn = open_sync(server.db_path)
    try:
        run_transaction(conn, change_status, app_id, "issued", "oss", "NIB terbit",
                        "2026-11-29T03:00:00+00:00", nib)
    finally:
        conn.close()


def _token(server: ServerProcess, app_id: int) -> str:
    return SurveyTokens((server.data_dir / "secret_key").read_text().strip()).issue(app_id)


def _lookup(http: httpx.Client, code: str) -> httpx.Response:
    token = csrf_from(http.get("/cek").text)
    return http.post("/cek", data={"_csrf_token": token, "kode": code, "digits": "7890"})


def test_survey_link_opens_after_the_nib_and_takes_one_answer(
    server: ServerProcess, officer: httpx.Client
) -> None:
    app_id, code = _new_application(server, officer, "Survei Bu Tini")
    path = f"/survei/{_token(server, app_id)}"
    with client(server.url) as citizen:
        # Not issued yet: the status page offers no survey, the link says when it opens.
        assert "data-survey-link" not in _lookup(citizen, code).text
        early = citizen.get(path)
        assert early.status_code == 200 and "Survei belum dibuka" in early.text
        assert 'name="u1"' not in early.text
        assert citizen.get(path[:-3] + "xyz").status_code == 404  # a forged token

        _issue(server, app_id, "9120001111111")
        status = _lookup(citizen, code)
        link = re.search(r'href="(/survei/[^"]+)" data-survey-link', status.text).group(1)
        assert link == path
        form = citizen.get(path)
        assert "kesesuaian persyaratan pelayanan dengan jenis pelayanannya" in form.text
        assert "3505014507900012" not in form.text and "Siti" not in form.text

        # A question left out: its message, the other answers kept, nothing stored.
        page = citizen.get(path)
        client_id = re.search(r'name="client_id" value="([^"]+)"', page.text).group(1)
        partial = {k: v for k, v in ALL_THREE.items() if k != "u5"}
        bad = citizen.post(path, data={"_csrf_token": csrf_from(page.text),
                                       "client_id": client_id, **partial, "gender": "P"})
        assert bad.status_code == 422
        assert 'id="u5-error"' in bad.text and 'id="u4-error"' not in bad.text
        assert re.search(r'name="u4" value="3" required checked', bad.text)
        assert re.search(r'value="P" selected', bad.text)
        assert server.query("SELECT count(*) FROM survey_responses WHERE application_id = ?",
                            app_id) == [(0,)]

        data = {"_csrf_token": csrf_from(page.text), "client_id": client_id, **ALL_THREE,
                "gender": "P"}
        done = citizen.post(path, data=data)
        assert done.status_code == 303 and done.headers["location"] == path
        again = citizen.post(path, data=data)  # the same submit twice (a double tap)
        assert again.status_code == 303
        assert "sudah diisi" in citizen.get(path).text
        assert "data-survey-link" not in _lookup(citizen, code).text

    with client(server.url) as someone_else:  # a second answer is refused politely
        second = someone_else.get(path)
        assert second.status_code == 200 and "sudah diisi" in second.text
        assert 'name="u1"' not in second.text
        page_token = csrf_from(someone_else.get("/cek").text)
        refused = someone_else.post(path, data={"_csrf_token": page_token,
                                                "client_id": str(uuid.uuid4()), **ALL_THREE})
        assert refused.status_code == 409
        assert "sudah pernah diisi" in refused.text
    assert server.query(
        "SELECT channel, kecamatan, gender, u1 FROM survey_responses WHERE application_id = ?",
        app_id) == [("link", "35.05.01", "P", 3)]


def test_honeypot_is_thanked_and_forgotten(server: ServerProcess, officer: httpx.Client) -> None:
    app_id, _ = _new_application(server, officer, "Survei Bot")
    _issue(server, app_id, "9120002222222")
    path = f"/survei/{_token(server, app_id)}"
    with client(server.url) as bot:
        page = bot.get(path)
        answer = bot.post(path, data={"_csrf_token": csrf_from(page.text),
                                      "client_id": str(uuid.uuid4()), **ALL_THREE,
                                      "website": "http://spam.example"})
    assert answer.status_code == 200 and "Terima kasih" in answer.text
    assert server.query("SELECT count(*) FROM survey_responses WHERE application_id = ?",
                        app_id) == [(0,)]


def test_whatsapp_text_carries_the_survey_link(server: ServerProcess,
                                               officer: httpx.Client) -> None:
    with client(server.url) as admin:
        assert login(admin, *ADMIN).status_code == 303
        page = admin.get("/admin/pesan-whatsapp")
        saved = admin.post("/admin/pesan-whatsapp", data={
            "_csrf_token": csrf_from(page.text),
            "template": "NIB {usaha}: {nib}. Survei: {survei}"})
        assert saved.status_code == 303
    app_id, code = _new_application(server, officer, "Survei WA")
    _issue(server, app_id, "9120003333333")
    detail = officer.get(f"/petugas/permohonan/{code}")
    link = html.unescape(re.search(r'href="(https://wa\.me/[^"]+)"', detail.text).group(1))
    text = parse_qs(urlsplit(link).query)["text"][0]
    assert text.endswith(f"Survei: {server.url}/survei/{_token(server, app_id)}")


def _kiosk(http: httpx.Client, key: str | None, answers: dict[str, object],
           **extra: object) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return http.post("/api/survei", json={"answers": answers, **extra}, headers=headers)


def test_kiosk_api_records_each_key_once(server: ServerProcess, officer: httpx.Client) -> None:
    key = new_key()
    answers = {f"u{i}": 4 for i in range(1, 10)} | {"age_group": "35-44"}
    first = _kiosk(officer, key, answers, kecamatan="35.05.02")
    assert first.status_code == 201, first.text
    replay = _kiosk(officer, key, answers, kecamatan="35.05.02")
    assert replay.status_code == 200 and replay.headers["idempotent-replayed"] == "true"
    other = _kiosk(officer, key, answers | {"u1": 1}, kecamatan="35.05.02")
    assert other.status_code == 409
    assert server.query("SELECT channel, kecamatan, age_group, officer_id IS NOT NULL"
                        " FROM survey_responses WHERE client_id = ?", key) == [
        ("kiosk", "35.05.02", "35-44", 1)]
    assert _kiosk(officer, None, answers).status_code == 400
    bad = _kiosk(officer, new_key(), {"u1": 5}, kecamatan="99.99")
    assert bad.status_code == 422
    assert {"u1", "u9", "kecamatan"} <= set(bad.json()["errors"])
    with client(server.url) as anonymous:
        assert _kiosk(anonymous, new_key(), answers).status_code == 401


@pytest.fixture
def ikm_server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "data")
    proc.seed()
    proc.start()
    yield proc
    proc.kill()


def test_ikm_page_and_exports_show_the_hand_computed_numbers(ikm_server: ServerProcess) -> None:
    officer = officer_client(ikm_server.url)
    # Two respondents: all 4s, and all 3s except U4 = 4. Means 3.5 (and 4 for U4);
    # IKM = (8 * 3.5 + 4) / 9 * 25 = 88.888... -> 88.89, A (Sangat Baik).
    for scores in ([4] * 9, [3, 3, 3, 4, 3, 3, 3, 3, 3]):
        answers = {f"u{i}": s for i, s in enumerate(scores, 1)}
        assert _kiosk(officer, new_key(), answers, kecamatan="35.05.01").status_code == 201
    officer.close()
    year = ikm_server.query("SELECT substr(day, 1, 4) FROM survey_responses LIMIT 1")[0][0]
    with client(ikm_server.url) as public:
        page = public.get(f"/ikm?tahun={year}")
        assert page.status_code == 200
        assert re.search(r"data-ikm-index>88\.89<", page.text)
        assert "A (Sangat Baik)" in page.text
        assert re.search(r"data-ikm-respondents>2<", page.text)
        assert re.search(r'data-element="U4"><td>U4 Biaya/tarif</td><td>4\.000</td>'
                         r"<td>100\.00</td>", page.text)
        assert '<rect class="bar" x="36" y="4" width="262.50"' in page.text  # U1: 87.5
        assert "Per kecamatan" in page.text
        other_year = public.get(f"/ikm?tahun={int(year) - 1}")
        assert "Belum ada responden" in other_year.text
        refused = public.get("/admin/ikm/ekspor.csv")  # a visitor is sent to log in
        assert refused.status_code == 303 and refused.headers["location"].startswith("/masuk")

    with client(ikm_server.url) as admin:
        assert login(admin, *ADMIN).status_code == 303
        assert "88.89" in admin.get(f"/admin/ikm?tahun={year}").text
        got = admin.get(f"/admin/ikm/ekspor.csv?tahun={year}")
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
        assert rows[0][:6] == ["no", "tanggal", "saluran", "sesi", "kecamatan", "U1"]
        assert [r[5:14] for r in rows[1:3]] == [["4"] * 9, ["3", "3", "3", "4"] + ["3"] * 5]
        assert ["IKM", "88.89"] in rows and ["mutu pelayanan", "A (Sangat Baik)"] in rows
        book = admin.get(f"/admin/ikm/ekspor.xlsx?tahun={year}")
        assert book.status_code == 200
        wb = openpyxl.load_workbook(io.BytesIO(book.content))
        summary = {r[0]: r[1] for r in wb["IKM"].iter_rows(values_only=True)}
        assert summary["jumlah responden"] == 2 and summary["IKM"] == "88.89"
        sheet = list(wb["Responden"].iter_rows(values_only=True))
        assert len(sheet) == 3 and sheet[1][5:14] == (4,) * 9
    assert ikm_server.query("SELECT count(*) FROM audit_log WHERE action = 'ikm.export'") == [
        (2,)]
