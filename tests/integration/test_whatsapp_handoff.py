"""WhatsApp hand-off of an issued NIB, and the admin's message template, over real HTTP."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx

from app.db.applications import change_status
from app.db.connection import open_sync, run_transaction
from tests.support import (
    ADMIN,
    ServerProcess,
    application,
    client,
    csrf_from,
    login,
    new_key,
    post_application,
)


def _issue(server: ServerProcess, key: str, nib: str) -> str:
    (app_id, code), = server.query(
        "SELECT id, tracking_code FROM applications WHERE client_id = ?", key)
    conn = open_sync(server.db_path)
    try:
        run_transaction(conn, change_status, app_id, "issued", "oss", "NIB terbit",
                        "2026-11-29T03:00:00+00:00", nib)
    finally:
        conn.close()
    return code


def test_admin_template_then_officer_hands_off_and_marks_it(
    server: ServerProcess, officer: httpx.Client
) -> None:
    with client(server.url) as admin:
        assert login(admin, *ADMIN).status_code == 303
        page = admin.get("/admin/pesan-whatsapp")
        assert page.status_code == 200
        token = csrf_from(page.text)
        bad = admin.post("/admin/pesan-whatsapp",
                         data={"_csrf_token": token, "template": "Halo {usaha}"})
        assert bad.status_code == 422
        assert "{nib}" in html.unescape(bad.text)  # the message says what is missing
        assert "Halo {usaha}" in html.unescape(bad.text)  # what was typed is kept
        saved = admin.post("/admin/pesan-whatsapp", data={
            "_csrf_token": token,
            "template": "NIB {usaha}: {nib}. Cek: {tautan}"})
        assert saved.status_code == 303
    # an officer may not edit it
    assert officer.get("/admin/pesan-whatsapp").status_code == 403

    key = new_key()
    assert post_application(officer, key, application(business_name="Soto Pak Kumis")
                            ).status_code == 201
    code = _issue(server, key, "9120001234567")
    detail = officer.get(f"/petugas/permohonan/{code}")
    link = html.unescape(re.search(r'href="(https://wa\.me/[^"]+)"', detail.text).group(1))
    parts = urlsplit(link)
    assert parts.path == "/6281234567890"
    text = parse_qs(parts.query)["text"][0]
    assert text.startswith("NIB Soto Pak Kumis: 9120001234567. Cek: ")
    assert f"/cek?kode={code}" in text

    marked = officer.post(f"/petugas/permohonan/{code}/whatsapp-terkirim",
                          data={"_csrf_token": csrf_from(detail.text)})
    assert marked.status_code == 303
    history = server.query(
        "SELECT h.status, h.actor FROM application_history h JOIN applications a"
        " ON a.id = h.application_id WHERE a.client_id = ? ORDER BY h.id", key)
    assert history[-1] == ("notified", "petugas")
    assert server.query("SELECT status FROM applications WHERE client_id = ?", key) == [
        ("notified",)]
    assert server.query(
        "SELECT w.actor FROM whatsapp_handoffs w JOIN applications a ON a.id = w.application_id"
        " WHERE a.client_id = ?", key) == [("petugas",)]


def test_hand_off_is_refused_before_the_nib_exists(
    server: ServerProcess, officer: httpx.Client
) -> None:
    key = new_key()
    code = post_application(officer, key, application()).json()["tracking_code"]
    detail = officer.get(f"/petugas/permohonan/{code}")
    assert "wa.me" not in detail.text
    response = officer.post(f"/petugas/permohonan/{code}/whatsapp-terkirim",
                            data={"_csrf_token": csrf_from(detail.text)})
    assert response.status_code in (303, 409, 422)
    assert server.query("SELECT status FROM applications WHERE client_id = ?", key) == [
        ("received",)]
