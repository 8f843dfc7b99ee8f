"""Partner services asked for at the table travel with the application: one referral row per
service, the same through the form and the JSON API, and nothing for an unknown service."""

from __future__ import annotations

import httpx

from tests.support import ServerProcess, application, csrf_from, new_key, post_application


def referrals_of(server: ServerProcess, client_id: str) -> list[tuple[str, str]]:
    return server.query(
        "SELECT s.code, r.status FROM referrals r JOIN agency_services s ON s.id = r.service_id"
        " JOIN applications a ON a.id = r.application_id WHERE a.client_id = ?"
        " ORDER BY s.code", client_id)


def test_api_application_with_two_services_gets_two_referrals(
        server: ServerProcess, officer: httpx.Client) -> None:
    key = new_key()
    r = post_application(officer, key, application(referrals=["npwp", "halal"]))
    assert r.status_code == 201, r.text
    assert referrals_of(server, key) == [("halal", "requested"), ("npwp", "requested")]
    again = post_application(officer, key, application(referrals=["npwp", "halal"]))
    assert again.status_code == 200
    assert len(referrals_of(server, key)) == 2


def test_unknown_service_is_a_field_error_and_nothing_is_stored(
        server: ServerProcess, officer: httpx.Client) -> None:
    key = new_key()
    r = post_application(officer, key, application(referrals=["halal", "pinjol"]))
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"referrals"}
    assert server.query("SELECT count(*) FROM applications WHERE client_id = ?", key) == [(0,)]


def test_capture_form_shows_the_services_and_stores_the_ticked_ones(
        server: ServerProcess, officer: httpx.Client) -> None:
    page = officer.get("/petugas/daftar")
    assert 'name="referrals" value="pirt"' in page.text
    key = new_key()
    body = {k: (", ".join(v) if isinstance(v, list) else v)
            for k, v in application().items() if k != "referrals"}
    body["no_email"] = "on" if body.get("no_email") else ""
    form = {**{k: str(v) for k, v in body.items()}, "referrals": ["pirt", "bpjs_tk"],
            "client_id": key, "_csrf_token": csrf_from(page.text)}
    r = officer.post("/petugas/daftar", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert referrals_of(server, key) == [("bpjs_tk", "requested"), ("pirt", "requested")]
