"""Assisted mode: each application becomes a task for an OSS operator; one operator at a
time can claim it; keying a valid NIB (checked with PIA checkNIB) issues the application,
and a rejection sends it back to the officer."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.integration.test_oss_support import (
    SimulatorProcess,
    count,
    create_applications,
    nik_for,
    oss_env,
    wait_for,
)
from tests.support import ROOT, ServerProcess, client, csrf_from, login, officer_client

pytestmark = pytest.mark.oss_mode(
    "assisted", reason="its servers run the assisted gateway with operator tasks")

USER_KEY = "kunci-uji-oss"


def _operator(server: ServerProcess, username: str) -> httpx.Client:
    subprocess.run([sys.executable, "-m", "app", "create-user", username, "--name",
                    f"Operator {username}", "--role", "oss_operator"], cwd=ROOT, check=True,
                   capture_output=True, env={**server.env, "JBM_NEW_PASSWORD": "operator-oss-1"})
    http = client(server.url)
    assert login(http, username, "operator-oss-1").status_code == 303
    return http


def _claim_race(a: httpx.Client, b: httpx.Client, task_id: int) -> list[int]:
    """Both operators press "Ambil tugas" at the same moment."""
    tokens = [csrf_from(http.get("/petugas/oss-tugas").text) for http in (a, b)]
    barrier = threading.Barrier(2)
    codes: list[int] = [0, 0]

    def press(index: int, http: httpx.Client) -> None:
        barrier.wait()
        codes[index] = http.post(f"/petugas/oss-tugas/{task_id}/ambil",
                                 data={"_csrf_token": tokens[index]}).status_code

    threads = [threading.Thread(target=press, args=(i, h)) for i, h in enumerate((a, b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def test_assisted_mode_operator_claims_keys_nib_and_rejects(tmp_path: Path) -> None:
    sim = SimulatorProcess(tmp_path / "sim", "--user-key", USER_KEY).start()
    server = ServerProcess(tmp_path / "app", **oss_env(
        None, JBM_OSS_MODE="assisted", JBM_OSS_PIA_URL=sim.api_url, JBM_OSS_USER_KEY=USER_KEY))
    try:
        server.seed()
        server.start()
        officer = officer_client(server.url)
        created = create_applications(officer, 6)
        officer.close()
        db = server.db_path
        wait_for(lambda: count(db, "SELECT count(*) FROM oss_tasks WHERE state = 'open'") == 6,
                 timeout=10, what="six operator tasks")
        assert server.query("SELECT DISTINCT status FROM applications") == [("submitted",)]
        tasks = {code: task for task, code in server.query(
            "SELECT t.id, a.tracking_code FROM oss_tasks t JOIN applications a"
            " ON a.id = t.application_id")}

        rina, budi = _operator(server, "rina"), _operator(server, "budi")
        listing = rina.get("/petugas/oss-tugas")
        assert listing.status_code == 200 and listing.text.count("Ambil tugas") == 6

        # two operators cannot claim the same task: every race has exactly one winner
        for _, code in created[:5]:
            codes = _claim_race(rina, budi, tasks[code])
            assert sorted(codes) == [303, 409], codes
        winners = server.query("SELECT count(DISTINCT claimed_by), count(*) FROM oss_tasks"
                               " WHERE claimed_by IS NOT NULL")
        assert winners[0][1] == 5

        first_code = created[0][1]
        task_id = tasks[first_code]
        (holder,), = server.query(
            "SELECT u.username FROM oss_tasks t JOIN users u ON u.id = t.claimed_by"
            " WHERE t.id = ?", task_id)
        mine, other = (rina, budi) if holder == "rina" else (budi, rina)
        page = mine.get(f"/petugas/oss-tugas/{task_id}")
        assert page.status_code == 200
        # the data in OSS's order, a copy button per field, the script from a static file
        assert page.text.index("NIK") < page.text.index("Nama sesuai KTP") < page.text.index(
            "KBLI")
        assert nik_for(0) in page.text
        assert len(re.findall(r'data-copy="', page.text)) >= 15
        assert "/static/js/operator.js" in page.text and "<script>" not in page.text
        token = csrf_from(page.text)

        # the operator who did not claim it cannot finish it
        refused = other.post(f"/petugas/oss-tugas/{task_id}/selesai",
                             data={"_csrf_token": csrf_from(other.get("/petugas/oss-tugas").text),
                                   "nib": "1234567890123"})
        assert refused.status_code == 422 and "belum Anda ambil" in refused.text
        # a NIB must be 13 digits, and OSS must know it (checkNIB)
        short = mine.post(f"/petugas/oss-tugas/{task_id}/selesai",
                          data={"_csrf_token": token, "nib": "12345"})
        assert short.status_code == 422 and "13 angka" in short.text
        unknown = mine.post(f"/petugas/oss-tugas/{task_id}/selesai",
                            data={"_csrf_token": token, "nib": "1234567890123"})
        assert unknown.status_code == 422 and "tidak ditemukan di OSS" in unknown.text
        # the operator registers it in the OSS portal and gets a real NIB
        nib = sim.admin("POST", "portal", nik=nik_for(0), kbli=["56102"],
                        nama="Siti Aminah")["nib"]
        done = mine.post(f"/petugas/oss-tugas/{task_id}/selesai",
                         data={"_csrf_token": token, "nib": f"{nib[:4]} {nib[4:]}"})
        assert done.status_code == 303
        assert server.query("SELECT status, nib FROM applications WHERE tracking_code = ?",
                            first_code) == [("issued", nib)]
        (reason,), = server.query(
            "SELECT h.reason FROM application_history h JOIN applications a"
            " ON a.id = h.application_id WHERE a.tracking_code = ? ORDER BY h.id DESC LIMIT 1",
            first_code)
        assert "diverifikasi dengan checkNIB" in reason
        assert server.query("SELECT state, nib FROM oss_tasks WHERE id = ?", task_id) == [
            ("done", nib)]
        assert sim.counters()["check_nib"] == 2

        # OSS refuses another one in the portal: the officer gets it back to fix
        second_code = created[1][1]
        second = tasks[second_code]
        (holder,), = server.query(
            "SELECT u.username FROM oss_tasks t JOIN users u ON u.id = t.claimed_by"
            " WHERE t.id = ?", second)
        mine = rina if holder == "rina" else budi
        token = csrf_from(mine.get(f"/petugas/oss-tugas/{second}").text)
        rejected = mine.post(f"/petugas/oss-tugas/{second}/tolak",
                             data={"_csrf_token": token, "reason": "Nama tidak sesuai Dukcapil"})
        assert rejected.status_code == 303
        (status, why), = server.query(
            "SELECT status, status_reason FROM applications WHERE tracking_code = ?",
            second_code)
        assert status == "needs_fix" and "Nama tidak sesuai Dukcapil" in why
        assert server.query("SELECT state FROM outbox o JOIN applications a"
                            " ON a.id = o.application_id WHERE a.tracking_code = ?",
                            second_code) == [("needs_fix",)]
        rina.close()
        budi.close()
    finally:
        server.kill()
        sim.kill()


def test_officer_opens_an_application_waiting_for_the_operator(tmp_path: Path) -> None:
    """Defect: the officer's page answered 500 while the application had an open task."""
    server = ServerProcess(tmp_path / "app", **oss_env(None, JBM_OSS_MODE="assisted"))
    try:
        server.seed()
        server.start()
        officer = officer_client(server.url)
        (_, code), = create_applications(officer, 1)
        wait_for(lambda: count(server.db_path,
                               "SELECT count(*) FROM oss_tasks WHERE state = 'open'") == 1,
                 timeout=10, what="the operator task")
        page = officer.get(f"/petugas/permohonan/{code}")
        assert page.status_code == 200
        assert "Menunggu operator OSS di kantor memasukkan data ke portal OSS." in page.text
        assert "Buka daftar tugas operator OSS" in page.text

        rina = _operator(server, "rina")
        (task_id,), = server.query("SELECT id FROM oss_tasks")
        token = csrf_from(rina.get("/petugas/oss-tugas").text)
        assert rina.post(f"/petugas/oss-tugas/{task_id}/ambil",
                         data={"_csrf_token": token}).status_code == 303
        page = officer.get(f"/petugas/permohonan/{code}")
        assert page.status_code == 200
        assert "Sedang dimasukkan ke portal OSS oleh Operator rina." in page.text
        rina.close()
        officer.close()
    finally:
        server.kill()
