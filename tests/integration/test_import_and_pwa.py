"""Importing a phone's exported queue, and the files of the installable app."""

from __future__ import annotations

import json
import re

import httpx

from tests.support import ServerProcess, application, csrf_from, new_key, post_application


def _import(officer: httpx.Client, payload: bytes) -> httpx.Response:
    token = csrf_from(officer.get("/petugas/impor").text)
    return officer.post("/petugas/impor", data={"_csrf_token": token},
                        files={"file": ("antrian.json", payload, "application/json")})


def test_exported_queue_is_imported_exactly_once(server: ServerProcess,
                                                 officer: httpx.Client) -> None:
    keys = [new_key() for _ in range(3)]
    already = keys[0]
    assert post_application(officer, already, application(business_name="Impor 0")).status_code \
        == 201
    export = {"format": "jbm-outbox", "version": 1, "items": [
        {"id": k, "body": application(business_name=f"Impor {i}"), "state": "queued"}
        for i, k in enumerate(keys)
    ] + [{"id": new_key(), "body": application(nik="12", business_name="Impor rusak")}]}
    page = _import(officer, json.dumps(export).encode())
    assert page.status_code == 200
    assert "3 diterima, 1 perlu perbaikan" in page.text
    assert "NIK harus 16 angka" in page.text
    for key in keys:
        assert server.query("SELECT count(*) FROM applications WHERE client_id = ?", key) == [(1,)]
    again = _import(officer, json.dumps(export).encode())
    assert "3 diterima" in again.text
    assert server.query("SELECT count(*) FROM applications WHERE business_name LIKE 'Impor %'") \
        == [(3,)]


def test_unreadable_import_file_gets_a_message(officer: httpx.Client) -> None:
    page = _import(officer, b"bukan json")
    assert page.status_code == 422
    assert "tidak bisa dibaca" in page.text


def test_service_worker_is_served_fresh_at_the_root_scope(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url) as http:
        sw = http.get("/sw.js")
        assert sw.status_code == 200
        assert sw.headers["cache-control"] == "no-cache"
        assert sw.headers["content-type"].startswith("text/javascript")
        version = re.search(r'const JBM_VERSION = "([0-9a-f]{12})"', sw.text).group(1)
        precache = json.loads(re.search(r"const JBM_PRECACHE = (\[.*\]);", sw.text).group(1))
        form, data = json.loads(
            re.search(r"const JBM_OFFICER_STAGES = (\[.*\]);", sw.text).group(1))
        # Every visitor keeps the citizen shell; officer files only in the officer stages.
        assert "/offline" in precache
        assert not any(p.startswith("/petugas") or "/ref/" in p or "capture" in p
                       for p in precache)
        assert "/petugas/daftar" in form and any("capture.js" in p for p in form)
        assert "/ref/wilayah.json" in form and data == ["/ref/kbli.json"]
        assert not any(p.startswith(("/petugas/permohonan", "/api"))
                       for p in precache + form + data)
        module = http.get(f"/sw/outbox.js?v={version}")
        assert "immutable" in module.headers["cache-control"]
        assert http.get("/sw/../app/settings.py").status_code == 404
        assert http.get("/sw/nope.js").status_code == 404
        citizen = http.get(next(p for p in precache if "manifest" in p)).json()
        assert (citizen["start_url"], citizen["scope"]) == ("/", "/")
        officer = http.get(next(p for p in form if "manifest" in p)).json()
        assert (officer["start_url"], officer["scope"]) == ("/petugas/", "/petugas/")


def test_citizens_worker_leaves_out_what_only_officers_use(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url) as http:
        citizen = http.get("/sw.js").text
        officer = http.get("/sw.js?app=petugas").text
    assert "importScripts" not in citizen + officer  # one file each: no round trips
    for worker in (citizen, officer):
        assert "root.JBM.cache = " in worker and "root.JBM.routes = " in worker
    for module in ("root.JBM.outbox = ", "root.JBM.replay = ", "root.JBM.data = "):
        assert module in officer and module not in citizen
    assert 'const JBM_APP = "warga"' in citizen and 'const JBM_APP = "petugas"' in officer
    assert len(citizen) < len(officer) / 2


def test_htmx_only_on_pages_that_use_it(server: ServerProcess, officer: httpx.Client) -> None:
    with httpx.Client(base_url=server.url) as http:
        assert "htmx-2.0.11" not in http.get("/").text
        assert "htmx-2.0.11" not in http.get("/cek").text
        assert "hx-get" in http.get("/undang").text
        assert "htmx-2.0.11" in http.get("/undang").text
    assert "htmx-2.0.11" in officer.get("/petugas/daftar").text
