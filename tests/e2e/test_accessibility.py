"""axe-core on every page of the app, in both colour schemes: zero violations.

axe-core is vendored for the tests only (tests/e2e/vendor/, MPL-2.0, see its README) and
injected by Playwright as an init script, which the pages' CSP does not apply to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import context_options
from tests.e2e.pwa import login, poll
from tests.support import ADMIN, OFFICER, ServerProcess, application, new_key, officer_client
from tests.support import post_application as post

pytestmark = pytest.mark.e2e

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_VERSION = "4.14.1"
AXE = VENDOR / f"axe-{AXE_VERSION}.min.js"
RUN_AXE = """() => axe.run(document, {resultTypes: ['violations']}).then(result =>
  result.violations.map(v => ({rule: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)})))"""


def test_vendored_axe_is_the_pinned_release_with_its_licence() -> None:
    recorded = (VENDOR / f"axe-{AXE_VERSION}.min.js.sha256").read_text().split()[0]
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == recorded
    assert AXE.read_text(encoding="utf-8").startswith(f"/*! axe v{AXE_VERSION}")
    assert "Mozilla Public License" in (VENDOR / f"axe-{AXE_VERSION}.LICENSE").read_text()


@pytest.fixture(scope="module")
def tracking_code(server: ServerProcess) -> str:
    http = officer_client(server.url)
    try:
        answer = post(http, new_key(), application(business_name="Warung Aksesibel",
                                                   referrals=["halal", "merek"]))
    finally:
        http.close()
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["tracking_code"]


@pytest.fixture(params=["light", "dark"])
def themed(request: pytest.FixtureRequest, browser: Any, server: ServerProcess) -> Iterator[Any]:
    context = browser.new_context(**context_options())
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(AXE))
    context.add_cookies([{"name": "jbm_theme", "value": request.param, "url": server.url}])
    page = context.new_page()
    yield page
    context.close()


class Audit:
    """Runs axe on each page (and page state) shown to it; keeps what it finds."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.found: dict[str, Any] = {}
        self.checked: list[str] = []

    def visit(self, path: str, then: Callable[[Any], None] | None = None,
              name: str | None = None) -> None:
        self.page.goto(f"{self.base_url}{path}")
        self.page.wait_for_load_state("networkidle")
        if then:
            then(self.page)
        self.check(name or path)

    def check(self, name: str) -> None:
        violations = self.page.evaluate(RUN_AXE)
        self.checked.append(name)
        if violations:
            self.found[name] = violations

    def log_in(self, user: tuple[str, str]) -> None:
        context = self.page.context
        theme = [c for c in context.cookies() if c["name"] == "jbm_theme"]
        context.clear_cookies()  # whoever was logged in
        context.add_cookies(theme)
        self.page.goto(f"{self.base_url}/masuk")
        self.page.fill("#username", user[0])
        self.page.fill("#password", user[1])
        with self.page.expect_navigation():
            self.page.click("form[action='/masuk'] button[type=submit]")


def look_up(code: str, digits: str) -> Callable[[Any], None]:
    def run(page: Any) -> None:
        page.fill("#kode", code)
        page.fill("#digits", digits)
        with page.expect_navigation():
            page.click("main form button[type=submit]")

    return run


def wrong_password(page: Any) -> None:
    page.fill("#username", OFFICER[0])
    page.fill("#password", "bukan-kata-sandinya")
    with page.expect_navigation():
        page.click("form[action='/masuk'] button[type=submit]")


def empty_submit(page: Any) -> None:
    poll(page, "() => Boolean(window.JBM && JBM.outbox && JBM.validate)", timeout=30)
    page.click("#capture-form button[type=submit]")
    page.wait_for_selector("[data-error-summary]:not([hidden])")


def open_menu(page: Any) -> None:
    page.click("details[data-menu] > summary")


def test_every_page_has_no_axe_violations(themed: Any, server: ServerProcess,
                                          tracking_code: str) -> None:
    audit = Audit(themed, server.url)
    # citizens
    audit.visit("/")
    audit.visit("/cek")
    audit.visit("/cek", look_up(tracking_code, "0000"), "/cek (not found)")
    audit.visit("/cek", look_up(tracking_code, "7890"), "/cek (status page)")
    audit.visit("/masuk")
    audit.visit("/masuk", wrong_password, "/masuk (wrong password)")
    audit.visit("/offline")
    audit.visit("/ref/kbli?q=bakso")
    audit.visit("/daftar-mandiri")
    audit.visit("/daftar-mandiri/cek")
    audit.visit("/tidak-ada-halaman-ini")
    # an officer
    audit.log_in(OFFICER)
    audit.visit("/petugas")
    audit.visit("/petugas/daftar")
    audit.visit("/petugas/daftar", empty_submit, "/petugas/daftar (errors)")
    audit.visit("/petugas/daftar", open_menu, "/petugas/daftar (menu open)")
    audit.visit("/petugas/antrian")
    audit.visit("/petugas/pengaturan")
    audit.visit("/petugas/impor")
    audit.visit("/petugas/ringkasan")
    audit.visit("/petugas/oss-tugas/")
    audit.visit(f"/petugas/permohonan/{tracking_code}")
    audit.visit(f"/petugas/permohonan/{tracking_code}/tanda-terima")
    # an admin
    audit.log_in(ADMIN)
    audit.visit("/admin/oss/")
    audit.visit("/admin/pesan-whatsapp/")
    audit.visit("/admin/pengguna")
    audit.visit("/admin/pengguna/1")
    audit.visit("/admin/audit")
    # the partner agencies' desk (an admin picks the agency) and their services
    (halal,), = server.query(
        "SELECT r.id FROM referrals r JOIN agency_services s ON s.id = r.service_id"
        " JOIN applications a ON a.id = r.application_id"
        " WHERE a.tracking_code = ? AND s.code = 'halal'", tracking_code)
    (kemenag,), = server.query("SELECT id FROM agencies WHERE code = 'kemenag'")
    audit.visit(f"/mitra?instansi={kemenag}")
    audit.visit(f"/mitra/rujukan/{halal}")
    audit.visit(f"/petugas/permohonan/{tracking_code}/surat-merek")
    audit.visit("/admin/mitra")
    assert len(audit.checked) == 31
    assert audit.found == {}, json.dumps(audit.found, indent=1, ensure_ascii=False)


def test_brand_and_queue_badge_say_what_they_are_on_a_narrow_phone(
    browser: Any, server: ServerProcess
) -> None:
    context = browser.new_context(**context_options(viewport={"width": 320, "height": 568}))
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/")
        expect(page.get_by_role("link", name="Joss Banget Mas", exact=True)).to_be_visible()
        login(page, server.url, "/petugas")
        expect(page.get_by_role("link", name="Joss Banget Mas", exact=True)).to_be_visible()
        badge = page.locator("[data-queue-badge]")
        count = page.locator("[data-queue-count]").inner_text()
        expect(badge).to_have_accessible_name(f"Antrian {count} permohonan belum terkirim di HP")
    finally:
        context.close()
