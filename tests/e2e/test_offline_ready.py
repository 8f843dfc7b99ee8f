"""Offline readiness, the two installable apps and what each of them downloads, in real
Chromium against the real server (stopped, not emulated, for "no signal")."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from app.reference.kbli import KbliCatalog, phone_forms
from tests.e2e.pwa import fill_application, login, poll, save
from tests.support import (
    OFFICER,
    ServerProcess,
    application,
    new_key,
    officer_client,
    post_application,
)

pytestmark = pytest.mark.e2e

ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')
OFFICER_FILES = re.compile(
    r"^/petugas|^/ref/|capture\.js|queue\.js|pengaturan\.js|/sw/validate\.js|manifest-petugas"
)
# Every state the worker announces and every text the readiness slot shows, recorded from
# the first script of every document (Playwright injects it past our CSP).
RECORDER = """
(() => {
  window.__states = [];
  window.__texts = [];
  new BroadcastChannel("jbm-outbox").onmessage = (e) => {
    if (e.data && e.data.type === "offline-ready") { window.__states.push(e.data.state); }
  };
  document.addEventListener("DOMContentLoaded", () => {
    const slot = document.querySelector("[data-offline-ready]");
    if (!slot) { return; }
    new MutationObserver(() => window.__texts.push(slot.textContent))
      .observe(slot, {childList: true, characterData: true, subtree: true});
  });
})();
"""


@pytest.fixture
def phone(phone: Any) -> Any:
    """The shared phone (tests/e2e/conftest.py), recording what the worker announces."""
    phone.add_init_script(RECORDER)
    return phone


def paths(server: ServerProcess) -> list[str]:
    return [m["path"] for m in ACCESS_LINE.finditer(server.log_text())]


def signed_in(context: Any, server: ServerProcess) -> None:
    """A session in the browser without the login page (which keeps the officer's files
    before login: the whole download is then watched on an officer page)."""
    http = officer_client(server.url)
    try:
        token = http.cookies["jbm_session"]
    finally:
        http.close()
    context.add_cookies([{"name": "jbm_session", "value": token, "url": server.url}])


def test_readiness_is_shown_and_the_form_works_offline_once_it_says_so(
    phone: Any, fresh_server: ServerProcess
) -> None:
    signed_in(phone, fresh_server)
    page = phone.new_page()
    page.goto(f"{fresh_server.url}/petugas")
    slot = page.locator("[data-offline-ready]")
    # The first "siap" (stage 1: the form, its scripts, the regions): stop the server at once.
    poll(page, "() => document.querySelector('[data-offline-ready]').dataset.state",
         lambda s: s in ("form", "ready"), interval=0.02)
    fresh_server.stop()
    assert "siap" in slot.inner_text().lower()
    states = page.evaluate("() => window.__states")
    texts = page.evaluate("() => window.__texts")
    assert any(not s["form"] and s["percent"] < 100 for s in states), states
    assert any(re.fullmatch(r"Menyiapkan mode offline… \d{1,2}%", t) for t in texts), texts

    page.goto(f"{fresh_server.url}/petugas/daftar")
    assert page.title().startswith("Daftarkan usaha")
    page.select_option("#kecamatan", "35.05.01")  # the desa picker reads the regions offline
    poll(page, "() => document.querySelector('#desa').options.length", lambda n: 1 < n < 40)
    fill_application(page, "Siap Offline")
    save(page)
    page.wait_for_selector("[data-form-notice]:has-text('Tersimpan di HP')")
    expect(page.locator("[data-queue-count]")).to_have_text("1")  # updated after the save


def test_readiness_reaches_ready_and_a_later_page_hears_it(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas")
    page.wait_for_selector("[data-offline-ready][data-state=ready]")
    assert page.inner_text("[data-offline-ready]") == "Siap dipakai tanpa sinyal"
    page.goto(f"{fresh_server.url}/petugas/pengaturan")  # a later page asks the worker
    poll(page, "() => document.querySelector('[data-sw-state]').textContent",
         lambda t: t == "(siap offline)")
    page.goto(f"{fresh_server.url}/petugas")
    page.wait_for_selector("[data-offline-ready][data-state=ready]:not([hidden])")


def test_the_login_page_keeps_the_officers_files_and_login_adds_the_pages(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    page.goto(f"{fresh_server.url}/masuk?next=/petugas")
    poll(page, "() => caches.keys().then(k => Promise.all(k.map(n => caches.open(n)"
               ".then(c => c.match('/ref/kbli.json'))))).then(r => r.some(Boolean))")
    before = paths(fresh_server)
    assert "/ref/wilayah.json" in before and any("capture.js" in p for p in before)
    assert not [p for p in before if p.startswith("/petugas")]  # pages need the session
    assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL").endswith(
        "/sw.js?app=petugas")
    mark = len(before)

    page.fill("#username", OFFICER[0])
    page.fill("#password", OFFICER[1])
    page.click("form[action='/masuk'] button[type=submit]")
    page.wait_for_selector("[data-offline-ready][data-state=ready]")
    after = paths(fresh_server)[mark:]
    # Only the pages came after login, each once; the files were not fetched again.
    shell_pages = ["/petugas/daftar", "/petugas/antrian", "/petugas/pengaturan",
                   "/petugas/offline", "/petugas/survei-kiosk"]
    assert sorted(p for p in after if p in shell_pages) == sorted(shell_pages)
    assert not [p for p in after if p.startswith(("/ref/", "/static/", "/sw/"))], after


def test_a_citizens_visit_downloads_no_officer_files(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    page.goto(fresh_server.url + "/")
    poll(page, "() => navigator.serviceWorker.ready.then(r => !!r.active)")
    poll(page, "() => caches.keys().then(k => Promise.all(k.map(n => caches.open(n)"
               ".then(c => c.match('/offline'))))).then(r => r.some(Boolean))")
    page.goto(fresh_server.url + "/cek")  # a second page, under the worker's control
    page.wait_for_load_state("networkidle")
    seen = paths(fresh_server)
    assert "/offline" in seen  # the citizen shell was fetched...
    assert [p for p in seen if OFFICER_FILES.search(p)] == []  # ...and nothing of the officer's
    cache_names = page.evaluate("() => caches.keys()")
    assert not any(n.startswith("jbm-officer-") for n in cache_names)
    manifest = page.eval_on_selector("link[rel=manifest]", "l => l.href")
    assert "manifest-warga" in manifest


def test_citizens_and_officers_each_install_their_own_app(
    profile: Any, fresh_server: ServerProcess
) -> None:
    page = profile.new_page()
    cdp = profile.new_cdp_session(page)

    def manifest() -> dict[str, Any]:
        url = page.eval_on_selector("link[rel=manifest]", "l => l.href")
        return page.request.get(url).json()

    page.goto(fresh_server.url + "/")
    poll(page, "() => navigator.serviceWorker.ready.then(r => !!r.active)")
    page.reload()
    citizen = manifest()
    assert (citizen["start_url"], citizen["scope"], citizen["id"]) == ("/", "/", "/")
    assert citizen["name"] == "Joss Banget Mas — Warga"
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    login(page, fresh_server.url, "/petugas/daftar")
    officer = manifest()
    assert (officer["start_url"], officer["scope"]) == ("/petugas/", "/petugas/")
    assert officer["id"] != citizen["id"] and officer["name"] != citizen["name"]
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    # Each has its own offline page (the server is gone: the worker answers).
    # ready, whether the bar is still shown or (ready before this page saw it) hidden
    page.wait_for_selector("[data-offline-ready][data-state=ready]", state="attached",
                           timeout=60_000)
    fresh_server.stop()
    page.goto(fresh_server.url + "/petugas/permohonan/ABCDEFG")
    assert page.locator("a", has_text="Daftarkan usaha").count() == 1
    assert page.locator("a", has_text="Antrian di HP").count() >= 1
    page.goto(fresh_server.url + "/cek")
    assert page.locator("main a", has_text="Cek status").count() == 1
    assert page.locator("main a", has_text="Daftarkan usaha").count() == 0


def test_hidden_buttons_stay_hidden(page: Any, server: ServerProcess) -> None:
    http = officer_client(server.url)
    try:
        created = post_application(http, new_key(), application(business_name="Tersembunyi"))
        code = created.json()["tracking_code"]
    finally:
        http.close()
    page.goto(server.url + "/cek")
    page.fill("input[name=kode]", code)
    page.fill("input[name=digits]", "7890")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-push-state]")
    off = page.locator("[data-push-off]")
    assert off.get_attribute("hidden") is not None
    assert off.evaluate("b => getComputedStyle(b).display") == "none"
    assert not off.is_visible()


def test_the_phone_finds_the_same_kbli_with_the_trimmed_list(page: Any, server: ServerProcess
                                                            ) -> None:
    """/ref/kbli.json leaves out description words that never decide a phone search: the
    phone's search (sw/offline-data.js, as served) answers every query as it does with the
    whole vocabulary."""
    catalog = KbliCatalog.load()
    served = json.loads(catalog.compact_json())
    full = dict(served, rows=[[e.code, e.title, catalog.keywords(e)] for e in catalog])
    # The queries that could tell: the forms of every word dropped from a row (where a first
    # match could move), and a spread of ordinary words and prefixes.
    dropped = sorted({w for e, row in zip(catalog, served["rows"], strict=True)
                      for w in set(catalog.keywords(e).split()) - set(row[2].split())})
    vocabulary = sorted({w for e in catalog for w in catalog.keywords(e).split()})
    queries = sorted({f for w in dropped for f in phone_forms(w)}
                     | {w[:n] for w in vocabulary[::150] for n in (2, 4, len(w))}
                     | {"warung makan", "jahit", "bengkel motor", "kue basah", "toko", "561"})
    version = re.search(r'const JBM_VERSION = "(\w+)"',
                        page.request.get(server.url + "/sw.js").text()).group(1)
    harness = (f'<!doctype html><script src="/sw/offline-data.js?v={version}"></script>')

    def answers(data: dict[str, Any]) -> list[list[str]]:
        page.route(server.url + "/__kbli_parity", lambda r: r.fulfill(
            body=harness, content_type="text/html"))
        page.route(server.url + "/ref/kbli.json", lambda r: r.fulfill(
            body=json.dumps(data), content_type="application/json"))
        try:
            page.goto(server.url + "/__kbli_parity")
            return page.evaluate(
                "async qs => { const out = []; for (const q of qs) {"
                " out.push((await JBM.data.searchKbli(q, 15)).map(r => r.code)); } return out; }",
                queries)
        finally:
            page.unroute_all()

    trimmed, whole = answers(served), answers(full)
    assert len(queries) > 250
    differ = [(q, a, b) for q, a, b in zip(queries, trimmed, whole, strict=True) if a != b]
    assert differ == []
    assert sum(len(r[2]) for r in served["rows"]) < sum(len(r[2]) for r in full["rows"])
