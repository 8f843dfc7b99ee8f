"""The receipt's QR code and link name an address a citizen's phone can open: JBM_BASE_URL
when it is set, else the address the request came to (its Host header), never the bind
address 127.0.0.1 of a server that was simply not configured."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.support import (
    ServerProcess,
    application,
    new_key,
    officer_client,
    post_application,
)

WARNING = "JBM_BASE_URL is not set"


def _receipt(http: httpx.Client, host: str | None = None) -> str:
    response = post_application(http, new_key(), application(business_name="Alamat Publik"))
    assert response.status_code == 201, response.text
    code = response.json()["tracking_code"]
    headers = {"Host": host} if host else {}
    page = http.get(f"/petugas/permohonan/{code}/tanda-terima", headers=headers)
    assert page.status_code == 200, (host, page.status_code)
    return page.text


def _status_links(html: str) -> set[str]:
    return set(re.findall(r"(https?://[^\s\"'<]+)/cek\?kode=", html))


def test_unset_base_url_takes_the_request_host_and_warns_once(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data")
    server.env.pop("JBM_BASE_URL", None)
    server.seed()
    server.start()
    try:
        http = officer_client(server.url)
        try:
            assert _status_links(_receipt(http, "izin.blitarkab.go.id")) == {
                "http://izin.blitarkab.go.id"}
            assert _status_links(_receipt(http, "10.20.0.5:8080")) == {"http://10.20.0.5:8080"}
            # A Host header that is no host name falls back to the configured default.
            assert _status_links(_receipt(http, "under_score.example")) == {server.url}
        finally:
            http.close()
        assert server.log_text().count(WARNING) == 1
    finally:
        server.stop()


def test_configured_base_url_wins_over_the_host_header(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", JBM_BASE_URL="http://perizinan.blitarkab.go.id")
    server.seed()
    server.start()
    try:
        http = officer_client(server.url)
        try:
            html = _receipt(http, "lain.example")
            assert _status_links(html) == {"http://perizinan.blitarkab.go.id"}
        finally:
            http.close()
        assert WARNING not in server.log_text()
    finally:
        server.stop()
