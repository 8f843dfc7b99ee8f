"""The officer's capture flow in real headless Chromium against the real server.

Every test creates business names of its own (uuid suffix): the server is shared with the
other integration tests, so rows are counted by those names or by tracking codes, never
globally.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, WAIT_MS, context_options
from tests.support import OFFICER, ROOT, ServerProcess

pytestmark = pytest.mark.e2e

NIK = "3505014507900012"
MASKED_NIK = "3505••••••••0012"
TRACKING = re.compile(r"^[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{4}$")
RECEIPT_URL = re.compile(r"/petugas/permohonan/([^/]+)/tanda-terima$")
SIXTEEN_DIGITS = re.compile(r"\d{16}")
CSRF_VALUE = re.compile(r'name="_csrf_token" value="([^"]+)"')
SHOTS = Path("/tmp/jbm-shots")
PHONE_WIDTH = PHONE["width"]
WONODADI = "35.05.01"
JATEN = "35.05.01.2001"


def wonodadi_desa() -> set[str]:
    with (ROOT / "app" / "data" / "wilayah_kab_blitar.csv").open(encoding="utf-8") as f:
        return {row["desa_code"] for row in csv.DictReader(f) if row["kecamatan_code"] == WONODADI}


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:8]}"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header then sits at the top
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def rows_named(server: ServerProcess, business_name: str) -> list[tuple[Any, ...]]:
    return server.query(
        "SELECT tracking_code, client_id FROM applications WHERE business_name = ?",
        business_name,
    )


def log_in(page: Any, server: ServerProcess) -> None:
    page.goto(f"{server.url}/masuk")
    page.fill("#username", OFFICER[0])
    page.fill("#password", OFFICER[1])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{server.url}/petugas")


def fill_owner_and_business(page: Any, business_name: str, name: str = "Siti Aminah") -> None:
    page.fill("#nik", NIK)
    page.fill("#name", name)
    page.fill("#phone", "0812-3456-7890")
    page.get_by_label("Tidak punya email").check()
    page.fill("#business_name", business_name)


def fill_address_and_size(page: Any) -> None:
    page.fill("#rt", "3")
    page.fill("#rw", "2")
    page.fill("#street", "Jl. Mawar 5")
    page.fill("#capital", "15.000.000")
    page.fill("#workers_male", "0")
    page.fill("#workers_female", "2")


def choose_wonodadi_jaten(page: Any) -> None:
    """Kecamatan first; htmx narrows the desa list to that kecamatan, then pick Jaten."""
    with page.expect_response(lambda r: "/ref/desa" in r.url and r.status == 200):
        page.select_option("#kecamatan", WONODADI)
    expected = wonodadi_desa()
    expect(page.locator("#desa optgroup")).to_have_count(0)  # the full grouped list is gone
    expect(page.locator("#desa option")).to_have_count(len(expected) + 1)  # + "pilih desa"
    codes = page.eval_on_selector_all("#desa option", "els => els.map(e => e.value)")
    assert set(codes) - {""} == expected
    page.select_option("#desa", JATEN)


def fill_valid_form(page: Any, business_name: str) -> None:
    fill_owner_and_business(page, business_name)
    page.fill("#kbli", "56102")
    choose_wonodadi_jaten(page)
    fill_address_and_size(page)


def receipt_code(page: Any) -> str:
    match = RECEIPT_URL.search(page.url)
    assert match, page.url
    return match.group(1)


@pytest.fixture
def officer_page(page: Any, server: ServerProcess) -> Any:
    log_in(page, server)
    return page


@pytest.fixture
def console_errors(page: Any) -> Iterator[list[str]]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    yield errors


def test_officer_registers_business_and_sees_receipt(
    officer_page: Any, server: ServerProcess
) -> None:
    page = officer_page
    business = unique("Warung Bu Siti")
    page.get_by_role("link", name="+ Daftarkan usaha").click()
    page.wait_for_url(f"{server.url}/petugas/daftar")

    fill_owner_and_business(page, business)
    with page.expect_response(lambda r: "/ref/kbli" in r.url and r.status == 200):
        page.fill("#kbli-q", "warung makan")
    pick = page.locator('#kbli-results [data-kbli-pick="56102"]')
    expect(pick).to_be_visible()
    pick.click()
    expect(page.locator("#kbli")).to_have_value("56102")
    expect(page.locator("[data-kbli-chosen]")).to_contain_text("56102")
    # Long KBLI titles wrap instead of widening the page past the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    choose_wonodadi_jaten(page)
    fill_address_and_size(page)
    shot(page, "capture-form-light")

    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(RECEIPT_URL)
    code = receipt_code(page)
    shown = page.locator("#tracking-code").inner_text().strip()
    assert TRACKING.match(shown), shown
    expect(page.locator(".qr svg")).to_be_visible()
    html = page.content()
    assert MASKED_NIK in html
    assert NIK not in html
    shot(page, "receipt")

    assert code == shown.replace("-", "")
    stored = server.query(
        "SELECT business_name, nik, kbli_json, desa FROM applications WHERE tracking_code = ?",
        code,
    )
    assert len(stored) == 1
    assert stored[0][0] == business
    assert stored[0][1] == NIK
    assert "56102" in stored[0][2]
    assert stored[0][3] == JATEN

    page.goto(f"{server.url}/petugas")
    item = page.locator("#today-list .list-item", has_text=business)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(MASKED_NIK)
    html = page.content()
    for token in set(CSRF_VALUE.findall(html)):
        html = html.replace(token, "")  # random hex, may hold a digit run by chance
    assert not SIXTEEN_DIGITS.search(html)


def test_inline_errors_keep_typed_values(officer_page: Any, server: ServerProcess) -> None:
    page = officer_page
    name = unique("Budi Santoso")
    page.goto(f"{server.url}/petugas/daftar")
    page.fill("#nik", "1234")
    page.fill("#name", name)
    page.evaluate("window.__jbmNoReload = 'still here'")

    page.get_by_role("button", name="Simpan").click()
    nik_error = page.locator("#nik-error")
    expect(nik_error).to_be_visible()
    assert page.evaluate("window.__jbmNoReload") == "still here"
    assert page.url == f"{server.url}/petugas/daftar"

    message = nik_error.inner_text()
    assert "NIK" in message or "angka" in message, message
    assert re.search(r"\b(harus|angka|isi|digit|wajib)\b", message, re.IGNORECASE), message
    expect(page.locator("#nik")).to_have_value("1234")
    expect(page.locator("#nik")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name")).to_have_value(name)
    expect(page.locator("#capture-form [data-error-summary]")).to_be_visible()
    shot(page, "capture-form-errors")

    assert server.query("SELECT COUNT(*) FROM applications WHERE name = ?", name) == [(0,)]


def test_double_tap_saves_once(officer_page: Any, server: ServerProcess) -> None:
    page = officer_page
    business = unique("Bengkel Pak Darto")
    page.goto(f"{server.url}/petugas/daftar")
    fill_valid_form(page, business)
    client_id = page.input_value("input[data-client-id]")

    page.get_by_role("button", name="Simpan").dblclick()
    page.wait_for_url(RECEIPT_URL)
    first = receipt_code(page)
    page.wait_for_load_state("networkidle")
    assert len(rows_named(server, business)) == 1

    # Back to the form and send it again, with the key that form was sent with.
    page.go_back()
    page.wait_for_url(f"{server.url}/petugas/daftar")
    fill_valid_form(page, business)
    page.eval_on_selector("input[data-client-id]", "(el, id) => { el.value = id; }", client_id)
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(RECEIPT_URL)
    assert receipt_code(page) == first

    rows = rows_named(server, business)
    assert len(rows) == 1, rows
    assert rows[0][1] == client_id

    # Two taps that both reach the server (a slow network, no disabled button yet).
    other = unique("Bengkel Pak Darto")
    page.goto(f"{server.url}/petugas/daftar")
    fill_valid_form(page, other)
    urls = page.evaluate(
        """async () => {
            const form = document.getElementById("capture-form");
            const send = () => fetch(form.action, {method: "POST", body: new FormData(form)});
            const answers = await Promise.all([send(), send()]);
            return answers.map((r) => r.url);
        }"""
    )
    assert len(set(urls)) == 1 and RECEIPT_URL.search(urls[0]), urls
    assert len(rows_named(server, other)) == 1


def test_works_without_javascript(browser: Any, server: ServerProcess) -> None:
    context = browser.new_context(**context_options(java_script_enabled=False))
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        log_in(page, server)
        page.goto(f"{server.url}/petugas/daftar")
        business = unique("Toko Kelontong Bu Sri")
        fill_owner_and_business(page, business, name="Sri Wahyuni")
        page.fill("#kbli", "47112")
        page.select_option("#kecamatan", WONODADI)
        # Without JavaScript the desa list is the full one, grouped by kecamatan.
        assert page.locator("#desa optgroup").count() > 1
        page.select_option("#desa", JATEN)
        fill_address_and_size(page)
        client_id = page.input_value("input[name=client_id]")
        assert re.fullmatch(r"[0-9a-f-]{36}", client_id), client_id
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Simpan").click()
        assert nav.value is not None
        page.wait_for_url(RECEIPT_URL)
        code = page.locator("#tracking-code").inner_text().strip()
        assert TRACKING.match(code), code
        assert NIK not in page.content()
        rows = rows_named(server, business)
        assert len(rows) == 1 and rows[0][1] == client_id

        page.goto(f"{server.url}/petugas/daftar")
        bad_name = unique("Sri Wahyuni")
        page.fill("#nik", "1234")
        page.fill("#name", bad_name)
        page.fill("#kbli", "47112")
        with page.expect_navigation() as nav:
            page.get_by_role("button", name="Simpan").click()
        assert nav.value.status == 422
        assert page.url == f"{server.url}/petugas/daftar"
        expect(page.locator("header.top")).to_be_visible()  # a whole page, not a fragment
        expect(page.locator("#nik-error")).to_be_visible()
        expect(page.locator("#nik")).to_have_value("1234")
        expect(page.locator("#name")).to_have_value(bad_name)
        expect(page.locator("#kbli")).to_have_value("47112")
        assert server.query("SELECT COUNT(*) FROM applications WHERE name = ?", bad_name) == [(0,)]
    finally:
        context.close()


def test_no_console_errors_or_csp_violations(
    page: Any, server: ServerProcess, console_errors: list[str]
) -> None:
    log_in(page, server)
    page.goto(f"{server.url}/petugas")
    response = page.goto(f"{server.url}/petugas/daftar")
    # The pages carry a strict CSP, so a violation would have shown up as a console error.
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, csp
    page.wait_for_load_state("networkidle")
    with page.expect_response(lambda r: "/ref/kbli" in r.url and r.status == 200):
        page.fill("#kbli-q", "jahit")
    expect(page.locator("#kbli-results [data-kbli-pick]").first).to_be_visible()
    page.locator("#kbli-results [data-kbli-pick]").first.click()
    with page.expect_response(lambda r: "/ref/desa" in r.url and r.status == 200):
        page.select_option("#kecamatan", WONODADI)
    page.wait_for_load_state("networkidle")
    assert console_errors == []


def test_an_error_answer_to_htmx_shows_as_a_toast_and_keeps_the_form(
    officer_page: Any, server: ServerProcess
) -> None:
    """htmx does not swap 4xx/5xx answers: the server sends the message as an event
    (HX-Trigger "jbm:toast") and the page shows it, leaving what was typed in place."""
    page = officer_page
    page.goto(f"{server.url}/petugas/daftar")
    page.fill("#name", "Siti Aminah")
    page.evaluate("htmx.ajax('GET', '/petugas/permohonan/ZZZZZZZ', {target: '#kbli-results'})")
    expect(page.locator("#flash .alert-error")).to_have_text("Halaman tidak ditemukan.")
    expect(page.locator("#name")).to_have_value("Siti Aminah")
