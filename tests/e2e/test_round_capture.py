"""The day's work tied to its round, on the phone: the capture form opens at the officer's
round of today (kecamatan and desa filled in), works offline, and every application saved
there carries the round when it reaches the server."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.clock import WIB, iso
from tests.e2e.pwa import UNSENT, fill_application, login, poll, save, wait_offline_ready
from tests.support import OFFICER, ServerProcess

pytestmark = pytest.mark.e2e

KECAMATAN, DESA = "35.05.01", "35.05.01.2001"


def round_today_for_the_demo_officer(server: ServerProcess) -> int:
    """A published round running now (WIB), with the demo officer on it."""
    now = datetime.now(WIB)
    start, end = now - timedelta(hours=1), now + timedelta(hours=3)
    stamp = now.isoformat()
    with sqlite3.connect(server.db_path) as conn:
        (officer_id,) = conn.execute("SELECT id FROM users WHERE username = ?",
                                     (OFFICER[0],)).fetchone()
        round_id = conn.execute(
            "INSERT INTO rounds (day, start_time, end_time, starts_at, ends_at, evening,"
            " kecamatan, desa, place, car_id, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, 0, ?, ?, 'Balai Desa Jaten', 1, 'published', ?, ?)",
            (start.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M"),
             iso(start.astimezone(UTC)), iso(end.astimezone(UTC)), KECAMATAN, DESA,
             stamp, stamp)).lastrowid
        conn.execute("INSERT INTO round_officers (round_id, user_id, assigned_at, assigned_by,"
                     " how) VALUES (?, ?, ?, 'uji', 'manual')", (round_id, officer_id, stamp))
    assert round_id is not None
    return round_id


def test_offline_capture_at_todays_round_records_the_round(
        phone: Any, fresh_server: ServerProcess) -> None:
    round_id = round_today_for_the_demo_officer(fresh_server)
    page = phone.new_page()
    login(page, fresh_server.url, "/petugas/daftar")
    wait_offline_ready(page)
    fresh_server.stop()

    page.goto(f"{fresh_server.url}/petugas/daftar")  # from the phone, no server
    assert page.input_value("#kecamatan") == KECAMATAN
    assert page.input_value("#desa") == DESA
    assert "Balai Desa Jaten" in page.inner_text("[data-round-note]")
    for name in ("Sesi Satu", "Sesi Dua"):
        fill_application(page, name)
        save(page)
        page.wait_for_selector("[data-form-notice]:has-text('Tersimpan di HP')")
        poll(page, "() => document.querySelector('input[name=nik]').value",
             lambda v: v == "")
        # the next applicant's form still belongs to the round
        assert page.input_value("input[name=round_id]") == str(round_id)

    fresh_server.start()
    page.goto(f"{fresh_server.url}/petugas/antrian")
    poll(page, UNSENT, lambda n: n == 0, timeout=30)
    stored = fresh_server.query(
        "SELECT business_name, round_id, kecamatan, desa FROM applications"
        " WHERE business_name IN ('Sesi Satu', 'Sesi Dua') ORDER BY business_name")
    assert stored == [("Sesi Dua", round_id, KECAMATAN, DESA),
                      ("Sesi Satu", round_id, KECAMATAN, DESA)]
