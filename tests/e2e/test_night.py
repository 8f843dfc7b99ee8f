"""At the car, at night: the theme follows the hour in WIB and switches without a signal;
every button is big enough for a thumb; the header is one row; placeholders are readable.

The phone's clock is set with Playwright's clock API (no waiting for 18.00)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import WAIT_MS, context_options
from tests.e2e.pwa import login
from tests.support import ServerProcess

pytestmark = pytest.mark.e2e

WIB = timezone(timedelta(hours=7))
MIN_TARGET = 44  # px, both ways
MIN_CONTRAST = 4.5


def wib(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2025, 3, 10, hour, minute, second, tzinfo=WIB)


def rgb(css_colour: str) -> tuple[float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", css_colour)[:3]]
    assert len(parts) == 3, css_colour
    return parts[0], parts[1], parts[2]


def relative_luminance(colour: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(rgb(a)), relative_luminance(rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def body_luminance(page: Any) -> float:
    return relative_luminance(rgb(page.evaluate("getComputedStyle(document.body).backgroundColor")))


def scheme(page: Any) -> str:
    return page.locator("html").get_attribute("data-scheme")


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    # A phone set to another time zone: the rule is the hour in WIB, not the phone's.
    ctx = browser.new_context(**context_options(timezone_id="Europe/London"))
    ctx.set_default_timeout(WAIT_MS)
    yield ctx
    ctx.close()


def test_auto_theme_is_dark_at_19_wib_and_light_at_10_wib(context: Any,
                                                          server: ServerProcess) -> None:
    page = context.new_page()
    page.clock.set_fixed_time(wib(19))
    page.goto(f"{server.url}/")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "auto")
    expect(html).to_have_attribute("data-scheme", "dark")
    assert body_luminance(page) < 0.05

    page.clock.set_fixed_time(wib(10))
    page.reload()
    expect(html).to_have_attribute("data-scheme", "light")
    assert body_luminance(page) > 0.8

    page.clock.set_fixed_time(wib(5, 59))  # still night
    page.reload()
    expect(html).to_have_attribute("data-scheme", "dark")


def test_open_page_turns_dark_at_18_wib(context: Any, server: ServerProcess) -> None:
    page = context.new_page()
    page.clock.install(time=wib(17, 59, 30))
    page.goto(f"{server.url}/cek")
    expect(page.locator("html")).to_have_attribute("data-scheme", "light")
    page.clock.fast_forward(60_000)
    expect(page.locator("html")).to_have_attribute("data-scheme", "dark")


def test_server_draws_auto_by_the_hour_in_wib(browser: Any, server: ServerProcess) -> None:
    """Without JavaScript the page still arrives in the right colours."""
    ctx = browser.new_context(**context_options(java_script_enabled=False))
    try:
        page = ctx.new_page()
        before = datetime.now(WIB)
        page.goto(f"{server.url}/")
        after = datetime.now(WIB)
        night = [t.hour >= 18 or t.hour < 6 for t in (before, after)]
        if night[0] == night[1]:  # not across 06.00 or 18.00 while loading
            assert scheme(page) == ("dark" if night[0] else "light")
    finally:
        ctx.close()


def test_officer_choice_beats_the_hour_and_toggle_works_with_server_stopped(
    browser: Any, fresh_server: ServerProcess
) -> None:
    ctx = browser.new_context(**context_options())
    ctx.set_default_timeout(WAIT_MS)
    try:
        page = ctx.new_page()
        page.clock.set_fixed_time(wib(20))
        login(page, fresh_server.url, "/petugas/daftar")
        html = page.locator("html")
        expect(html).to_have_attribute("data-scheme", "dark")
        page.evaluate("window.stillThisPage = true")
        fresh_server.stop()  # no signal

        toggle = page.locator("details[data-menu] button.theme-toggle")
        page.click("details[data-menu] > summary")
        toggle.click()
        expect(html).to_have_attribute("data-theme", "dark")
        expect(toggle).to_have_text(re.compile("Tema: gelap"))
        toggle.click()
        expect(html).to_have_attribute("data-theme", "light")
        expect(html).to_have_attribute("data-scheme", "light")  # chosen, although it is 20.00
        expect(toggle).to_have_text(re.compile("Tema: terang"))
        assert page.evaluate("window.stillThisPage === true")  # no navigation, no error page
        assert page.url == f"{fresh_server.url}/petugas/daftar"
        assert {c["name"]: c["value"] for c in ctx.cookies()}["jbm_theme"] == "light"

        fresh_server.start()  # the choice reaches the server with the next page
        response = page.goto(f"{fresh_server.url}/petugas")
        assert '<html lang="id" data-theme="light" data-scheme="light">' in response.text()
    finally:
        ctx.close()


TARGETS = """() => {
  const seen = [];
  const shown = el => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  const controls = 'header.top a, header.top button, header.top summary,'
    + ' main input:not([type=hidden]), main select, main textarea, main button, main summary';
  for (const el of document.querySelectorAll(controls)) {
    if (!shown(el)) continue;
    const box = (el.closest('label') || el).getBoundingClientRect();  // a checkbox with its label
    seen.push({what: (el.id || el.name || el.textContent || el.tagName).trim().slice(0, 30),
               width: box.width, height: box.height});
  }
  return seen;
}"""


def small_targets(page: Any) -> list[dict[str, Any]]:
    found = page.evaluate(TARGETS)
    assert found
    return [t for t in found if t["width"] < MIN_TARGET - 0.5 or t["height"] < MIN_TARGET - 0.5]


def test_every_header_button_and_form_control_is_44_px(browser: Any,
                                                       server: ServerProcess) -> None:
    ctx = browser.new_context(**context_options(viewport={"width": 360, "height": 740}))
    ctx.set_default_timeout(WAIT_MS)
    try:
        page = ctx.new_page()
        for path in ("/", "/cek", "/masuk"):
            page.goto(f"{server.url}{path}")
            assert small_targets(page) == [], path
        login(page, server.url, "/petugas/daftar")
        page.fill("#kbli", "56102")
        page.dispatch_event("#kbli", "change")  # a chip with its remove button
        page.fill("#kbli-q", "bakso")
        expect(page.locator("#kbli-results [data-kbli-pick]").first).to_be_visible()
        expect(page.locator(".chip-remove")).to_have_count(1)
        logout = page.locator("form[action='/keluar'] button")
        expect(logout).to_be_hidden()  # away from "+ Daftar": in the menu
        assert small_targets(page) == []
        page.click("details[data-menu] > summary")
        expect(logout).to_be_visible()
        assert small_targets(page) == []
        for path in ("/petugas", "/petugas/antrian", "/petugas/pengaturan"):
            page.goto(f"{server.url}{path}")
            assert small_targets(page) == [], path
    finally:
        ctx.close()


HEADER_ROWS = """() => {
  const header = document.querySelector('header.top');
  const tops = [...header.querySelectorAll('a, button, summary')]
    .filter(el => el.getClientRects().length && !el.closest('.menu-panel'))
    .map(el => Math.round(el.getBoundingClientRect().top));
  return {height: header.getBoundingClientRect().height, tops: tops,
          overflow: document.documentElement.scrollWidth > innerWidth};
}"""


def test_header_is_one_row_at_320_px(browser: Any, server: ServerProcess) -> None:
    ctx = browser.new_context(**context_options(viewport={"width": 320, "height": 568}))
    ctx.set_default_timeout(WAIT_MS)
    try:
        page = ctx.new_page()
        page.goto(f"{server.url}/")
        citizen = page.evaluate(HEADER_ROWS)
        login(page, server.url, "/petugas/daftar")
        officer = page.evaluate(HEADER_ROWS)
        for header in (citizen, officer):
            assert len(set(header["tops"])) == 1, header
            assert header["height"] <= 60, header  # was 97 px in two rows
            assert not header["overflow"], header
        assert len(officer["tops"]) == 4, officer  # home, queue, + Daftar, menu
    finally:
        ctx.close()


PLACEHOLDERS = """() => [...document.querySelectorAll('input[placeholder]')].map(el => ({
  name: el.name, text: el.placeholder,
  colour: getComputedStyle(el, '::placeholder').color,
  background: getComputedStyle(el).backgroundColor}))"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_placeholders_are_readable_and_never_look_typed(browser: Any, server: ServerProcess,
                                                        theme: str) -> None:
    ctx = browser.new_context(**context_options())
    ctx.add_cookies([{"name": "jbm_theme", "value": theme, "url": server.url}])
    try:
        page = ctx.new_page()
        login(page, server.url, "/petugas/daftar")
        expect(page.locator("html")).to_have_attribute("data-scheme", theme)
        found = page.evaluate(PLACEHOLDERS)
        assert len(found) >= 3
        for p in found:
            assert contrast(p["colour"], p["background"]) >= MIN_CONTRAST, p
            assert not re.fullmatch(r"[\d.,\s]+", p["text"]), p  # "0" reads as a typed value
    finally:
        ctx.close()
