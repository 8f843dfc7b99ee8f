"""The installable app in real Chromium: offline capture, replay, crashes, updates.

"Offline" means the server is truly unreachable (stopped or killed): Playwright's
set_offline() does not stop a service worker's own requests (microsoft/playwright#2311).
"""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest
from playwright.sync_api import expect

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
from tests.support import NIK_RUN, ServerProcess, application, new_key, visible_text

pytestmark = pytest.mark.e2e

SAVED = "Tersimpan di HP"


def rows(server: ServerProcess, like: str) -> list[tuple[Any, ...]]:
    return server.query(
        "SELECT client_id, tracking_code FROM applications WHERE business_name LIKE ?", like
    )


def test_app_is_installable(profile: Any, fresh_server: ServerProcess) -> None:
    page = profile.new_page()
    login(page, fresh_server.url, "/petugas/daftar")
    wait_offline_ready(page)
    cdp = profile.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []
    manifest_url = page.eval_on_selector("link[rel=manifest]", "l => l.href")
    manifest = page.request.get(manifest_url).json()
    assert manifest["display"] == "standalone"
    assert (manifest["start_url"], manifest["scope"]) == ("/petugas/", "/petugas/")
    purposes = {icon["purpose"] for icon in manifest["icons"]}
    assert {"any", "maskable"} <= purposes
    for icon in manifest["icons"]:
        body = page.request.get(fresh_server.url + icon["src"]).body()
        assert body[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", body[16:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_cold_offline_capture_then_every_item_arrives_once(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/daftar")
    wait_offline_ready(page)
    fresh_server.stop()

    page.goto(f"{fresh_server.url}/petugas/daftar")
    assert page.title().startswith("Daftarkan usaha")
    page.fill("#kbli-q", "warung makan")  # KBLI search from the data on the phone
    page.wait_for_selector("[data-kbli-pick='56102']")
    page.select_option("#kecamatan", "35.05.01")  # desa picker from the data on the phone
    poll(page, "() => document.querySelector('#desa').options.length",
         lambda n: 1 < n < 40)
    ids = []
    for i in range(25):
        fill_application(page, f"Offline {i:02d}")
        if i == 0:
            page.select_option("#desa", "35.05.01.2001")
        ids.append(page.input_value("input[name=client_id]"))
        save(page)
        page.wait_for_selector(f"[data-form-notice]:has-text('{SAVED}')")
        poll(page, "() => document.querySelector('input[name=nik]').value", lambda v: v == "")
    assert len(set(ids)) == 25
    expect(page.locator("[data-queue-count]")).to_have_text("25")  # updated after the save

    fresh_server.start()
    page.goto(f"{fresh_server.url}/petugas/antrian")  # opening the app sends the queue
    poll(page, UNSENT, lambda n: n == 0, timeout=30)
    stored = rows(fresh_server, "Offline %")
    assert len(stored) == 25
    assert {r[0] for r in stored} == set(ids)
    page.reload()
    shown = page.eval_on_selector_all("[data-tracking-code]",
                                      "els => els.map(e => e.dataset.trackingCode)")
    assert sorted(shown) == sorted(r[1] for r in stored)
    expect(page.locator("[data-queue-count]")).to_have_text("0")


