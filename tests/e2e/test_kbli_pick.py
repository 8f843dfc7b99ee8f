"""The KBLI search on the forms without the capture form's own picker, in real Chromium: a
tapped result joins the KBLI field, on the officer's correction form (an application the
OSS operator sent back) and on the citizen's pre-registration (static/js/kbli-pick.js)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.pwa import login
from tests.integration.test_oss_support import wait_for
from tests.support import (
    ADMIN,
    ServerProcess,
    application,
    client,
    csrf_from,
    new_key,
    officer_client,
    post_application,
)
from tests.support import login as http_login

pytestmark = pytest.mark.e2e


def pick_first(page: Any, query: str) -> str:
    """Search the KBLI, tap the first result; the code it added."""
    page.fill("#kbli-q", query)
    first = page.locator("#kbli-results [data-kbli-pick]").first
    expect(first).to_be_visible()
    code = first.get_attribute("data-kbli-pick")
    assert code
    first.click()
    return code


def sent_back(server: ServerProcess) -> str:
    """An officer's application that the OSS operator (the admin) refused: its code."""
    officer = officer_client(server.url)
    answer = post_application(officer, new_key(), application())
    officer.close()
    assert answer.status_code == 201, answer.text
    code = answer.json()["tracking_code"]
    task = wait_for(lambda: server.query("SELECT id FROM oss_tasks WHERE state = 'open'"),
                    timeout=10, what="the operator task")[0][0]
    with client(server.url) as admin:
        assert http_login(admin, *ADMIN).status_code == 303
        token = csrf_from(admin.get("/petugas/oss-tugas").text)
        for step, data in (("ambil", {}), ("tolak", {"reason": "KBLI kurang lengkap"})):
            answer = admin.post(f"/petugas/oss-tugas/{task}/{step}",
                                data={"_csrf_token": token, **data})
            assert answer.status_code == 303, answer.text
    return str(code)


def test_a_picked_kbli_joins_the_correction_and_the_preregistration(
        page: Any, tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", JBM_OSS_MODE="assisted", JBM_OSS_FORWARDER="1",
                           JBM_OSS_POLL_S="0.05")
    server.seed()
    server.start()
    try:
        code = sent_back(server)
        login(page, server.url, f"/petugas/permohonan/{code}/perbaiki")
        expect(page.locator("#kbli")).to_have_value("56102")
        picked = pick_first(page, "bengkel")
        assert picked != "56102"
        expect(page.locator("#kbli")).to_have_value(f"56102, {picked}")
        expect(page.locator("[data-kbli-chosen]")).to_contain_text(picked)
        page.get_by_role("button", name="Simpan & kirim ulang ke OSS").click()
        page.wait_for_url(f"**/petugas/permohonan/{code}")
        (stored,), = server.query("SELECT kbli_json FROM applications WHERE tracking_code = ?",
                                  code)
        assert json.loads(stored) == ["56102", picked]

        page.goto(f"{server.url}/daftar-mandiri")
        picked = pick_first(page, "bengkel")
        expect(page.locator("#kbli")).to_have_value(picked)
        pick_first(page, "bengkel")  # the same one again: listed once
        expect(page.locator("#kbli")).to_have_value(picked)
    finally:
        server.kill()
