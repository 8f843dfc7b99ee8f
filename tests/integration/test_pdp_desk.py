"""The data protection officer's desk (/admin/pdp) over real HTTP against the real server:
who may use it, the access bundle of one NIK, erasure by anonymisation, the 3 x 24-hour
clock. Times are injected through the receipt time the DPO records; nothing sleeps."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.clock import WIB
from tests.support import (
    ADMIN,
    ROOT,
    ServerProcess,
    application,
    client,
    csrf_from,
    login,
    new_key,
    officer_client,
    post_application,
)

DPO = ("dpo.kantor", "pelindungan-data-blitar")
NIK_A = "3505014507900012"
NIK_B = "3505015203850007"
NIK_C = "3505012011880003"
REQUEST_URL = re.compile(r"/admin/pdp/(\d+)\?selesai=dicatat$")


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("pdp"))
    proc.seed()
    subprocess.run(
        [sys.executable, "-m", "app", "create-user", DPO[0], "--name", "Pejabat PDP",
         "--role", "dpo"],
        env={**proc.env, "JBM_NEW_PASSWORD": DPO[1]}, cwd=ROOT, check=True,
        capture_output=True)
    proc.start()
    yield proc
    proc.stop()


def execute(desk: ServerProcess, sql: str, *params: object) -> None:
    """Set up rows another part of the app would write (committed, beside the server)."""
    conn = sqlite3.connect(desk.db_path, timeout=10)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def logged_in(base_url: str, account: tuple[str, str]) -> httpx.Client:
    http = client(base_url)
    assert login(http, *account).status_code == 303
    return http


@pytest.fixture(scope="module")
def dpo(desk: ServerProcess) -> Iterator[httpx.Client]:
    http = logged_in(desk.url, DPO)
    yield http
    http.close()


def capture(desk: ServerProcess, nik: str, business: str) -> str:
    with closing(officer_client(desk.url)) as http:
        response = post_application(http, new_key(), application(nik=nik, business_name=business))
    assert response.status_code == 201, response.text
    return response.json()["tracking_code"]


def record(dpo: httpx.Client, kind: str, nik: str, received: datetime | None = None,
           requester: str = "Siti Aminah") -> int:
    page = dpo.get("/admin/pdp")
    received = received or datetime.now(UTC) - timedelta(minutes=10)
    response = dpo.post("/admin/pdp", data={
        "_csrf_token": csrf_from(page.text), "kind": kind, "nik": nik,
        "requester_name": requester, "channel": "loket", "note": "",
        "received_at": received.astimezone(WIB).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 303, response.text
    match = REQUEST_URL.search(response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def post_action(http: httpx.Client, request_id: int, action: str, **data: str) -> httpx.Response:
    page = http.get(f"/admin/pdp/{request_id}")
    assert page.status_code == 200
    return http.post(f"/admin/pdp/{request_id}/{action}",
                     data={"_csrf_token": csrf_from(page.text), **data})


def test_dpo_and_admin_reach_the_desk_an_officer_does_not(desk: ServerProcess,
                                                          dpo: httpx.Client) -> None:
    assert dpo.get("/admin/pdp").status_code == 200
    with closing(logged_in(desk.url, ADMIN)) as admin:
        assert admin.get("/admin/pdp").status_code == 200
    with closing(officer_client(desk.url)) as officer:
        assert officer.get("/admin/pdp").status_code == 403
        assert officer.post("/admin/pdp", data={"nik": NIK_A}).status_code == 403
    with client(desk.url) as anonymous:
        assert anonymous.get("/admin/pdp").status_code != 200


def test_access_bundle_holds_that_nik_only_with_its_audit_trail(desk: ServerProcess,
                                                                dpo: httpx.Client) -> None:
    mine = [capture(desk, NIK_A, "Warung Akses Satu"), capture(desk, NIK_A, "Warung Akses Dua")]
    other = capture(desk, NIK_B, "Warung Orang Lain")
    # Audit entries about these applications, as the detail pages write them.
    for code in [*mine, other]:
        execute(desk, "INSERT INTO audit_log (at, user_id, username, action, target_type,"
                   " target_id, route) VALUES (?, NULL, 'petugas', 'nik.view', 'application',"
                   " ?, '/petugas/permohonan')", datetime.now(UTC).isoformat(), code)
    execute(desk, "INSERT INTO oss_pushes (received_at, nib, nik, kbli_json, state, payload_json)"
               " VALUES (?, '9120001112223', ?, '[]', 'unmatched', ?)",
               datetime.now(UTC).isoformat(), NIK_A, json.dumps({"nik": NIK_A}))

    request_id = record(dpo, "akses", NIK_A)
    page = dpo.get(f"/admin/pdp/{request_id}")
    assert NIK_A not in page.text and "3505••••••••0012" in page.text
    assert all(code in page.text for code in mine) and other not in page.text

    response = post_action(dpo, request_id, "akses")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert NIK_A not in response.headers["content-disposition"]
    assert "no-store" in response.headers["cache-control"]
    bundle = response.json()
    codes = sorted(a["tracking_code"] for a in bundle["permohonan"])
    assert codes == sorted(mine)
    assert {a["nik"] for a in bundle["permohonan"]} == {NIK_A}
    assert all(a["history"] and a["history"][0]["status"] == "received"
               for a in bundle["permohonan"])
    assert [p["nik"] for p in bundle["nib_dari_oss"]] == [NIK_A]
    trail = sorted(e["target_id"] for e in bundle["jejak_audit"])
    assert trail == sorted(mine)
    assert other not in json.dumps(bundle) and NIK_B not in json.dumps(bundle)

    exports = desk.query("SELECT username, target_type, target_id, detail FROM audit_log"
                         " WHERE action = 'pdp.export'")
    assert exports == [(DPO[0], "pdp_request", str(request_id),
                        "2 permohonan, 2 catatan audit")]
    assert NIK_A not in json.dumps(desk.query("SELECT * FROM audit_log"))
    assert NIK_A not in desk.log_text()


def test_erasure_waits_for_oss_then_anonymises_and_keeps_counts(desk: ServerProcess,
                                                                dpo: httpx.Client) -> None:
    codes = [capture(desk, NIK_C, "Warung Hapus Satu"), capture(desk, NIK_C, "Warung Hapus Dua")]
    before = desk.query("SELECT count(*), sum(status = 'received') FROM applications")
    request_id = record(dpo, "penghapusan", NIK_C)

    refused = post_action(dpo, request_id, "hapus")
    assert refused.status_code == 409
    assert "masih menunggu OSS" in refused.text and codes[0] in refused.text
    assert desk.query("SELECT count(*) FROM applications WHERE nik = ?", NIK_C) == [(2,)]

    # OSS issues both (the forwarder is off in this server: set as the forwarder would).
    for i, code in enumerate(codes):
        execute(desk, "UPDATE applications SET status = 'issued', nib = ? WHERE tracking_code = ?",
                   f"912000000000{i}", code)
    kept = desk.query("SELECT id, status, kecamatan, kbli_json, scale, created_at, nib"
                      " FROM applications WHERE nik = ? ORDER BY id", NIK_C)
    history = desk.query("SELECT count(*) FROM application_history")

    done = post_action(dpo, request_id, "hapus")
    assert done.status_code == 303
    assert desk.query("SELECT count(*) FROM applications WHERE nik = ?", NIK_C) == [(0,)]
    rows = desk.query(
        "SELECT name, phone, email, npwp, street, business_name, nik, anonymised_at IS NOT NULL"
        " FROM applications WHERE tracking_code IN (?, ?)", *codes)
    assert rows == [("[dihapus]", "", None, None, "[dihapus]", "[dihapus]",
                     "0000000000000000", 1)] * 2
    assert desk.query("SELECT id, status, kecamatan, kbli_json, scale, created_at, nib"
                      " FROM applications WHERE tracking_code IN (?, ?) ORDER BY id",
                      *codes) == kept
    assert desk.query("SELECT count(*) FROM application_history") == history
    assert desk.query("SELECT count(*) FROM applications")[0][0] == before[0][0]
    assert "Siti Aminah" not in json.dumps(desk.query(
        "SELECT * FROM applications WHERE tracking_code IN (?, ?)", *codes))
    audit = desk.query("SELECT action, target_type, target_id FROM audit_log"
                       " WHERE action LIKE 'pdp.erasure%' ORDER BY id")
    assert audit == [("pdp.erasure_refused", "pdp_request", str(request_id)),
                     ("pdp.erasure", "pdp_request", str(request_id)),
                     *[("pdp.erasure", "application", code) for code in codes]]
    page = dpo.get(f"/admin/pdp/{request_id}?selesai=dihapus")
    assert "sudah dianonimkan" in page.text and "Permohonan dengan NIK ini (0)" in page.text


def test_three_day_clock_flags_overdue_requests(desk: ServerProcess, dpo: httpx.Client) -> None:
    now = datetime.now(UTC)
    late = record(dpo, "koreksi", NIK_B, now - timedelta(hours=73), requester="Lama Menunggu")
    fresh = record(dpo, "koreksi", NIK_B, now - timedelta(hours=71), requester="Baru Saja")
    listing = dpo.get("/admin/pdp").text
    assert f'data-request="{late}" data-overdue="1"' in listing
    assert f'data-request="{fresh}">' in listing
    assert NIK_B not in listing and "3505••••••••0007" in listing
    assert 'data-overdue="1"' in dpo.get(f"/admin/pdp/{late}").text

    refused = post_action(dpo, late, "status", status="ditolak", reason="")
    assert refused.status_code == 422 and "alasan penolakan" in refused.text
    assert post_action(dpo, late, "status", status="selesai", reason="").status_code == 303
    listing = dpo.get("/admin/pdp").text
    assert f'data-request="{late}">' in listing  # answered: no longer flagged
    assert desk.query("SELECT status, closed_at IS NOT NULL FROM subject_requests WHERE id = ?",
                      late) == [("selesai", 1)]


NIK_D = "3505016612920004"


def test_closed_requests_keep_only_a_masked_nik_after_the_grace_period(
        desk: ServerProcess, dpo: httpx.Client) -> None:
    capture(desk, NIK_D, "Warung Riwayat")
    old = record(dpo, "akses", NIK_D, requester="Dewi Lestari")
    recent = record(dpo, "akses", NIK_D, requester="Dewi Lestari")
    still_open = record(dpo, "penghapusan", NIK_D, requester="Dewi Lestari")
    for request_id in (old, recent):
        assert post_action(dpo, request_id, "status", status="selesai").status_code == 303
    # ``old`` was closed 181 days ago, ``recent`` 179 (the grace period: 180 days); the
    # open one was received long ago.
    for request_id, days in ((old, 181), (recent, 179)):
        execute(desk, "UPDATE subject_requests SET closed_at = ? WHERE id = ?",
                (datetime.now(UTC) - timedelta(days=days)).isoformat(), request_id)
    execute(desk, "UPDATE subject_requests SET received_at = ?, created_at = ? WHERE id = ?",
            (datetime.now(UTC) - timedelta(days=400)).isoformat(),
            (datetime.now(UTC) - timedelta(days=400)).isoformat(), still_open)

    done = subprocess.run([sys.executable, "-m", "app", "retention"], cwd=ROOT, env=desk.env,
                          capture_output=True, text=True, check=True)
    assert "NIK permintaan subjek data disamarkan 1" in done.stdout
    assert NIK_D not in done.stdout + done.stderr
    rows = desk.query("SELECT id, nik, requester_name, status, redacted_at IS NOT NULL"
                      " FROM subject_requests WHERE id IN (?, ?, ?) ORDER BY id",
                      old, recent, still_open)
    assert rows == [(old, "3505••••••••0004", "D*** L******", "selesai", 1),
                    (recent, NIK_D, "Dewi Lestari", "selesai", 0),
                    (still_open, NIK_D, "Dewi Lestari", "baru", 0)]
    assert desk.query("SELECT detail FROM audit_log WHERE action = 'retention.run'"
                      " ORDER BY id DESC LIMIT 1")[0][0].endswith("disamarkan 1")

    # The history still shows; nothing can be done with a masked NIK.
    listing = dpo.get("/admin/pdp").text
    assert f'data-request="{old}"' in listing and "D*** L******" in listing
    page = dpo.get(f"/admin/pdp/{old}")
    assert page.status_code == 200
    assert "3505••••••••0004" in page.text and "Hanya riwayat" in page.text
    assert f'action="/admin/pdp/{old}/akses"' not in page.text
    assert 'id="held"' not in page.text  # the masked NIK matches no application
    for action, data in (("akses", {}), ("status", {"status": "diproses"})):
        refused = post_action(dpo, old, action, **data)
        assert refused.status_code == 409 and "catat permintaan baru" in refused.text
        assert NIK_D not in refused.text
    assert desk.query("SELECT status, nik FROM subject_requests WHERE id = ?",
                      old) == [("selesai", "3505••••••••0004")]
    assert desk.query("SELECT count(*) FROM audit_log WHERE action = 'pdp.export'"
                      " AND target_id = ?", str(old)) == [(0,)]
    # Within its grace period the request is still acted on with the full NIK.
    bundle = post_action(dpo, recent, "akses")
    assert bundle.status_code == 200
    assert [a["nik"] for a in bundle.json()["permohonan"]] == [NIK_D]


def test_form_errors_never_echo_the_nik(dpo: httpx.Client) -> None:
    page = dpo.get("/admin/pdp")
    response = dpo.post("/admin/pdp", data={
        "_csrf_token": csrf_from(page.text), "kind": "akses", "nik": NIK_A,
        "requester_name": "", "channel": "loket", "received_at": "besok"})
    assert response.status_code == 422
    assert "Isi nama pemohon" in response.text and "format tanggal" in response.text
    assert NIK_A not in response.text


def test_future_receipt_time_is_refused(dpo: httpx.Client) -> None:
    page = dpo.get("/admin/pdp")
    later = (datetime.now(UTC) + timedelta(days=1)).astimezone(WIB)
    response = dpo.post("/admin/pdp", data={
        "_csrf_token": csrf_from(page.text), "kind": "akses", "nik": NIK_A,
        "requester_name": "Siti", "channel": "surat",
        "received_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 422 and "masa depan" in response.text



def test_the_dpo_finds_the_desk_from_the_home_page(dpo: httpx.Client) -> None:
    assert 'href="/admin/pdp"' in dpo.get("/petugas").text
