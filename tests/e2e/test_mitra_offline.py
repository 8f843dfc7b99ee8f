"""Referrals ticked on the capture form with the server unreachable travel with the
application through the phone's outbox; after replay each agency sees its own on /mitra."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.pwa import UNSENT, fill_application, login, poll, save, wait_offline_ready
from tests.support import ADMIN, ServerProcess, client, csrf_from, visible_text
from tests.support import login as http_login

pytestmark = pytest.mark.e2e

PASSWORD = "kebun-kopi-wlingi-pagi"


def mitra_of(server: ServerProcess, admin: httpx.Client, agency: str) -> httpx.Client:
    (agency_id,), = server.query("SELECT id FROM agencies WHERE code = ?", agency)
    name = f"mitra{uuid.uuid4().hex[:6]}"
    made = admin.post("/admin/pengguna", data={
        "_csrf_token": csrf_from(admin.get("/admin/pengguna").text), "username": name,
        "full_name": f"Petugas {agency}", "role": "mitra", "agency_id": str(agency_id),
        "password": PASSWORD})
    assert made.status_code == 303, made.text
    http = client(server.url)
    assert http_login(http, name, PASSWORD).status_code == 303
    return http


def test_referrals_ticked_offline_reach_both_agencies(
        phone: Any, fresh_server: ServerProcess) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/daftar")
    wait_offline_ready(page)
    fresh_server.stop()

    page.goto(f"{fresh_server.url}/petugas/daftar")
    page.select_option("#kecamatan", "35.05.01")  # desa picker from the phone's data
    poll(page, "() => document.querySelector('#desa').options.length", lambda n: n > 1)
    fill_application(page, "Sambal Pecel Mbok Darmi")
    page.check("input[name=referrals][value=pirt]")
    page.check("input[name=referrals][value=npwp]")
    save(page)
    page.wait_for_selector("[data-form-notice]:has-text('Tersimpan di HP')")
    queued = page.evaluate("() => JBM.outbox.all().then(a => a.map(i => i.body.referrals))")
    assert queued == [["pirt", "npwp"]]  # a list, as the API takes it

    fresh_server.start()
    page.goto(f"{fresh_server.url}/petugas/antrian")  # opening the app sends the queue
    poll(page, UNSENT, lambda n: n == 0, timeout=30)

    assert fresh_server.query(
        "SELECT s.code, r.status FROM referrals r JOIN agency_services s ON s.id = r.service_id"
        " JOIN applications a ON a.id = r.application_id"
        " WHERE a.business_name = 'Sambal Pecel Mbok Darmi' ORDER BY s.code"
    ) == [("npwp", "requested"), ("pirt", "requested")]
    admin = client(fresh_server.url)
    assert http_login(admin, *ADMIN).status_code == 303
    desks = {code: mitra_of(fresh_server, admin, code) for code in ("dinkes", "kpp", "dlh")}
    try:
        services = {"dinkes": "Izin PIRT", "kpp": "NPWP (aktivasi NIK sebagai NPWP)"}
        for agency, service in services.items():
            text = visible_text(desks[agency].get("/mitra").text)
            assert "Sambal Pecel Mbok Darmi" in text and service in text, agency
            other = next(s for a, s in services.items() if a != agency)
            assert other not in text
        assert "Sambal Pecel" not in desks["dlh"].get("/mitra").text  # not referred there
    finally:
        for http in (admin, *desks.values()):
            http.close()
