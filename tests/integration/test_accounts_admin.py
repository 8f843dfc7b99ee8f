"""User management (issue 9, defect 7) and the audit log, over real HTTP.

Sessions end when a user's password or role changes or the user is disabled; the admin
pages are for admins only; the audit log records it all and refuses UPDATE and DELETE.
"""

from __future__ import annotations

import re
import sqlite3
import uuid

import httpx
import pytest

from tests.support import ServerProcess, client, csrf_from, login, officer_client

PASSWORD = "sawah-hijau-kanigoro"
NEW_PASSWORD = "gunung-kelud-pagi-hari"


def from_address(proc: ServerProcess, source: str) -> httpx.Client:
    """Failing logins come from their own address: the shared server's 127.0.0.1 stays
    clear of the per-client lock."""
    return httpx.Client(base_url=proc.url, timeout=15.0, follow_redirects=False,
                        transport=httpx.HTTPTransport(local_address=source))


def post_form(http: httpx.Client, page: str, action: str, **data: str) -> httpx.Response:
    token = csrf_from(http.get(page).text)
    return http.post(action, data={"_csrf_token": token, **data})


def create_user(admin: httpx.Client, role: str = "officer") -> tuple[str, int]:
    name = f"u{uuid.uuid4().hex[:10]}"
    response = post_form(admin, "/admin/pengguna", "/admin/pengguna", username=name,
                         full_name="Pengguna Uji", role=role, password=PASSWORD)
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/admin/pengguna/(\d+)\?selesai=dibuat", response.headers["location"])
    assert match
    return name, int(match.group(1))


def user_session(proc: ServerProcess, username: str, password: str = PASSWORD) -> httpx.Client:
    http = client(proc.url)
    assert login(http, username, password).status_code == 303
    assert http.get("/akun").status_code == 200  # any role: a logged-in user's page
    return http


def sessions_of(proc: ServerProcess, user_id: int) -> int:
    return proc.query("SELECT count(*) FROM sessions WHERE user_id = ?", user_id)[0][0]


def audit_actions(proc: ServerProcess, user_id: int) -> list[str]:
    rows = proc.query("SELECT action FROM audit_log WHERE target_type = 'user'"
                      " AND target_id = ? ORDER BY id", str(user_id))
    return [row[0] for row in rows]


@pytest.mark.parametrize("path", ["/admin/pengguna", "/admin/pengguna/1", "/admin/audit"])
def test_user_and_audit_pages_are_for_admins_only(server: ServerProcess, path: str) -> None:
    officer = officer_client(server.url)
    assert officer.get(path).status_code == 403
    officer.close()
    with client(server.url) as anonymous:
        response = anonymous.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/masuk?next={path}"


def test_admin_creates_a_user_with_field_errors_first(server: ServerProcess,
                                                      admin: httpx.Client) -> None:
    bad = post_form(admin, "/admin/pengguna", "/admin/pengguna", username="a b",
                    full_name="", role="raja", password="pendek")
    assert bad.status_code == 422
    for message in ("Nama pengguna 3–32 karakter", "Isi nama lengkap",
                    "Pilih peran dari daftar", "Kata sandi minimal 12 karakter"):
        assert message in bad.text
    common = post_form(admin, "/admin/pengguna", "/admin/pengguna", username="rudi.h",
                       full_name="Rudi", role="officer", password="qwerty123456")
    assert common.status_code == 422 and "terlalu umum" in common.text
    assert 'value="rudi.h"' in common.text  # values kept, the password not
    name, user_id = create_user(admin, role="dpo")
    taken = post_form(admin, "/admin/pengguna", "/admin/pengguna", username=name.upper(),
                      full_name="Lagi", role="officer", password=PASSWORD)
    assert taken.status_code == 422 and "sudah dipakai" in taken.text
    assert server.query("SELECT role, active FROM users WHERE id = ?", user_id) == [("dpo", 1)]
    listing = admin.get("/admin/pengguna")
    assert f'data-user="{name}"' in listing.text
    user_session(server, name).close()
    assert audit_actions(server, user_id) == ["user.created", "login.ok"]


