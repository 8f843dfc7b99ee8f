"""The survey kiosk in real Chromium: answers recorded with the server stopped are sent
once when it is back, even when two pages replay at the same time."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.pwa import login, poll, wait_offline_ready
from tests.support import ServerProcess

pytestmark = pytest.mark.e2e

PENDING = "() => JBM.survey.count()"


def answer(page: Any, scores: list[int], gender: str = "") -> None:
    for i, score in enumerate(scores, 1):
        page.check(f"input[name=u{i}][value='{score}']")
    if gender:
        page.click("details.card > summary")  # the header has a menu <details> too
        page.select_option("#gender", gender)
    page.click("[data-kiosk-form] button[type=submit]")


def test_kiosk_answers_recorded_offline_are_replayed_once(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/survei-kiosk")
    wait_offline_ready(page)
    fresh_server.stop()

    page.goto(f"{fresh_server.url}/petugas/survei-kiosk")  # from the phone's cache
    assert page.title().startswith("Survei kepuasan")
    page.select_option("#kiosk-kecamatan", "35.05.03")
    answer(page, [4] * 9, gender="L")
    poll(page, PENDING, lambda n: n == 1)
    assert page.is_visible("[data-kiosk-thanks]")
    assert not page.is_checked("input[name=u1][value='4']")  # a clean form for the next one
    answer(page, [3] * 9)
    answer(page, [2, 3, 4, 3, 2, 3, 4, 3, 2])
    poll(page, PENDING, lambda n: n == 3)
    page.click("[data-kiosk-form] button[type=submit]")  # nothing answered: not queued
    assert page.is_visible("[data-kiosk-error]")
    assert page.evaluate(PENDING) == 3
    assert page.inner_text("[data-kiosk-pending]") == "3"

    fresh_server.start()
    second = phone.new_page()  # another tab of the same phone replays at the same time
    second.goto(f"{fresh_server.url}/petugas/survei-kiosk")
    page.evaluate("() => Promise.all([JBM.survey.replay(), JBM.survey.replay()])")
    second.evaluate("() => JBM.survey.replay()")
    poll(page, PENDING, lambda n: n == 0, timeout=30)
    rows = fresh_server.query(
        "SELECT channel, kecamatan, u1, u9, gender FROM survey_responses ORDER BY u1 DESC, u9")
    assert rows == [("kiosk", "35.05.03", 4, 4, "L"), ("kiosk", "35.05.03", 3, 3, None),
                    ("kiosk", "35.05.03", 2, 2, None)]
    poll(page, "() => document.querySelector('[data-kiosk-pending]').textContent",
         lambda t: t == "0")
