"""Issue 10 in real Chromium: the receipt the phone shows with no signal (a code minted on
the phone and its QR), the queue that empties soon after the server returns, the device
credential that sends the queue after the session was lost, and a progress bar that never
stays on screen.

"Offline" means the server is stopped (Playwright's set_offline() does not stop a service
worker's own requests).
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import httpx
import pytest

from app.domain.tracking import is_valid_tracking_code, new_tracking_code
from tests.e2e.pwa import (
    UNSENT,
    fill_application,
    inject,
    login,
    poll,
    save,
    send_now,
    wait_offline_ready,
)
from tests.support import ServerProcess, application, new_key, officer_client, post_application

pytestmark = pytest.mark.e2e

RECEIPT = "[data-phone-receipt]"
HAS_DEVICE = "() => JBM.device.get().then(c => c !== null)"
# Dark pixels on the QR canvas: the code was really drawn.
QR_DARK = """() => { const c = document.querySelector('[data-receipt-qr] canvas');
  if (!c) return 0; const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] < 128 && d[i + 3] > 0) n++; }
  return n; }"""


def stored(server: ServerProcess, client_id: str) -> list[tuple[Any, ...]]:
    return server.query(
        "SELECT a.tracking_code, u.username FROM applications a JOIN users u"
        " ON u.id = a.officer_id WHERE a.client_id = ?", client_id)


def wait_queue_empty(page: Any, bound_s: float) -> float:
    """Seconds until the phone's queue is empty (it sends on its own), within bound_s."""
    start = time.monotonic()
    poll(page, UNSENT, lambda n: n == 0, timeout=bound_s, interval=0.1)
    return time.monotonic() - start


