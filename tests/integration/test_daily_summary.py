"""The officer's daily summary: today's status changes of their own applications."""

from __future__ import annotations

import re

from app.clock import utc_now_iso
from app.db.applications import change_status
from app.db.connection import open_sync, run_transaction
from tests.support import (
    ADMIN,
    ServerProcess,
    application,
    client,
    login,
    new_key,
    officer_client,
    post_application,
)


def _counts(html: str) -> dict[str, int]:
    return {label: int(n) for label, n in re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", html)}


def test_summary_counts_todays_changes_of_my_applications(fresh_server: ServerProcess) -> None:
    officer = officer_client(fresh_server.url)
    keys = [new_key() for _ in range(3)]
    for i, key in enumerate(keys):
        assert post_application(officer, key, application(business_name=f"Ringkas {i}")
                                ).status_code == 201
    (app_id,), = fresh_server.query("SELECT id FROM applications WHERE client_id = ?", keys[0])
    conn = open_sync(fresh_server.db_path)
    try:
        now = utc_now_iso()[0]
        run_transaction(conn, change_status, app_id, "submitted", "forwarder", None, now)
        run_transaction(conn, change_status, app_id, "issued", "oss", None, now, "9120001112223")
    finally:
        conn.close()
    page = officer.get("/petugas/ringkasan", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "<html" not in page.text  # the fragment /petugas loads with htmx
    assert _counts(page.text) == {"Diterima petugas": 3, "Dikirim ke OSS": 1, "NIB terbit": 1}
    officer.close()
    # another staff member's summary does not count my applications
    with client(fresh_server.url) as other:
        assert login(other, *ADMIN).status_code == 303
        assert _counts(other.get("/petugas/ringkasan").text) == {}
    with client(fresh_server.url) as anonymous:
        assert anonymous.get("/petugas/ringkasan").status_code == 303
