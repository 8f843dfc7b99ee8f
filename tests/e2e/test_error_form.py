"""The capture form's errors and its draft, in real Chromium.

An empty "Simpan" gives one summary at the top with a link to each field (from the phone's
own check and from the server alike); what was typed survives a browser restart as a draft
on the phone, which is gone once the application is saved."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, context_options
from tests.e2e.pwa import login, poll
from tests.support import ROOT, ServerProcess

pytestmark = pytest.mark.e2e

WONODADI = "35.05.01"
JATEN = "35.05.01.2001"
LINKS = """() => [...document.querySelectorAll('[data-error-summary] a')]
  .map(a => [a.getAttribute('href'), a.textContent])"""
DRAFTS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('jbm-draft', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('drafts');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const all = open.result.transaction('drafts').objectStore('drafts').getAll();
    all.onsuccess = () => { open.result.close(); resolve(all.result); };
  };
})"""
READY = "() => Boolean(window.JBM && JBM.outbox && JBM.validate && JBM.data)"


def desa_of(kecamatan: str) -> set[str]:
    with (ROOT / "app" / "data" / "wilayah_kab_blitar.csv").open(encoding="utf-8") as f:
        return {row["desa_code"] for row in csv.DictReader(f) if row["kecamatan_code"] == kecamatan}


def open_form(page: Any, base_url: str) -> None:
    login(page, base_url, "/petugas/daftar")
    poll(page, READY, timeout=30)


