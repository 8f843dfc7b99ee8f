"""The public schedule in real Chromium: after one visit it opens with the server stopped,
with its "Data per … WIB" note, and the phone remembers the chosen kecamatan."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from app.domain.rounds import WIB
from tests.e2e.pwa import poll
from tests.rounds import insert_round
from tests.support import ServerProcess, visible_text

pytestmark = pytest.mark.e2e

TODAY = datetime.now(WIB).date()
KEPT = ("() => caches.open('jadwal-v1').then(c => c.match(location.href))"
        ".then(hit => hit ? hit.text() : '')")


def test_schedule_opens_offline_after_one_visit(phone: Any, fresh_server: ServerProcess
                                                ) -> None:
    mine = insert_round(fresh_server.db_path, TODAY + timedelta(days=4),
                        place="Balai Desa Jaten")
    insert_round(fresh_server.db_path, TODAY + timedelta(days=5), kecamatan="35.05.02",
                 desa=None, place="Pasar Udanawu")
    url = fresh_server.url
    page = phone.new_page()
    page.goto(f"{url}/jadwal?kecamatan=35.05.01")
    assert "Balai Desa Jaten" in visible_text(page.content())
    # The first visit installs the service worker; the page asks for itself again through
    # it, so it is kept.
    poll(page, KEPT, lambda text: "Balai Desa Jaten" in text)
    page.click(f"a[href='/jadwal/{mine}']")
    page.wait_for_url(f"{url}/jadwal/{mine}")
    poll(page, KEPT, lambda text: "Balai Desa Jaten" in text)

    fresh_server.stop()

    page.reload()
    text = visible_text(page.content())
    assert "Balai Desa Jaten" in text and "Kecamatan Wonodadi" in text and "Data per " in text
    assert page.get_attribute("[data-as-of]", "data-as-of")
    # /jadwal without a kecamatan: the phone remembers Wonodadi and opens it, offline too
    page.goto(f"{url}/jadwal")
    page.wait_for_url(f"{url}/jadwal?kecamatan=35.05.01")
    text = visible_text(page.content())
    assert "Balai Desa Jaten" in text and "Pasar Udanawu" not in text and "Data per " in text
    assert page.input_value("#kecamatan") == "35.05.01"