def test_server_killed_mid_replay_loses_and_doubles_nothing(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/antrian")
    wait_offline_ready(page)
    keys = [new_key() for _ in range(100)]
    inject(page, [(k, application(business_name=f"Crash {i:03d}")) for i, k in enumerate(keys)])
    assert poll(page, UNSENT, lambda n: n == 100) == 100

    killed = {"done": False}

    def kill_during_second_batch(route: Any) -> None:
        if not killed["done"] and len(rows(fresh_server, "Crash %")) > 0:
            killed["done"] = True
            route.continue_()
            fresh_server.kill()
            return
        route.continue_()

    page.route("**/api/applications/batch", kill_during_second_batch)
    page.evaluate("() => { JBM.replay.replay(); }")
    poll(page, "() => 1", lambda _: killed["done"], timeout=30)
    landed = len(rows(fresh_server, "Crash %"))
    assert 0 < landed < 100
    page.unroute("**/api/applications/batch")
    poll(page, "() => JBM.outbox.counts().then(c => c.sending)", lambda n: n == 0)

    fresh_server.start()
    send_now(page)
    poll(page, UNSENT, lambda n: n == 0, timeout=30)
    stored = rows(fresh_server, "Crash %")
    assert len(stored) == 100
    assert {r[0] for r in stored} == set(keys)
    integrity = fresh_server.query("PRAGMA integrity_check")
    assert integrity == [("ok",)]


def test_rejected_item_is_corrected_on_the_phone_and_accepted_under_its_key(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/daftar")
    wait_offline_ready(page)
    # The phone's checks say what the server's say, so the form keeps the mistake...
    fill_application(page, "Perlu Perbaikan", name="Siti 123")
    save(page)
    page.wait_for_selector("#name-error")
    assert "Nama" in page.inner_text("#name-error")
    assert page.evaluate(UNSENT) == 0
    # ...but an item saved before the rules changed (an older app version) reaches the
    # server, the authority, which sends it back.
    key = new_key()
    inject(page, [(key, application(business_name="Perlu Perbaikan", name="Siti 123"))])
    send_now(page)
    assert rows(fresh_server, "Perlu Perbaikan") == []

    page.goto(f"{fresh_server.url}/petugas/antrian")
    item = page.locator(f"[data-id='{key}']")
    assert item.get_attribute("data-state") == "needs_fix"
    assert "Perlu perbaikan" in item.inner_text()
    item.get_by_role("link", name="Perbaiki").click()
    page.wait_for_url("**/petugas/daftar#ubah=*")
    poll(page, "() => document.querySelector('#name').value", lambda v: v == "Siti 123")
    assert page.input_value("input[name=client_id]") == key
    page.fill("#name", "Siti Aminah")
    save(page)
    page.wait_for_url("**/tanda-terima")
    stored = rows(fresh_server, "Perlu Perbaikan")
    assert [r[0] for r in stored] == [key]


def test_expired_session_keeps_items_until_login_then_sends_them(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/antrian")
    wait_offline_ready(page)
    keys = [new_key() for _ in range(5)]
    inject(page, [(k, application(business_name=f"Sesi {i}")) for i, k in enumerate(keys)])
    # No device credential either (revoked, or never given): only a new login helps.
    poll(page, "() => JBM.device.get().then(c => c !== null)")
    page.evaluate("() => JBM.device.clear()")
    phone.clear_cookies(name="jbm_session")
    summary = send_now(page)
    assert summary["stopped"] == "auth"
    states = page.evaluate("() => JBM.outbox.all().then(a => a.map(i => i.state))")
    assert states == ["auth"] * 5
    page.reload()  # the session has ended: the login page, which says what waits
    assert "/masuk" in page.url
    page.wait_for_selector("[data-auth-notice]:not([hidden])")
    expect(page.locator("[data-queue-count]")).to_contain_text("5")
    assert rows(fresh_server, "Sesi %") == []

    page.fill("#username", "petugas")
    page.fill("#password", "petugas-blitar")
    page.click("form[action='/masuk'] button[type=submit]")
    page.wait_for_url("**/petugas/antrian")
    poll(page, UNSENT, lambda n: n == 0, timeout=30)
    assert {r[0] for r in rows(fresh_server, "Sesi %")} == set(keys)


def test_new_app_version_keeps_the_queue(phone: Any, fresh_server: ServerProcess) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/antrian")
    wait_offline_ready(page)
    old_cache = page.evaluate("() => caches.keys()")
    fresh_server.stop()
    keys = [new_key() for _ in range(10)]
    inject(page, [(k, application(business_name=f"Versi {i}")) for i, k in enumerate(keys)])

    fresh_server.env["JBM_SHELL_SALT"] = "versi-baru"
    fresh_server.start()
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_selector("[data-update-notice]:not([hidden])")
    assert "Versi baru tersedia" in page.inner_text("[data-update-notice]")
    with page.expect_navigation():
        page.click("[data-update-notice] button")
    poll(page, "() => caches.keys()", lambda k: k and k != old_cache)
    assert poll(page, "() => JBM.outbox.counts().then(c => c.total)", lambda n: n == 10) == 10
    send_now(page)
    poll(page, UNSENT, lambda n: n == 0, timeout=30)
    assert {r[0] for r in rows(fresh_server, "Versi %")} == set(keys)


def test_outbox_schema_upgrade_migrates_items(phone: Any, fresh_server: ServerProcess) -> None:
    page = phone.new_page()
    page.goto(fresh_server.url + "/")  # public page: the app's outbox code is not loaded
    old_items = [{"id": new_key(), "status": "queued", "created_at": f"2026-11-2{i}T01:00:00Z",
                  "body": application(business_name=f"Lama {i}")} for i in range(3)]
    page.evaluate(
        """items => new Promise((resolve, reject) => {
            const req = indexedDB.open('jbm', 1);
            req.onupgradeneeded = () => req.result.createObjectStore('outbox', {keyPath: 'id'});
            req.onsuccess = () => {
              const tx = req.result.transaction('outbox', 'readwrite');
              items.forEach(i => tx.objectStore('outbox').put(i));
              tx.oncomplete = () => { req.result.close(); resolve(); };
              tx.onerror = () => reject(tx.error);
            };
            req.onerror = () => reject(req.error);
        })""",
        old_items,
    )
    login(page, fresh_server.url, "/petugas/antrian")
    migrated = poll(page, "() => JBM.outbox.all()", lambda a: len(a) == 3)
    assert all(i["schema"] == 2 and i["business_name"].startswith("Lama") for i in migrated)
    poll(page, UNSENT, lambda n: n == 0, timeout=30)
    assert {r[0] for r in rows(fresh_server, "Lama %")} == {i["id"] for i in old_items}


def test_logout_with_unsent_items_warns_and_keeps_them(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/antrian")
    wait_offline_ready(page)
    inject(page, [(new_key(), application(business_name="Belum Terkirim", nik="1"))])
    send_now(page)  # the server says 422: the item stays, needing a fix
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("details[data-menu] > summary")  # logout sits in the header's menu
    page.click("form[action='/keluar'] button")
    poll(page, "() => 1", lambda _: bool(dialogs))
    assert "belum terkirim" in dialogs[0]
    assert "/petugas/antrian" in page.url
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("form[action='/keluar'] button")
    assert "/masuk" in page.url
    kept = page.evaluate(
        """() => new Promise(r => { const q = indexedDB.open('jbm'); q.onsuccess = () =>
           { const g = q.result.transaction('outbox').objectStore('outbox').getAll();
             g.onsuccess = () => r(g.result.length); }; })"""
    )
    assert kept == 1


def test_phone_keeps_no_personal_data_once_acknowledged(
    phone: Any, fresh_server: ServerProcess
) -> None:
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/antrian")
    wait_offline_ready(page)
    inject(page, [(new_key(), application(business_name=f"Privasi {i}")) for i in range(3)])
    send_now(page)
    poll(page, UNSENT, lambda n: n == 0, timeout=30)
    stored = json.dumps(page.evaluate("() => JBM.outbox.all()"))
    assert not NIK_RUN.search(stored) and "Siti" not in stored
    nik = application()["nik"]
    cached = page.evaluate(
        """() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)
             .then(c => c.keys().then(reqs => Promise.all(reqs.map(r => c.match(r)
             .then(res => res.clone().text().then(t => r.url + '\\n' + t))))))))
           ).then(a => a.flat())"""
    )
    for entry in cached:
        url, body = entry.split("\n", 1)
        # cached pages carry CSRF tokens (random hex) in attributes: look at their text
        assert not NIK_RUN.search(visible_text(body)) and nik not in body, url
        assert not url.endswith(("/petugas", "/tanda-terima")), url