def test_offline_capture_shows_receipt_and_qr_at_once_and_the_server_keeps_the_code(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/daftar")
    wait_offline_ready(page)
    fresh_server.stop()

    page.goto(f"{fresh_server.url}/petugas/daftar")
    page.select_option("#kecamatan", "35.05.01")
    poll(page, "() => document.querySelector('#desa').options.length", lambda n: n > 1)
    fill_application(page, "Warung Tanpa Sinyal")
    client_id = page.input_value("input[name=client_id]")
    save(page)
    page.wait_for_selector(f"{RECEIPT}:not([hidden])")
    code = page.get_attribute("[data-receipt-code]", "data-code")
    assert is_valid_tracking_code(code)
    assert page.inner_text("[data-receipt-code]") == f"{code[:3]}-{code[3:]}"
    assert "Warung Tanpa Sinyal" in page.inner_text(RECEIPT)
    assert "Tersimpan di HP" in page.inner_text("[data-receipt-status]")
    status_url = f"{fresh_server.url}/cek?kode={code}"
    assert page.get_attribute("[data-receipt-qr]", "data-qr-text") == status_url
    assert page.inner_text("[data-receipt-url]") == status_url
    assert page.evaluate(QR_DARK) > 500
    assert page.evaluate(UNSENT) == 1

    fresh_server.start()
    took = wait_queue_empty(page, bound_s=12)
    assert stored(fresh_server, client_id) == [(code, "petugas")]
    # The receipt still on screen learns the answer: the same code, now received.
    poll(page, f"() => document.querySelector('{RECEIPT}').dataset.state", lambda s: s == "sent")
    assert page.get_attribute("[data-receipt-code]", "data-code") == code
    assert page.is_hidden("[data-receipt-changed]")
    print(f"queue empty {took:.1f} s after the server came back")


def test_a_code_taken_meanwhile_is_replaced_and_the_phone_says_so(
    phone: Any, fresh_server: ServerProcess
) -> None:
    taken = new_tracking_code()
    http = officer_client(fresh_server.url)
    first = post_application(http, new_key(), application(tracking_code=taken))
    http.close()
    assert first.json()["tracking_code"] == taken
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/daftar")
    wait_offline_ready(page)
    fresh_server.stop()
    key = new_key()
    # As the capture form does: save with the minted code, then try to send (no signal).
    page.evaluate("([id, body, code]) => JBM.outbox.save(id, body, code)",
                  [key, application(business_name="Kode Bentrok"), taken])
    assert send_now(page)["stopped"] == "offline"
    page.goto(f"{fresh_server.url}/petugas/daftar#tanda-terima={key}")
    page.wait_for_selector(f"{RECEIPT}:not([hidden])")
    assert page.get_attribute("[data-receipt-code]", "data-code") == taken

    fresh_server.start()
    wait_queue_empty(page, bound_s=12)
    ((final, _),) = stored(fresh_server, key)
    assert final != taken
    poll(page, "() => document.querySelector('[data-receipt-code]').dataset.code",
         lambda c: c == final)
    note = page.inner_text("[data-receipt-changed]")
    assert f"{taken[:3]}-{taken[3:]}" in note and f"{final[:3]}-{final[3:]}" in note
    assert page.get_attribute("[data-receipt-qr]", "data-qr-text").endswith(f"kode={final}")
    page.goto(f"{fresh_server.url}/petugas/antrian")
    item = page.locator(f"[data-id='{key}']")
    assert item.locator("[data-tracking-code]").get_attribute("data-tracking-code") == final
    assert "Kode berubah" in item.inner_text()


def test_session_lost_offline_the_device_credential_sends_the_queue(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/antrian")
    wait_offline_ready(page)
    poll(page, HAS_DEVICE)
    stored_token = page.evaluate("() => JBM.device.get().then(c => c.token)")
    assert stored_token not in page.evaluate("() => document.cookie + localStorage.length")
    fresh_server.stop()
    keys = [new_key() for _ in range(3)]
    inject(page, [(k, application(business_name=f"Tanpa Sesi {i}")) for i, k in enumerate(keys)])
    assert send_now(page)["stopped"] == "offline"
    conn = sqlite3.connect(fresh_server.db_path)  # the session ends while the phone is away
    with conn:
        conn.execute("DELETE FROM sessions")
    conn.close()

    fresh_server.start()
    wait_queue_empty(page, bound_s=12)
    for key in keys:
        assert stored(fresh_server, key)[0][1] == "petugas"
    states = page.evaluate("() => JBM.outbox.all().then(a => a.map(i => i.state))")
    assert states == ["sent"] * 3
    assert fresh_server.query("SELECT count(*) FROM sessions") == [(0,)]
    with httpx.Client(base_url=fresh_server.url) as anonymous:  # the token opens nothing else
        refused = anonymous.get("/petugas/antrian",
                                headers={"Authorization": f"Device {stored_token}"})
        assert refused.status_code in (303, 401)


def test_logout_revokes_the_phones_credential(phone: Any, fresh_server: ServerProcess) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/antrian")
    poll(page, HAS_DEVICE)
    page.click("details[data-menu] > summary")  # logout sits in the header's menu
    with page.expect_navigation():
        page.click("form[action='/keluar'] button")
    assert "/masuk" in page.url
    assert page.evaluate(HAS_DEVICE) is False
    assert fresh_server.query(
        "SELECT revoked_why FROM device_credentials") == [("logout",)]


def test_progress_bar_leaves_when_a_replay_stops(phone: Any, fresh_server: ServerProcess) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/antrian")
    wait_offline_ready(page)
    poll(page, HAS_DEVICE)
    page.evaluate("() => JBM.device.clear()")  # a phone whose credential is gone...
    phone.clear_cookies(name="jbm_session")  # ...and whose session ended
    inject(page, [(new_key(), application(business_name=f"Bar {i}")) for i in range(3)])
    seen: list[str] = []
    page.expose_function("jbmSawProgress", lambda text: seen.append(text))
    page.evaluate("""() => JBM.messages.on(m => { if (m.type === 'progress')
        window.jbmSawProgress(document.querySelector('.progress-bar').textContent); })""")
    summary = page.evaluate("() => JBM.app.sendNow()")
    assert summary["stopped"] == "auth"
    poll(page, "() => 1", lambda _: bool(seen))
    assert seen[0] == "Mengirim 0 dari 3…"  # it was shown...
    for selector in (".progress-bar", ".progress-inline"):  # ...and is gone
        assert page.is_hidden(selector), page.inner_text(selector)


def test_codes_minted_on_the_phone_pass_the_servers_check(page: Any, server: ServerProcess
                                                          ) -> None:
    login(page, server.url, "/petugas/daftar")
    poll(page, "() => Boolean(window.JBM && JBM.tracking)")
    minted = page.evaluate("() => Array.from({length: 500}, () => JBM.tracking.mint())")
    assert len(set(minted)) == 500
    assert all(is_valid_tracking_code(code) for code in minted)
    assert len({code[i] for code in minted for i in range(6)}) == 31  # the whole alphabet
    server_codes = [new_tracking_code() for _ in range(200)]
    assert page.evaluate("codes => codes.every(c => JBM.tracking.isValid(c))", server_codes)
    # One wrong character or a swap is caught on the phone as on the server.
    broken = [c[:2] + c[3] + c[2] + c[4:] for c in server_codes if c[2] != c[3]]
    assert not any(page.evaluate("codes => codes.map(c => JBM.tracking.isValid(c))", broken))
