"""An error answer to an htmx request carries its message as an HX-Trigger event: htmx does
not swap 4xx/5xx answers, so a page there would never be seen."""

from __future__ import annotations

import json

import httpx

from tests.support import ServerProcess

HTMX = {"HX-Request": "true"}


def test_not_found_for_htmx_is_a_toast_event(officer: httpx.Client) -> None:
    response = officer.get("/petugas/permohonan/ZZZZZZZ", headers=HTMX)
    assert response.status_code == 404
    event = json.loads(response.headers["HX-Trigger"])
    assert event == {"jbm:toast": {"message": "Halaman tidak ditemukan.", "kind": "error"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_not_found_without_htmx_is_the_error_page(officer: httpx.Client) -> None:
    response = officer.get("/petugas/permohonan/ZZZZZZZ")
    assert response.status_code == 404
    assert "HX-Trigger" not in response.headers
    assert "Halaman tidak ditemukan." in response.text


def test_expired_session_for_htmx_redirects_to_login(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url) as anonymous:
        response = anonymous.get("/petugas/daftar", headers=HTMX)
    assert response.headers.get("HX-Redirect", "").startswith("/masuk?next=")
