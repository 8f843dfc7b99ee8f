"""receiveNIB (served to the PIA spec): a valid token issues the matching application, a
wrong token is refused, an unmatched push is kept for review. Runs the DEFAULT mode: `serve`
starts the OSS simulator as its child, which pushes with the shared credentials."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.oss.pia import micro_business_record, pia_token, token_days
from tests.integration.test_oss_support import create_applications, nik_for, wait_for
from tests.support import ADMIN, ServerProcess, client, csrf_from, free_port, login, officer_client

pytestmark = pytest.mark.oss_mode(
    "simulator", reason="pushes come from the simulator started beside serve")

USERNAME = "pemda-blitar"
PASSWORD = "rahasia-pia-2026"
OK = {"responreceiveNIB": {"status": "1", "keterangan": "Berhasil menyimpan data"}}


def _listening(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_sim/health", timeout=0.5).status_code == 200
    except httpx.TransportError:
        return False


def _app(server: ServerProcess, code: str) -> tuple[str, str | None]:
    return server.query("SELECT status, nib FROM applications WHERE tracking_code = ?", code)[0]


def test_receive_nib_token_matching_and_unmatched_pushes(tmp_path: Path) -> None:
    sim_port = free_port()
    sim_url = f"http://127.0.0.1:{sim_port}"
    # default OSS mode (simulator child), forwarder off: applications wait for a push
    server = ServerProcess(tmp_path / "app", JBM_OSS_SIMULATOR_PORT=str(sim_port),
                           JBM_OSS_PIA_USERNAME=USERNAME, JBM_OSS_PIA_PASSWORD=PASSWORD)
    try:
        server.seed()
        server.start()
        assert _listening(sim_url), "serve must start the simulator beside the app"
        http = officer_client(server.url)
        (_, first), (_, second), (_, third) = create_applications(http, 3)
        http.close()

        # 1. OSS (the simulator) pushes a NIB registered in the portal, with the SHA1 token
        pushed = httpx.post(f"{sim_url}/_sim/push", json={
            "nik": nik_for(0), "kbli": ["56102"], "nama": "Siti Aminah",
            "nama_usaha": "Warung Bu Siti"}, timeout=10).json()
        assert pushed["status"] == 200 and pushed["answer"] == OK
        assert _app(server, first) == ("issued", pushed["nib"])
        (app_id,), = server.query("SELECT id FROM applications WHERE tracking_code = ?", first)
        assert server.query("SELECT status, actor FROM application_history"
                            " WHERE application_id = ? ORDER BY id DESC LIMIT 1", app_id) == [
            ("issued", "OSS (receiveNIB)")]
        assert server.query("SELECT state FROM outbox WHERE application_id = ?", app_id) == [
            ("done",)]

        # 2. a wrong token is refused and nothing is stored
        refused = httpx.post(f"{sim_url}/_sim/push", json={
            "nik": nik_for(1), "kbli": ["56102"], "token": "0" * 40}, timeout=10).json()
        assert refused["status"] == 401
        assert refused["answer"]["responreceiveNIB"]["status"] == "2"
        no_token = httpx.post(f"{server.url}/api/oss/receiveNIB",
                              json={"dataNIB": {"nib": "9120001234567"}})
        assert no_token.status_code == 401
        assert _app(server, second) == ("received", None)
        assert server.query("SELECT count(*) FROM oss_pushes") == [(1,)]

        # 3. the token formula checked independently: SHA1(USERNAME+PASSWORD+NIB+Ymd WIB)
        nib = "9120001234567"
        record = micro_business_record(
            nib=nib, oss_id="P-202611290000000000001", issued_at=datetime.now(UTC),
            nik=nik_for(1), name="Siti Aminah", business_name="Warung Bu Siti",
            kblis=[("56102", "Warung Makan")], region_id="3505012001")
        token = pia_token(USERNAME, PASSWORD, nib, token_days(datetime.now(UTC))[0])
        direct = httpx.post(f"{server.url}/api/oss/receiveNIB", json={"dataNIB": record},
                            headers={"Token": token})
        assert direct.status_code == 200 and direct.json() == OK
        assert _app(server, second) == ("issued", nib)
        # the same push again: answered as success, stored once, nothing changes
        again = httpx.post(f"{server.url}/api/oss/receiveNIB", json={"dataNIB": record},
                           headers={"Token": token})
        assert again.json() == OK
        assert server.query("SELECT state FROM oss_pushes ORDER BY id") == [
            ("matched",), ("matched",)]

        # 4. a push nobody waits for is kept for review, never dropped
        stray = httpx.post(f"{sim_url}/_sim/push", json={
            "nik": "3505016203850004", "kbli": ["47111"], "nama": "Sri Wahyuni"},
            timeout=10).json()
        assert stray["status"] == 200 and stray["answer"] == OK
        assert server.query("SELECT state, nib FROM oss_pushes ORDER BY id DESC LIMIT 1") == [
            ("unmatched", stray["nib"])]
        admin = client(server.url)
        assert login(admin, *ADMIN).status_code == 303
        page = admin.get("/admin/oss")
        assert page.status_code == 200
        assert stray["nib"] in page.text and "3505••••••••0004" in page.text
        assert "3505016203850004" not in page.text  # the NIK stays masked
        # an admin assigns it to the third application by its tracking code
        resolved = admin.post(f"/admin/oss/kiriman/{_last_push_id(server)}/cocokkan",
                              data={"_csrf_token": csrf_from(page.text), "tracking_code": third})
        assert resolved.status_code == 303
        assert _app(server, third) == ("issued", stray["nib"])
        admin.close()
        log = server.log_text()
        assert nik_for(0) not in log and "3505016203850004" not in log  # no NIK in the log
    finally:
        server.stop()
    # the simulator child stops with the app
    wait_for(lambda: not _listening(sim_url), timeout=10, what="the simulator to stop")


def _last_push_id(server: ServerProcess) -> int:
    return server.query("SELECT max(id) FROM oss_pushes")[0][0]


def test_simulator_child_dies_with_a_killed_app(tmp_path: Path) -> None:
    sim_port = free_port()
    server = ServerProcess(tmp_path / "app", JBM_OSS_SIMULATOR_PORT=str(sim_port))
    server.seed()
    server.start()
    sim_url = f"http://127.0.0.1:{sim_port}"
    try:
        assert _listening(sim_url)
    finally:
        server.kill()  # SIGKILL: no chance to stop the child itself
    started = time.monotonic()
    wait_for(lambda: not _listening(sim_url), timeout=10, what="the orphaned simulator to exit")
    assert time.monotonic() - started < 10
