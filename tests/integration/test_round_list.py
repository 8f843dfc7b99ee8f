"""The officer's list filtered by round: /petugas?sesi=ID shows the officer's own
applications taken at that round, and nothing else."""

from __future__ import annotations

import sqlite3
import uuid

import httpx

from app.clock import now_iso
from tests.support import ServerProcess, application, new_key, post_application


def a_round(server: ServerProcess) -> int:
    now = now_iso()
    with sqlite3.connect(server.db_path) as conn:
        round_id = conn.execute(
            "INSERT INTO rounds (day, start_time, end_time, starts_at, ends_at, evening,"
            " kecamatan, place, car_id, status, created_at, updated_at) VALUES ('2026-12-12',"
            " '19:00', '22:00', '2026-12-12T12:00:00.000+00:00',"
            " '2026-12-12T15:00:00.000+00:00', 1, '35.05.01', 'Pasar Malam Wlingi', 1,"
            " 'published', ?, ?)", (now, now)).lastrowid
    assert round_id is not None
    return round_id


def test_the_list_of_one_round_holds_only_its_applications(
        server: ServerProcess, officer: httpx.Client) -> None:
    round_id = a_round(server)
    tag = uuid.uuid4().hex[:6]
    at_round = [f"Sesi {tag} {i}" for i in range(2)]
    for name in at_round:
        r = post_application(officer, new_key(),
                             application(business_name=name, round_id=str(round_id)))
        assert r.status_code == 201, r.text
    elsewhere = f"Kantor {tag}"
    assert post_application(officer, new_key(),
                            application(business_name=elsewhere)).status_code == 201

    page = officer.get(f"/petugas?sesi={round_id}")
    assert page.status_code == 200
    assert f'data-round-filter="{round_id}"' in page.text
    assert all(name in page.text for name in at_round)
    assert elsewhere not in page.text
    assert "Pasar Malam Wlingi" in page.text
    today = officer.get("/petugas").text
    assert elsewhere in today and all(name in today for name in at_round)


def test_an_officer_of_the_round_opens_a_colleagues_application_there(
        server: ServerProcess, officer: httpx.Client, admin: httpx.Client) -> None:
    """Scope: own applications, and those taken at a round one is assigned to."""
    from tests.support import client, csrf_from, login

    round_id = a_round(server)
    name = f"rekan{uuid.uuid4().hex[:6]}"
    token = csrf_from(admin.get("/admin/pengguna").text)
    made = admin.post("/admin/pengguna", data={
        "_csrf_token": token, "username": name, "full_name": "Rekan Uji", "role": "officer",
        "password": "jalan-raya-kanigoro-9"})
    assert made.status_code == 303, made.text
    colleague = client(server.url)
    assert login(colleague, name, "jalan-raya-kanigoro-9").status_code == 303
    at_round = post_application(officer, new_key(), application(
        business_name=f"Tim {name}", round_id=str(round_id))).json()["tracking_code"]
    elsewhere = post_application(officer, new_key(), application(
        business_name=f"Lain {name}")).json()["tracking_code"]

    assert colleague.get(f"/petugas/permohonan/{at_round}").status_code == 404
    (colleague_id,), = server.query("SELECT id FROM users WHERE username = ?", name)
    with sqlite3.connect(server.db_path) as conn:
        conn.execute("INSERT INTO round_officers (round_id, user_id, assigned_at, assigned_by,"
                     " how) VALUES (?, ?, ?, 'uji', 'manual')", (round_id, colleague_id,
                                                              now_iso()))
    assert colleague.get(f"/petugas/permohonan/{at_round}").status_code == 200
    assert colleague.get(f"/petugas/permohonan/{elsewhere}").status_code == 404
    colleague.close()