def test_a_role_change_ends_the_users_sessions(server: ServerProcess,
                                               admin: httpx.Client) -> None:
    name, user_id = create_user(admin)
    http = user_session(server, name)
    changed = post_form(admin, f"/admin/pengguna/{user_id}", f"/admin/pengguna/{user_id}/peran",
                        role="oss_operator")
    assert changed.status_code == 303
    assert sessions_of(server, user_id) == 0
    assert http.get("/petugas/").status_code == 303  # back to the login page
    http.close()
    assert server.query("SELECT role FROM users WHERE id = ?", user_id) == [("oss_operator",)]
    assert server.query("SELECT detail FROM audit_log WHERE action = 'user.role' AND"
                        " target_id = ?", str(user_id)) == [("officer → oss_operator; 1 sesi"
                                                             " diakhiri",)]


def test_a_password_reset_ends_the_users_sessions(server: ServerProcess,
                                                  admin: httpx.Client) -> None:
    name, user_id = create_user(admin)
    http = user_session(server, name)
    page = f"/admin/pengguna/{user_id}"
    differ = post_form(admin, page, f"{page}/kata-sandi", password=NEW_PASSWORD,
                       password_again="lain-sekali-bedanya")
    assert differ.status_code == 422 and "tidak sama" in differ.text
    weak = post_form(admin, page, f"{page}/kata-sandi", password="password1234",
                     password_again="password1234")
    assert weak.status_code == 422 and "terlalu umum" in weak.text
    assert sessions_of(server, user_id) == 1
    reset = post_form(admin, page, f"{page}/kata-sandi", password=NEW_PASSWORD,
                      password_again=NEW_PASSWORD)
    assert reset.status_code == 303
    assert sessions_of(server, user_id) == 0
    assert http.get("/petugas/").status_code == 303
    http.close()
    with from_address(server, "127.0.0.31") as old:
        assert login(old, name, PASSWORD).status_code == 422
    user_session(server, name, NEW_PASSWORD).close()
    assert "user.password" in audit_actions(server, user_id)


def test_a_disabled_user_loses_their_sessions_and_cannot_log_in(
    server: ServerProcess, admin: httpx.Client
) -> None:
    name, user_id = create_user(admin)
    http = user_session(server, name)
    page = f"/admin/pengguna/{user_id}"
    assert post_form(admin, page, f"{page}/nonaktifkan").status_code == 303
    assert sessions_of(server, user_id) == 0
    assert http.get("/petugas/").status_code == 303
    http.close()
    with from_address(server, "127.0.0.32") as again:
        refused = login(again, name, PASSWORD)
        # the same answer as a wrong password: a disabled account is not revealed
        assert refused.status_code == 422
        assert "Nama pengguna atau kata sandi salah" in refused.text
    assert 'data-active="0"' in admin.get(page).text
    assert post_form(admin, page, f"{page}/aktifkan").status_code == 303
    user_session(server, name).close()
    assert audit_actions(server, user_id)[-4:] == ["user.disabled", "login.failed",
                                                   "user.enabled", "login.ok"]
    assert server.query("SELECT detail FROM audit_log WHERE action = 'login.failed'"
                        " AND target_id = ?", str(user_id)) == [("akun nonaktif",)]


def test_revoking_sessions_logs_the_user_out_everywhere(server: ServerProcess,
                                                        admin: httpx.Client) -> None:
    name, user_id = create_user(admin)
    phone, laptop = user_session(server, name), user_session(server, name)
    assert sessions_of(server, user_id) == 2
    page = f"/admin/pengguna/{user_id}"
    revoked = post_form(admin, page, f"{page}/cabut-sesi")
    assert revoked.status_code == 303
    assert revoked.headers["location"] == f"{page}?selesai=sesi"
    assert "Semua sesi pengguna ini sudah dicabut" in admin.get(revoked.headers["location"]).text
    for http in (phone, laptop):
        assert http.get("/petugas/").status_code == 303
        http.close()
    assert server.query("SELECT detail FROM audit_log WHERE action = 'user.sessions_revoked'"
                        " AND target_id = ?", str(user_id)) == [("2 sesi diakhiri",)]


