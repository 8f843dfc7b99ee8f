"""A NIB belongs to one NIK. The receiveNIB token covers only the NIB and the date (PIA:
SHA1(USERNAME + PASSWORD + NIB + Ymd)), so a genuine push replayed with another NIK passes
it: the replay is refused; the same push repeated is stored once; an admin cannot assign a
NIB that an application of another NIK already holds. Runs in both OSS modes."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.oss.pia import micro_business_record
from tests.integration.test_oss_support import create_applications, nik_for
from tests.support import ADMIN, ServerProcess, client, csrf_from, login, officer_client

USERNAME = "pemda-blitar"
PASSWORD = "rahasia-pia-2026"
OK = {"responreceiveNIB": {"status": "1", "keterangan": "Berhasil menyimpan data"}}
STRANGER = "3505016203850004"  # a NIK no application has


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # the forwarder is off: applications wait for a NIB from outside
    proc = ServerProcess(tmp_path_factory.mktemp("nib-owner"), JBM_OSS_PIA_USERNAME=USERNAME,
                         JBM_OSS_PIA_PASSWORD=PASSWORD)
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


def token(nib: str) -> str:
    """The PIA token, computed here from the spec (the date is today in WIB)."""
    day = (datetime.now(UTC) + timedelta(hours=7)).strftime("%Y%m%d")
    return hashlib.sha1(f"{USERNAME}{PASSWORD}{nib}{day}".encode()).hexdigest()


def record(nib: str, nik: str, kbli: str = "56102", **changes: Any) -> dict[str, Any]:
    return micro_business_record(
        nib=nib, oss_id="P-202611290000000000001", issued_at=datetime.now(UTC), nik=nik,
        name="Siti Aminah", business_name="Warung Bu Siti", kblis=[(kbli, "Usaha")],
        region_id="3505012001", **changes)


def push(server: ServerProcess, data: dict[str, Any], with_token: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/oss/receiveNIB", json={"dataNIB": data},
                      headers={"Token": with_token})


def status_of(server: ServerProcess, code: str) -> tuple[str, str | None]:
    return server.query("SELECT status, nib FROM applications WHERE tracking_code = ?",
                        code)[0]


def test_a_push_replayed_with_another_nik_is_refused(server: ServerProcess) -> None:
    officer = officer_client(server.url)
    (_, first), (_, second) = create_applications(officer, 2, start=100)
    officer.close()
    nib = "9120005550001"
    genuine = record(nib, nik_for(100))
    answer = push(server, genuine, token(nib))
    assert answer.status_code == 200 and answer.json() == OK
    assert status_of(server, first) == ("issued", nib)

    # the same push again (OSS retrying): success, and still one row
    again = push(server, genuine, token(nib))
    assert again.status_code == 200 and again.json() == OK
    assert server.query("SELECT count(*) FROM oss_pushes WHERE nib = ?", nib) == [(1,)]

    # the genuine token with another NIK in the body: refused, nothing stored
    replay = push(server, record(nib, nik_for(101)), token(nib))
    assert replay.status_code == 409
    body = replay.json()["responreceiveNIB"]
    assert body["status"] == "2" and "NIK lain" in body["keterangan"]
    assert status_of(server, second) == ("received", None)
    assert server.query("SELECT count(*) FROM applications WHERE nib = ?", nib) == [(1,)]
    assert server.query("SELECT count(*) FROM oss_pushes WHERE nib = ?", nib) == [(1,)]
    assert nik_for(101) not in server.log_text()


def test_an_admin_cannot_assign_a_nib_another_nik_holds(server: ServerProcess) -> None:
    officer = officer_client(server.url)
    (_, first), (_, second) = create_applications(officer, 2, start=200)
    officer.close()
    nib = "9120005550002"
    # OSS pushes a NIB nobody waits for, then the same NIB with a changed status
    for status_nib in ("02", "01"):
        stray = record(nib, STRANGER, kbli="47111", status_nib=status_nib)
        assert push(server, stray, token(nib)).json() == OK
    pushes = [i for (i,) in server.query(
        "SELECT id FROM oss_pushes WHERE nib = ? AND state = 'unmatched' ORDER BY id", nib)]
    assert len(pushes) == 2

    admin = client(server.url)
    assert login(admin, *ADMIN).status_code == 303
    csrf = csrf_from(admin.get("/admin/oss").text)
    assigned = admin.post(f"/admin/oss/kiriman/{pushes[0]}/cocokkan",
                          data={"_csrf_token": csrf, "tracking_code": first})
    assert assigned.status_code == 303
    assert status_of(server, first) == ("issued", nib)
    # the second push of the same NIB cannot give it to an application of another NIK
    refused = admin.post(f"/admin/oss/kiriman/{pushes[1]}/cocokkan",
                         data={"_csrf_token": csrf, "tracking_code": second})
    admin.close()
    assert refused.status_code == 422
    assert "sudah tercatat pada permohonan dengan NIK lain" in refused.text
    assert status_of(server, second) == ("received", None)
    assert server.query("SELECT state FROM oss_pushes WHERE id = ?", pushes[1]) == [
        ("unmatched",)]


def test_the_schema_keeps_a_nib_to_one_nik(server: ServerProcess) -> None:
    officer = officer_client(server.url)
    (_, first), (_, second) = create_applications(officer, 2, start=300)
    (_, same_nik), = create_applications(officer, 1, start=300)
    officer.close()
    conn = sqlite3.connect(server.db_path, timeout=10)
    try:
        with conn:
            conn.execute("UPDATE applications SET nib = '9120005550003' WHERE tracking_code = ?",
                         (first,))
        with pytest.raises(sqlite3.IntegrityError, match="another NIK"), conn:
            conn.execute("UPDATE applications SET nib = '9120005550003' WHERE tracking_code = ?",
                         (second,))
        # one person's second business gets the same NIB from OSS: allowed
        with conn:
            conn.execute("UPDATE applications SET nib = '9120005550003' WHERE tracking_code = ?",
                         (same_nik,))
    finally:
        conn.close()
