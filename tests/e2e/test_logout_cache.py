"""Logout in real Chromium: the service worker's cached officer pages (their header names
the officer) are dropped, the IndexedDB outbox is kept, and the pages come back after the
next login (issue 9, defect 9)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.pwa import inject, login, poll, wait_offline_ready
from tests.support import ServerProcess, application, new_key

pytestmark = pytest.mark.e2e

OFFICER_NAME = "Petugas Demo"  # the demo officer's full name (python -m app seed-demo)
# [path, text of an HTML page or ""] for every entry of every cache.
CACHED_PAGES = """() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)
    .then(c => c.keys().then(reqs => Promise.all(reqs.map(r => c.match(r)
      .then(res => (res.headers.get('Content-Type') || '').startsWith('text/html')
        ? res.text() : '')
      .then(text => [new URL(r.url).pathname, text])))))))
  ).then(a => a.flat())"""
OUTBOX = """() => new Promise(r => { const q = indexedDB.open('jbm'); q.onsuccess = () =>
    { const g = q.result.transaction('outbox').objectStore('outbox').getAll();
      g.onsuccess = () => r(g.result); }; })"""


def pages_naming_officer(page: Any) -> list[str]:
    return [path for path, text in page.evaluate(CACHED_PAGES) if OFFICER_NAME in text]


def cached_paths(page: Any) -> set[str]:
    return {path for path, _ in page.evaluate(CACHED_PAGES)}


def test_logout_drops_pages_with_the_officers_name_and_keeps_the_outbox(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/daftar")
    wait_offline_ready(page)
    shell = {"/petugas/daftar", "/petugas/antrian", "/petugas/pengaturan"}
    poll(page, CACHED_PAGES, lambda entries: shell <= {path for path, _ in entries})
    assert "/petugas/daftar" in pages_naming_officer(page)  # what logout must undo
    # An item the server refuses (422) stays on the phone, waiting for a fix.
    key = new_key()
    inject(page, [(key, application(business_name="Tetap Di HP", nik="1"))])

    page.once("dialog", lambda dialog: dialog.accept())  # "Masih ada 1 permohonan ..."
    page.click("details[data-menu] > summary")  # logout sits in the header's menu
    with page.expect_navigation(url=lambda url: "/masuk" in url):
        page.click("form[action='/keluar'] button")

    assert pages_naming_officer(page) == []
    paths = cached_paths(page)
    assert not paths & shell, paths
    assert "/offline" in paths  # the offline page names nobody and stays
    outbox = page.evaluate(OUTBOX)
    assert [item["id"] for item in outbox] == [key], json.dumps(outbox)
    assert outbox[0]["body"]["business_name"] == "Tetap Di HP"

    # The next login brings the offline capture page back.
    login(page, fresh_server.url, "/petugas")
    poll(page, CACHED_PAGES, lambda entries: shell <= {path for path, _ in entries})
    assert len(page.evaluate(OUTBOX)) == 1