def check_summary(page: Any) -> list[list[str]]:
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    links = page.evaluate(LINKS)
    messages = page.locator(".field-error")
    assert len(links) == messages.count() >= 10
    expect(summary.locator("h2")).to_have_text(f"Ada {len(links)} isian yang perlu diperbaiki")
    # the desa says "pick the kecamatan first": the kecamatan is marked too
    expect(page.locator("#kecamatan")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("document.getElementById('kecamatan').closest('.field')"
                         ".classList.contains('has-error')")
    # the KBLI message sits by the search box, which its link opens
    expect(page.locator(".kbli-search #kbli-error")).to_be_visible()
    expect(page.locator("#kbli-q")).to_have_attribute("aria-invalid", "true")
    assert ["#kbli-q", "Kegiatan usaha (KBLI)"] in links
    return links


def test_empty_submit_shows_a_summary_linking_each_field(page: Any,
                                                         server: ServerProcess) -> None:
    open_form(page, server.url)
    page.click("#capture-form button[type=submit]")
    links = check_summary(page)
    for href, _label in links:
        page.click(f"[data-error-summary] a[href='{href}']")
        assert page.evaluate("document.activeElement.id") == href[1:], href
        box = page.locator(href).bounding_box()
        assert box is not None and box["y"] >= 0  # in view, not under the sticky header
    # fixing the form clears the summary with the messages
    page.fill("#nik", "12")
    page.click("#capture-form button[type=submit]")
    assert len(page.evaluate(LINKS)) == len(links)  # still wrong, drawn again (not doubled)


def test_server_rendered_summary_is_the_same_without_javascript(browser: Any,
                                                                server: ServerProcess) -> None:
    with_js = browser.new_context(**context_options())
    without_js = browser.new_context(**context_options(java_script_enabled=False))
    try:
        page = with_js.new_page()
        open_form(page, server.url)
        page.click("#capture-form button[type=submit]")
        phone_links = check_summary(page)

        plain = without_js.new_page()
        plain.goto(f"{server.url}/masuk?next=/petugas/daftar")
        plain.fill("#username", "petugas")
        plain.fill("#password", "petugas-blitar")
        plain.click("form[action='/masuk'] button[type=submit]")
        plain.wait_for_url(re.compile(r"/petugas/daftar$"))
        with plain.expect_response(lambda r: r.request.method == "POST") as answer:
            plain.click("#capture-form button[type=submit]")
        assert answer.value.status == 422
        assert check_summary(plain) == phone_links
        for href, _label in phone_links:
            assert plain.locator(href).count() == 1, href
    finally:
        with_js.close()
        without_js.close()


def launch(playwright: Any, profile_dir: Path) -> Any:
    context = playwright.chromium.launch_persistent_context(
        str(profile_dir), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
        **context_options(),
    )
    context.set_default_timeout(WAIT_MS)
    return context


def test_draft_survives_a_browser_restart_and_goes_once_saved(
    playwright: Any, tmp_path: Path, server: ServerProcess
) -> None:
    profile_dir = tmp_path / "profile"
    business = "Warung Draf " + tmp_path.name[-8:]
    first = launch(playwright, profile_dir)
    try:
        page = first.pages[0] if first.pages else first.new_page()
        open_form(page, server.url)
        page.fill("#nik", "3505014507900012")
        page.fill("#name", "Siti Aminah")
        page.fill("#business_name", business)
        page.select_option("#kecamatan", WONODADI)
        expect(page.locator("#desa option")).to_have_count(len(desa_of(WONODADI)) + 1)
        page.select_option("#desa", JATEN)
        page.fill("#kbli", "56102")
        poll(page, DRAFTS, lambda drafts: len(drafts) == 1
             and drafts[0]["body"]["desa"] == JATEN and drafts[0]["body"]["kbli"] == ["56102"])
        assert page.evaluate("localStorage.length") == 0  # personal data stays out of it
    finally:
        first.close()  # the browser is gone (a restart, a flat battery)

    second = launch(playwright, profile_dir)
    try:
        page = second.pages[0] if second.pages else second.new_page()
        page.goto(f"{server.url}/petugas/daftar")
        note = page.locator("[data-draft-note]")
        expect(note).to_be_visible()
        expect(note).to_contain_text("Draf dipulihkan")
        expect(page.locator("#nik")).to_have_value("3505014507900012")
        expect(page.locator("#business_name")).to_have_value(business)
        expect(page.locator("#kecamatan")).to_have_value(WONODADI)
        expect(page.locator("#desa")).to_have_value(JATEN)
        # the desa list is the restored kecamatan's, not every desa of the regency
        options = set(page.eval_on_selector_all("#desa option[value]:not([value=''])",
                                                "els => els.map(e => e.value)"))
        assert options == desa_of(WONODADI)
        expect(page.locator("#kbli")).to_have_value("56102")

        page.fill("#phone", "0812-3456-7890")
        page.check("input[name=no_email]")
        page.fill("#rt", "3")
        page.fill("#rw", "2")
        page.fill("#street", "Jl. Mawar 5")
        page.fill("#capital", "15.000.000")
        page.click("#capture-form button[type=submit]")
        page.wait_for_url(re.compile(r"/tanda-terima$"))
        assert server.query("SELECT COUNT(*) FROM applications WHERE business_name = ?",
                            business) == [(1,)]
        assert page.evaluate(DRAFTS) == []
        page.goto(f"{server.url}/petugas/daftar")
        poll(page, READY, timeout=30)
        expect(page.locator("#nik")).to_have_value("")
        expect(page.locator("[data-draft-note]")).to_be_hidden()
    finally:
        second.close()


def test_discarding_the_draft_empties_the_form_and_the_phone(page: Any,
                                                             server: ServerProcess) -> None:
    open_form(page, server.url)
    page.fill("#name", "Budi Santoso")
    page.select_option("#kecamatan", WONODADI)
    poll(page, DRAFTS, lambda drafts: len(drafts) == 1
         and drafts[0]["body"]["kecamatan"] == WONODADI)
    page.reload()
    expect(page.locator("#name")).to_have_value("Budi Santoso")
    page.get_by_role("button", name="Buang draf").click()
    expect(page.locator("#name")).to_have_value("")
    expect(page.locator("#kecamatan")).to_have_value("")
    expect(page.locator("[data-draft-note]")).to_be_hidden()
    poll(page, DRAFTS, lambda drafts: drafts == [])
    page.reload()
    poll(page, READY, timeout=30)
    expect(page.locator("#name")).to_have_value("")