def test_an_admin_cannot_disable_or_demote_themselves(server: ServerProcess,
                                                      admin: httpx.Client) -> None:
    (admin_id,) = server.query("SELECT id FROM users WHERE username = 'admin'")[0]
    page = f"/admin/pengguna/{admin_id}"
    for action, data in (("nonaktifkan", {}), ("peran", {"role": "officer"})):
        refused = post_form(admin, page, f"{page}/{action}", **data)
        assert refused.status_code == 422
        assert "harus dilakukan oleh admin lain" in refused.text
    assert server.query("SELECT role, active FROM users WHERE id = ?", admin_id) == [
        ("admin", 1)]
    assert admin.get("/admin/pengguna").status_code == 200


def test_the_audit_log_is_append_only(server: ServerProcess) -> None:
    conn = sqlite3.connect(server.db_path)
    try:
        conn.execute("INSERT INTO audit_log (at, action, detail) VALUES"
                     " ('2025-01-01T00:00:00.000+00:00', 'test.append', 'uji')")
        conn.commit()
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE audit_log SET detail = 'diubah' WHERE action = 'test.append'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM audit_log WHERE action = 'test.append'")
        conn.rollback()
    finally:
        conn.close()
    assert server.query("SELECT detail FROM audit_log WHERE action = 'test.append'") == [
        ("uji",)]


def test_the_audit_page_filters_and_never_shows_a_tried_password(
    server: ServerProcess, admin: httpx.Client
) -> None:
    name, _ = create_user(admin)
    tried = f"tebakan-{uuid.uuid4().hex[:8]}"
    with from_address(server, "127.0.0.33") as http:
        assert login(http, name, tried).status_code == 422
    page = admin.get("/admin/audit", params={"aksi": "login.failed", "pengguna": name})
    assert page.status_code == 200
    rows = re.findall(r'<tr data-action="([^"]+)">', page.text)
    assert rows == ["login.failed"]
    assert f"pengguna {name}" in page.text and "127.0.0.33" in page.text
    assert tried not in page.text
    assert server.query("SELECT count(*) FROM audit_log WHERE detail LIKE ?",
                        f"%{tried}%") == [(0,)]
    everything = admin.get("/admin/audit", params={"pengguna": name})
    assert re.findall(r'<tr data-action="([^"]+)">', everything.text) == [
        "login.failed", "user.created"]  # newest first
    future = admin.get("/admin/audit", params={"pengguna": name, "dari": "2999-01-01"})
    assert "Tidak ada catatan yang cocok" in future.text
    bad_date = admin.get("/admin/audit", params={"dari": "31-12-2025"})
    assert bad_date.status_code == 422 and "Tanggal tidak sah" in bad_date.text


def test_the_audit_page_is_paginated(server: ServerProcess, admin: httpx.Client) -> None:
    conn = sqlite3.connect(server.db_path)
    try:
        conn.executemany("INSERT INTO audit_log (at, action, detail) VALUES (?, ?, ?)",
                         [("2024-02-01T00:00:00.000+00:00", "test.page", f"baris {i}")
                          for i in range(60)])
        conn.commit()
    finally:
        conn.close()
    first = admin.get("/admin/audit", params={"aksi": "test.page"})
    assert first.text.count('<tr data-action="test.page">') == 50
    assert "baris 59" in first.text and "Halaman 1 dari 2" in first.text
    second = admin.get("/admin/audit", params={"aksi": "test.page", "halaman": 2})
    assert second.text.count('<tr data-action="test.page">') == 10
    assert "baris 0<" in second.text
