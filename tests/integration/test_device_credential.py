"""The phone's device credential over real HTTP (issue 10, item 3): made once right after
login, good without a session for the intake API only, refused when expired or revoked,
revoked at logout, by an admin, and by a password, role or access change."""

from __future__ import annotations

import sqlite3

import httpx

from tests.integration.test_accounts_admin import (
    NEW_PASSWORD,
    create_user,
    post_form,
    user_session,
)
from tests.support import (
    ServerProcess,
    application,
    client,
    new_key,
    officer_client,
)


def issue(http: httpx.Client) -> httpx.Response:
    return http.post("/api/perangkat", json={})


def device_token(http: httpx.Client) -> str:
    response = issue(http)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()["token"]


def as_device(server: ServerProcess, token: str) -> httpx.Client:
    """A client with no session cookie at all: only the device credential."""
    http = client(server.url)
    http.headers["Authorization"] = f"Device {token}"
    return http


def submit(http: httpx.Client, **changes: str) -> httpx.Response:
    return http.post("/api/applications", json=application(**changes),
                     headers={"Idempotency-Key": new_key()})


def execute(server: ServerProcess, sql: str, *params: object) -> None:
    conn = sqlite3.connect(server.db_path)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def test_device_credential_sends_applications_without_a_session(
    server: ServerProcess,
) -> None:
    officer = officer_client(server.url)
    lost = device_token(officer)  # an answer the phone lost (it navigated away)
    token = device_token(officer)  # asking again: one live credential per login
    assert token != lost
    assert submit(as_device(server, lost)).status_code == 401
    assert len(token) >= 43  # 256 bits, url-safe base64
    stored = server.query("SELECT token_hash FROM device_credentials")
    assert all(token not in row[0] for row in stored)  # only its hash is kept

    phone = as_device(server, token)
    created = submit(phone, business_name="Lewat Kredensial")
    assert created.status_code == 201, created.text
    code = created.json()["tracking_code"]
    owner = server.query("SELECT u.username FROM applications a JOIN users u"
                         " ON u.id = a.officer_id WHERE a.tracking_code = ?", code)
    assert owner == [("petugas",)]
    batch = phone.post("/api/applications/batch", json={"items": [
        {"id": new_key(), "body": application(business_name="Lewat Kredensial 2")}]})
    assert batch.status_code == 200
    assert batch.json()["results"][0]["status"] == 201
    assert server.query("SELECT last_used_at IS NOT NULL FROM device_credentials"
                        " WHERE user_id = (SELECT id FROM users WHERE username = 'petugas')"
                        " ORDER BY id DESC LIMIT 1") == [(1,)]


def test_device_credential_opens_nothing_else(server: ServerProcess) -> None:
    officer = officer_client(server.url)
    phone = as_device(server, device_token(officer))
    assert phone.get("/petugas/").status_code in (303, 401)
    assert phone.get("/petugas/antrian").status_code in (303, 401)
    assert phone.get("/admin/pengguna").status_code in (303, 401)
    # Not even a new device credential: that needs the fresh session itself.
    assert phone.post("/api/perangkat", json={}).status_code == 401
    assert phone.post("/api/push/petugas", json={}).status_code == 401
    code = submit(phone).json()["tracking_code"]
    assert phone.get(f"/petugas/permohonan/{code}").status_code in (303, 401)
    # A wrong token, or a session-style header, is nobody.
    assert submit(as_device(server, "x" * 43)).status_code == 401
    bearer = client(server.url)
    bearer.headers["Authorization"] = "Bearer " + device_token(officer_client(server.url))
    assert submit(bearer).status_code == 401


def test_expired_or_revoked_credential_is_refused(server: ServerProcess) -> None:
    expired = device_token(officer_client(server.url))
    revoked = device_token(officer_client(server.url))
    assert submit(as_device(server, expired)).status_code == 201
    # Ends the newest-but-one (expired) and newest (revoked) credential behind the server.
    rows = server.query("SELECT id FROM device_credentials ORDER BY id DESC LIMIT 2")
    execute(server, "UPDATE device_credentials SET expires_at = '2020-01-01T00:00:00.000+00:00'"
            " WHERE id = ?", rows[1][0])
    execute(server, "UPDATE device_credentials SET revoked_at = '2020-01-01T00:00:00.000+00:00'"
            " WHERE id = ?", rows[0][0])
    for token in (expired, revoked):
        answer = submit(as_device(server, token))
        assert answer.status_code == 401
        assert answer.json()["error"] == "unauthenticated"


def test_session_must_be_fresh(server: ServerProcess) -> None:
    officer = officer_client(server.url)
    execute(server, "UPDATE sessions SET created_at = created_at - 3600"
            " WHERE created_at = (SELECT max(created_at) FROM sessions)")
    answer = issue(officer)
    assert answer.status_code == 403
    assert answer.json()["error"] == "session_not_fresh"


def test_logout_revokes_the_credential_the_phone_sends(server: ServerProcess) -> None:
    officer = officer_client(server.url)
    token = device_token(officer)
    other = device_token(officer_client(server.url))  # the officer's other phone
    logout = post_form(officer, "/petugas/", "/keluar", device_token=token)
    assert logout.status_code == 303
    assert submit(as_device(server, token)).status_code == 401
    assert submit(as_device(server, other)).status_code == 201


def test_password_role_and_access_changes_revoke_credentials(
    server: ServerProcess, admin: httpx.Client
) -> None:
    name, user_id = create_user(admin)
    page = f"/admin/pengguna/{user_id}"

    token = device_token(user_session(server, name))
    assert submit(as_device(server, token)).status_code == 201
    post_form(admin, page, f"{page}/kata-sandi", password=NEW_PASSWORD,
              password_again=NEW_PASSWORD)
    assert submit(as_device(server, token)).status_code == 401

    token = device_token(user_session(server, name, NEW_PASSWORD))
    post_form(admin, page, f"{page}/peran", role="admin")  # a role that may still capture
    assert submit(as_device(server, token)).status_code == 401

    token = device_token(user_session(server, name, NEW_PASSWORD))
    post_form(admin, page, f"{page}/nonaktifkan")
    assert submit(as_device(server, token)).status_code == 401


def test_admin_lists_and_revokes_one_credential(
    server: ServerProcess, admin: httpx.Client
) -> None:
    name, user_id = create_user(admin)
    first = device_token(user_session(server, name))
    second = device_token(user_session(server, name))
    page = admin.get(f"/admin/pengguna/{user_id}")
    assert page.text.count('data-usable="1"') == 2
    (first_id,), = server.query(
        "SELECT id FROM device_credentials WHERE user_id = ? ORDER BY id LIMIT 1", user_id)
    answer = post_form(admin, f"/admin/pengguna/{user_id}",
                       f"/admin/pengguna/{user_id}/perangkat/{first_id}/cabut")
    assert answer.status_code == 303
    assert submit(as_device(server, first)).status_code == 401
    assert submit(as_device(server, second)).status_code == 201
    page = admin.get(f"/admin/pengguna/{user_id}")
    assert page.text.count('data-usable="1"') == 1
    assert "Dicabut" in page.text
