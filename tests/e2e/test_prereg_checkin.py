"""Check-in of citizens' pre-registrations at the car with no signal, in real Chromium.

Ten citizens pre-register from home. Two officers' phones (two browser contexts) download
the pre-registrations of their round, then the server is stopped (Playwright's
set_offline() does not stop a service worker's own requests). The first phone checks all
ten in by typing their codes; the second phone checks two of them in too. When the server
is back, both queues empty on their own and the server holds exactly ten applications,
each linked to its pre-registration.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.clock import iso
from app.domain.preregistration import CONSENT_VERSION, checkin_key
from tests.e2e.conftest import WAIT_MS, context_options
from tests.e2e.pwa import UNSENT, login, poll, save, wait_offline_ready
from tests.integration.test_oss_support import nik_for
from tests.support import ServerProcess, client, csrf_from

pytestmark = pytest.mark.e2e

COUNT = 10
DESA = "35.05.01.2001"
STORED = "() => JBM.prereg.all().then(a => a.length)"
HOLD = """() => new Promise(held => navigator.locks.request('jbm-replay', () => {
  held();
  return new Promise(release => { window.jbmTestRelease = release; });
}))"""
RELEASE = """() => {
  if (window.jbmTestRelease) { window.jbmTestRelease(); window.jbmTestRelease = null; }
  const busy = () => navigator.locks.query().then(q => [...q.held, ...q.pending]
    .some(l => l.name === 'jbm-replay'));
  const idle = () => busy().then(b => b ? new Promise(r => setTimeout(r, 50)).then(idle) : null);
  return idle();
}"""
# A phone busier than the test machine (the page's CPU 4x slower).
CPU_SLOWDOWN = 4


def add_round_now(server: ServerProcess) -> int:
    """A published round going on now, with the demo officer on it."""
    now = datetime.now(UTC)
    start, end = now - timedelta(hours=1), now + timedelta(hours=5)
    wib_day = (now + timedelta(hours=7)).date().isoformat()
    with sqlite3.connect(server.db_path) as conn:
        officer = conn.execute("SELECT id FROM users WHERE username = 'petugas'").fetchone()[0]
        round_id = conn.execute(
            "INSERT INTO rounds (day, start_time, end_time, starts_at, ends_at, evening,"
            " kecamatan, place, car_id, status, created_at, updated_at) VALUES (?, '00:00',"
            " '23:59', ?, ?, 0, '35.05.01', 'Balai Desa Jaten', 1, 'published', ?, ?)",
            (wib_day, iso(start), iso(end), iso(now), iso(now))).lastrowid
        conn.execute("INSERT INTO round_officers (round_id, user_id, assigned_at, assigned_by,"
                     " how) VALUES (?, ?, ?, 'uji', 'manual')", (round_id, officer, iso(now)))
    return int(round_id or 0)


def preregister(server: ServerProcess, index: int, round_id: int) -> str:
    with client(server.url) as citizen:
        page = citizen.get("/daftar-mandiri")
        answer = citizen.post("/daftar-mandiri", data={
            "_csrf_token": csrf_from(page.text), "client_id": str(uuid.uuid4()),
            "nik": nik_for(index), "name": f"Warga Uji {'ABCDEFGHIJ'[index]}",
            "phone": f"0812-5555-{index:04d}", "no_email": "on",
            "business_name": f"Warung Nomor {index}", "kbli": "56102",
            "capital": "10.000.000", "workers_male": "1", "workers_female": "0",
            "kecamatan": "35.05.01", "desa": DESA, "rt": "1", "rw": "2",
            "street": "Dusun Krajan", "round_id": str(round_id), "consent": CONSENT_VERSION})
        assert answer.status_code == 201, answer.text
        return re.search(r"data-prereg-code>(P-[A-Z0-9-]+)<", answer.text).group(1)


def phone_ready(browser: Any, server: ServerProcess) -> tuple[Any, Any]:
    context = browser.new_context(**context_options())
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    login(page, server.url, "/petugas/daftar")
    wait_offline_ready(page)
    page.reload()  # the capture page under the worker: it downloads on load
    poll(page, STORED, lambda n: n == COUNT)
    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return context, page


def hold_sending(page: Any) -> None:
    """The phone's next send hangs, as on a hotspot without backhaul: the replay's own Web
    Lock (sw/replay.js) is held until release_sending()."""
    page.evaluate(HOLD)


def release_sending(page: Any) -> None:
    """The held send goes on; returns once no replay runs or waits on the phone."""
    page.evaluate(RELEASE)


def check_in(page: Any, code: str, nik: str, done: int) -> None:
    """Type the code in the panel and tap once, wait for the prefilled form, save (no signal).

    The previous save's send is still hanging when the code is typed, and ends only once the
    form is filled: its end must leave the officer's new check-in alone."""
    shown = "() => [document.querySelector('#nik').value, document.querySelector('#desa').value]"
    if not page.is_visible("[data-prereg-q]"):
        page.click("[data-prereg-panel] summary")
    page.fill("[data-prereg-q]", code)
    page.click("[data-prereg-find]")
    poll(page, shown, lambda v: v == [nik, DESA], timeout=10)
    release_sending(page)
    assert page.evaluate(shown) == [nik, DESA]
    assert "Pra-pendaftaran " + code in page.inner_text("[data-form-notice]")
    hold_sending(page)
    save(page)
    poll(page, UNSENT, lambda n: n == done, timeout=15)


