"""Sessions, CSRF, security headers and personal-data masking, over real HTTP."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.support import (
    ADMIN,
    NIK_RUN,
    OFFICER,
    ServerProcess,
    application,
    client,
    csrf_from,
    login,
    new_key,
    officer_client,
    post_application,
    visible_text,
)

SESSION = "jbm_session"


def test_login_rotates_a_planted_session_id(server: ServerProcess) -> None:
    with client(server.url) as http:
        planted = "attacker-chosen-session-id-0123456789abcdef"
        http.cookies.set(SESSION, planted, domain="127.0.0.1")
        response = login(http, *OFFICER)
        assert response.status_code == 303
        issued = response.cookies.get(SESSION)
        assert issued and issued != planted
        assert len(issued) >= 43  # 256 random bits, base64url
    # The planted id is not a session, before or after the login.
    with client(server.url) as attacker:
        attacker.cookies.set(SESSION, planted, domain="127.0.0.1")
        assert attacker.get("/petugas/").status_code == 303


def test_login_replaces_an_existing_session(server: ServerProcess) -> None:
    with client(server.url) as http:
        assert login(http, *OFFICER).status_code == 303
        first = http.cookies.get(SESSION)
        token = csrf_from(http.get("/petugas/").text)
        again = http.post("/masuk", data={"_csrf_token": token, "username": OFFICER[0],
                                          "password": OFFICER[1]})
        assert again.status_code == 303
        second = http.cookies.get(SESSION)
        assert first != second
    with client(server.url) as old:
        old.cookies.set(SESSION, first, domain="127.0.0.1")
        assert old.get("/petugas/").status_code == 303


def test_session_cookie_flags(server: ServerProcess) -> None:
    with client(server.url) as http:
        response = login(http, *OFFICER)
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert re.search(r"Max-Age=\d+", cookie)


def test_session_cookie_is_secure_and_host_prefixed_over_https(tmp_path) -> None:
    proc = ServerProcess(tmp_path / "tls", JBM_BASE_URL="https://jbm.example.go.id")
    proc.seed()
    proc.start()
    try:
        with client(proc.url) as http:
            page = http.get("/masuk")
            # httpx will not send back a Secure cookie over http: post the CSRF pair by hand.
            csrf_set = page.headers["set-cookie"]
            assert csrf_set.startswith("__Host-jbm_csrf=")
            assert "Secure" in csrf_set and "Path=/" in csrf_set and "Domain" not in csrf_set
            csrf_cookie = page.cookies.get("__Host-jbm_csrf")
            response = http.post(
                "/masuk",
                data={"_csrf_token": csrf_from(page.text), "username": OFFICER[0],
                      "password": OFFICER[1]},
                headers={"Cookie": f"__Host-jbm_csrf={csrf_cookie}"},
            )
        assert response.status_code == 303
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-jbm_session=")
        assert "Secure" in cookie
        assert "strict-transport-security" in response.headers
    finally:
        proc.stop()


def test_wrong_password_is_refused_with_a_message(server: ServerProcess) -> None:
    with client(server.url) as http:
        response = login(http, OFFICER[0], "salah-sandi")
        assert response.status_code == 422
        assert "salah" in response.text
        assert SESSION not in response.cookies
        assert http.get("/petugas/").status_code == 303


def test_logout_ends_the_session_server_side(server: ServerProcess) -> None:
    http = officer_client(server.url)
    token = http.cookies.get(SESSION)
    page = http.get("/petugas/")
    assert page.status_code == 200
    response = http.post("/keluar", data={"_csrf_token": csrf_from(page.text)})
    assert response.status_code == 303
    http.close()
    with client(server.url) as replay:
        replay.cookies.set(SESSION, token, domain="127.0.0.1")
        assert replay.get("/petugas/").status_code == 303
        assert post_application(replay, new_key(), application()).status_code == 401


def test_idle_session_expires(tmp_path) -> None:
    proc = ServerProcess(tmp_path / "idle", JBM_SESSION_IDLE_S="1")
    proc.seed()
    proc.start()
    try:
        http = officer_client(proc.url)
        assert http.get("/petugas/").status_code == 200
        time.sleep(2.2)
        assert http.get("/petugas/").status_code == 303
        http.close()
    finally:
        proc.stop()


def test_absolute_session_lifetime_ends_even_when_active(tmp_path) -> None:
    proc = ServerProcess(tmp_path / "abs", JBM_SESSION_ABSOLUTE_S="2")
    proc.seed()
    proc.start()
    try:
        http = officer_client(proc.url)
        for _ in range(3):
            assert http.get("/petugas/").status_code == 200
            time.sleep(0.4)
        time.sleep(1.2)
        assert http.get("/petugas/").status_code == 303
        http.close()
    finally:
        proc.stop()


def test_officer_pages_redirect_anonymous_visitors_to_login(server: ServerProcess) -> None:
    with client(server.url) as http:
        response = http.get("/petugas/daftar")
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?next=/petugas/daftar"


UNSAFE_FORM_ROUTES = ["/masuk", "/keluar", "/petugas/daftar", "/cek", "/tema",
                      "/masuk/pemberitahuan", "/admin/pengguna", "/admin/pengguna/1/peran",
                      "/admin/pengguna/1/kata-sandi", "/admin/pengguna/1/nonaktifkan",
                      "/admin/pengguna/1/aktifkan", "/admin/pengguna/1/cabut-sesi"]


@pytest.mark.parametrize("path", UNSAFE_FORM_ROUTES)
def test_unsafe_form_routes_reject_requests_without_csrf_token(
    server: ServerProcess, path: str
) -> None:
    # An admin for the admin routes: an officer's 403 there would come from the role guard.
    http = client(server.url)
    assert login(http, *(ADMIN if path.startswith("/admin") else OFFICER)).status_code == 303
    response = http.post(path, data={"username": "x", "password": "y", "kode": "x"})
    assert response.status_code == 403
    forged = http.post(path, data={"_csrf_token": "0" * 64})
    assert forged.status_code == 403
    http.close()


@pytest.mark.parametrize("path", ["/petugas/permohonan/api/whatsapp-terkirim",
                                  "/petugas/permohonan/api/perbaiki"])
def test_a_form_route_whose_path_holds_api_still_needs_the_csrf_token(
    server: ServerProcess, path: str
) -> None:
    # The JSON API's exemption once matched "/api/" anywhere in a path (issue 9, defect 9).
    http = officer_client(server.url)
    token = csrf_from(http.get("/petugas/daftar").text)
    assert http.post(path, data={"kode": "x"}).status_code == 403
    # With the token the same request reaches the handler: no application "api".
    assert http.post(path, data={"_csrf_token": token}).status_code == 404
    http.close()


def test_htmx_requests_pass_csrf_with_the_header_token(server: ServerProcess) -> None:
    http = officer_client(server.url)
    page = http.get("/petugas/daftar")
    token = re.search(r'hx-headers=\'\{"x-csrf-token": "([^"]+)"\}\'', page.text).group(1)
    response = http.post("/petugas/daftar", data={"client_id": new_key(), "nik": "1"},
                         headers={"x-csrf-token": token, "HX-Request": "true"})
    assert response.status_code == 422
    assert "<form" in response.text and "<html" not in response.text
    http.close()


SHELL_PAGES = {"/petugas/daftar"}
HTML_ROUTES = ["/", "/masuk", "/cek", "/ref/kbli?q=jahit", "/petugas/", "/petugas/daftar",
               "/halaman-tidak-ada"]


@pytest.mark.parametrize("path", HTML_ROUTES)
def test_every_html_route_carries_security_headers(server: ServerProcess, path: str) -> None:
    http = officer_client(server.url) if path.startswith("/petugas") else client(server.url)
    response = http.get(path)
    http.close()
    assert response.status_code in (200, 404)
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    if path in SHELL_PAGES:
        # the empty form belongs to the offline app shell: revalidated, never personal
        assert response.headers["cache-control"] == "no-cache"
    elif path.startswith(("/petugas", "/masuk", "/cek")):
        assert response.headers["cache-control"] == "no-store"


def test_responses_are_compressed(server: ServerProcess) -> None:
    with client(server.url) as http:
        response = http.get("/static/vendor/htmx-2.0.11.min.js",
                            headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["content-encoding"] in {"br", "gzip"}


# The test's own applications, each with a NIK of its own (same person's region and
# birth date, serials 0012, 0013, 0014): every one must stay masked in the lists.
OWN_NIKS = [f"35050145079000{12 + i}" for i in range(3)]


def test_list_pages_never_show_a_full_nik(server: ServerProcess, officer: httpx.Client) -> None:
    codes = []
    for i, nik in enumerate(OWN_NIKS):
        created = post_application(officer, new_key(),
                                   application(nik=nik, business_name=f"Masking {i}"))
        assert created.status_code == 201
        codes.append(created.json()["tracking_code"])
    home = officer.get("/petugas/")
    shown = visible_text(home.text)
    assert "Masking 2" in shown
    for nik in OWN_NIKS:
        assert f"{nik[:4]}••••••••{nik[-4:]}" in shown
    receipt = officer.get(f"/petugas/permohonan/{codes[-1]}/tanda-terima")
    assert receipt.status_code == 200
    for page in (home, receipt):
        # no full NIK in what the page shows (any NIK: other tests' rows are listed too),
        # nor any of this test's NIKs anywhere in it (attributes, scripts, links)
        assert not NIK_RUN.search(visible_text(page.text))
        assert not [nik for nik in OWN_NIKS if nik in page.text]
    assert not [nik for nik in OWN_NIKS if nik in server.log_text()]
    # the authorised detail view is the one place the full NIK appears
    detail = officer.get(f"/petugas/permohonan/{codes[-1]}")
    assert OWN_NIKS[-1] in visible_text(detail.text)


def test_personal_data_never_reaches_the_server_log(server: ServerProcess,
                                                    officer: httpx.Client) -> None:
    post_application(officer, new_key(), application(nik="3505014507900012"))
    post_application(officer, new_key(), application(nik="9999"))
    log = server.log_text()
    assert "3505014507900012" not in log
    assert "81234567890" not in log
