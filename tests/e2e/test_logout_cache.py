"""Logout in real Chromium: the service worker's cached officer pages (their header names
the officer) and the capture form's draft (a citizen's data being typed) are dropped, the
IndexedDB outbox is kept, and the pages come back after the next login (issue 9, defect
9)."""

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


DRAFTS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('jbm-draft', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('drafts');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction('drafts').objectStore('drafts').getAll();
    all.onsuccess = () => { open.result.close(); resolve(all.result); };
  };
})"""
DATABASES = "() => indexedDB.databases().then(found => found.map(db => db.name))"
FORM_READY = "() => Boolean(window.JBM && JBM.outbox && JBM.validate && JBM.data)"


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


def log_out(page: Any) -> None:
    page.once("dialog", lambda dialog: dialog.accept())  # "Masih ada 1 permohonan ..."
    page.click("details[data-menu] > summary")  # logout sits in the header's menu
    with page.expect_navigation(url=lambda url: "/masuk" in url):
        page.click("form[action='/keluar'] button")


def test_logout_deletes_the_forms_draft_and_keeps_the_outbox(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/daftar")
    wait_offline_ready(page)
    poll(page, FORM_READY, timeout=30)
    key = new_key()  # an unsent application the server refuses (422): it waits on the phone
    inject(page, [(key, application(business_name="Tetap Di HP", nik="1"))])
    page.type("#nik", "3505014507900012")
    page.type("#name", "Siti Aminah")
    page.type("#business_name", "Warung Draf")
    page.select_option("#kecamatan", "35.05.01")
    poll(page, DRAFTS, lambda drafts: len(drafts) == 1
         and drafts[0]["body"]["business_name"] == "Warung Draf"
         and drafts[0]["body"]["kecamatan"] == "35.05.01")

    log_out(page)
    # Gone from the phone (looked at without opening it, which would make it again).
    poll(page, DATABASES, lambda names: "jbm-draft" not in names and "jbm" in names)
    outbox = page.evaluate(OUTBOX)
    assert [item["id"] for item in outbox] == [key], json.dumps(outbox)

    login(page, fresh_server.url, "/petugas/daftar")
    poll(page, FORM_READY, timeout=30)
    for field in ("#nik", "#name", "#business_name", "#kecamatan"):
        assert page.input_value(field) == "", field
    assert page.locator("[data-draft-note]").is_hidden()
    assert page.evaluate(DRAFTS) == []
    outbox = page.evaluate(OUTBOX)
    assert [(item["id"], item["body"]["business_name"]) for item in outbox] == [
        (key, "Tetap Di HP")], json.dumps(outbox)