def test_ten_check_ins_offline_on_two_phones_make_ten_linked_applications(
        browser: Any, fresh_server: ServerProcess) -> None:
    server = fresh_server
    round_id = add_round_now(server)
    codes = [preregister(server, i, round_id) for i in range(COUNT)]
    first, page_a = phone_ready(browser, server)
    second, page_b = phone_ready(browser, server)
    try:
        server.stop()
        page_a.goto(f"{server.url}/petugas/daftar")  # from the phone's cache
        for index, code in enumerate(codes):
            check_in(page_a, code, nik_for(index), index + 1)
        page_b.goto(f"{server.url}/petugas/daftar")
        for done, index in enumerate((3, 7), start=1):
            check_in(page_b, codes[index], nik_for(index), done)
        for page in (page_a, page_b):
            release_sending(page)
        # nothing reached the server: it is not running
        server.start()
        for page in (page_a, page_b):
            poll(page, UNSENT, lambda n: n == 0, timeout=40)

        # The round is done: the next sync takes its pre-registrations off the phone ...
        with sqlite3.connect(server.db_path) as conn:
            conn.execute("UPDATE rounds SET status = 'done' WHERE id = ?", (round_id,))
        page_b.reload()
        poll(page_b, STORED, lambda n: n == 0)
        # ... and logging out deletes them (phone A still holds none checked in elsewhere)
        page_a.evaluate("() => document.querySelector('form[action=\"/keluar\"]')"
                        ".requestSubmit()")
        page_a.wait_for_url(lambda url: "/masuk" in url)
        poll(page_a, "() => indexedDB.databases().then(d => d.map(x => x.name))",
             lambda names: "jbm-prereg" not in names and "jbm" in names)
    finally:
        first.close()
        second.close()

    rows = server.query(
        "SELECT p.code, p.status, a.client_id, a.nik, a.round_id FROM preregistrations p"
        " LEFT JOIN applications a ON a.id = p.application_id ORDER BY p.id")
    assert server.query("SELECT count(*) FROM applications") == [(COUNT,)]
    assert len(rows) == COUNT
    for index, (code, status, client_id, nik, app_round) in enumerate(rows):
        assert f"P-{code[:3]}-{code[3:]}" == codes[index]
        assert (status, client_id, nik, app_round) == (
            "checked_in", checkin_key(code), nik_for(index), round_id)
