"""Staffing a round over HTTP: the draw (seed shown, replayed identically, leave and double
booking respected), a swap with its reason, the officer's "Jadwal Anda" and the push he
receives, the honorarium (page, CSV, XLSX add up) and the round's report."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import httpx
import openpyxl
import pytest

from tests.integration.rounds_support import (
    admin_client,
    create_round,
    day,
    post_form,
    round_form,
)
from tests.pushservice import PushService
from tests.support import (
    LOCAL_PUSH_ENV,
    ServerProcess,
    application,
    client,
    login,
    new_key,
    officer_client,
    post_application,
    visible_text,
)

PUSH_ENV = {**LOCAL_PUSH_ENV, "JBM_PUSH_POLL_S": "0.1"}
PASSWORD = "Kopi-Tubruk-Wlingi-2026"
NAMES = ("andi", "bayu", "citra", "dewi")


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("staff"), **PUSH_ENV)
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def admin(srv: ServerProcess) -> Iterator[httpx.Client]:
    http = admin_client(srv.url)
    for name in NAMES:
        r = post_form(http, "/admin/pengguna", "/admin/pengguna",
                      {"username": name, "full_name": name.title() + " Petugas",
                       "role": "officer", "password": PASSWORD})
        assert r.status_code == 303, r.text
    yield http
    http.close()


def user_id(srv: ServerProcess, username: str) -> int:
    return srv.query("SELECT id FROM users WHERE username = ?", username)[0][0]


def officers_of(srv: ServerProcess, round_id: int) -> set[int]:
    return {r[0] for r in srv.query("SELECT user_id FROM round_officers WHERE round_id = ?",
                                    round_id)}


def draw(admin: httpx.Client, round_id: int, n: int) -> httpx.Response:
    return post_form(admin, f"/admin/jadwal/{round_id}", f"/admin/jadwal/{round_id}/undi",
                     {"n": str(n)})


def test_draw_respects_leave_and_double_booking_and_replays_from_its_seed(
        srv: ServerProcess, admin: httpx.Client) -> None:
    all_officers = {r[0] for r in srv.query(
        "SELECT id FROM users WHERE role = 'officer' AND active = 1")}
    assert len(all_officers) == 5  # the demo officer and ours
    on_leave = user_id(srv, "dewi")
    r = post_form(admin, "/admin/jadwal/petugas", "/admin/jadwal/petugas/cuti",
                  {"user_id": str(on_leave), "first_day": day(30), "last_day": day(32),
                   "note": "cuti tahunan"})
    assert r.status_code == 303
    first = create_round(admin, offset=31)
    assert draw(admin, first, 2).status_code == 303
    drawn = officers_of(srv, first)
    assert len(drawn) == 2 and on_leave not in drawn
    ((seed,),) = srv.query("SELECT draw_seed FROM rounds WHERE id = ?", first)
    page = admin.get(f"/admin/jadwal/{first}")
    assert f"Undian dengan seed {seed}" in visible_text(page.text)
    replay = admin.get(f"/admin/jadwal/{first}/undian")
    assert 'data-same="1"' in replay.text and f'data-seed="{seed}"' in replay.text

    # an overlapping round on another car: the first round's officers are booked, and the
    # one on leave is skipped, so only two are left
    post_form(admin, "/admin/jadwal/mobil", "/admin/jadwal/mobil", {"name": "Mobil 2"})
    ((car2,),) = srv.query("SELECT id FROM cars WHERE name = 'Mobil 2'")
    second = create_round(admin, **round_form(31, start="20.00", end="23.00",
                                              car_id=str(car2), place="Pasar Srengat"))
    r = draw(admin, second, 3)
    assert r.status_code == 422 and "Hanya 2 petugas yang bisa bertugas" in r.text
    assert draw(admin, second, 2).status_code == 303
    assert officers_of(srv, second) == all_officers - drawn - {on_leave}

    # a swap: the reason is required; a booked or on-leave officer is refused
    out_id = min(officers_of(srv, second))
    url = f"/admin/jadwal/{second}"
    r = post_form(admin, url, f"{url}/ganti", {"out_id": str(out_id),
                                                 "in_id": str(on_leave), "reason": "x"})
    assert r.status_code == 422 and "Tulis alasan penggantian" in r.text
    r = post_form(admin, url, f"{url}/ganti", {"out_id": str(out_id), "in_id": str(on_leave),
                                                 "reason": "Sakit demam"})
    assert r.status_code == 422 and "sedang cuti" in r.text
    r = post_form(admin, url, f"{url}/ganti", {"out_id": str(out_id),
                                                 "in_id": str(min(drawn)),
                                                 "reason": "Sakit demam"})
    assert r.status_code == 422 and "sudah bertugas pada sesi lain" in r.text
    # cancel the first round: its officers are free again
    post_form(admin, f"/admin/jadwal/{first}", f"/admin/jadwal/{first}/batalkan",
              {"reason": "Digabung dengan sesi Srengat"})
    r = post_form(admin, url, f"{url}/ganti", {"out_id": str(out_id),
                                                 "in_id": str(min(drawn)),
                                                 "reason": "Sakit demam"})
    assert r.status_code == 303
    assert min(drawn) in officers_of(srv, second) and out_id not in officers_of(srv, second)
    assert "diganti" in visible_text(admin.get(url).text)


def test_the_drawn_officer_sees_the_round_and_gets_a_push(srv: ServerProcess,
                                                         admin: httpx.Client) -> None:
    key = httpx.get(f"{srv.url}/api/push/kunci").json()["publicKey"]
    push = PushService(expected_key=key)
    subs = {}
    sessions = {}
    try:
        for name in NAMES[:3]:  # dewi is on leave only on other days; she stays home here
            http = client(srv.url)
            assert login(http, name, PASSWORD).status_code == 303
            sub = push.subscription()
            assert http.post("/api/push/petugas", json={"subscription": sub.info()}
                             ).status_code == 201
            subs[user_id(srv, name)] = sub
            sessions[user_id(srv, name)] = http
        round_id = create_round(admin, offset=40, place="Lapangan Kanigoro")
        # only our three are free: the demo officer and dewi go on leave that day
        for name in ("petugas", "dewi"):
            post_form(admin, "/admin/jadwal/petugas", "/admin/jadwal/petugas/cuti",
                      {"user_id": str(user_id(srv, name)), "first_day": day(40),
                       "last_day": day(40)})
        assert draw(admin, round_id, 1).status_code == 303
        (chosen,) = officers_of(srv, round_id)
        push.wait_for(lambda: push.for_sub(subs[chosen]))
        (got,) = push.for_sub(subs[chosen])
        assert got.payload["url"] == "/petugas" and "WIB" in got.payload["body"]
        assert set(got.payload) == {"title", "body", "url", "tag"}
        assert "Kanigoro" not in repr(got.payload)  # date and hour only
        assert all(not push.for_sub(s) for uid, s in subs.items() if uid != chosen)
        home = sessions[chosen].get("/petugas")
        assert "Jadwal Anda" in home.text and "Lapangan Kanigoro" in home.text
        other = next(uid for uid in subs if uid != chosen)
        assert "Lapangan Kanigoro" not in sessions[other].get("/petugas").text
    finally:
        push.close()
        for http in sessions.values():
            http.close()


def test_honorarium_page_csv_and_xlsx_add_up(srv: ServerProcess, admin: httpx.Client) -> None:
    year = int(day(50)[:4])
    post_form(admin, "/admin/jadwal/honor", "/admin/jadwal/honor/anggaran",
              {"year": str(year), "budget": "78020000", "rate": "", "evening_rate": ""})
    done = []
    for offset, start, end in ((50, "19.00", "22.00"), (51, "09.00", "12.00")):
        round_id = create_round(admin, offset=offset, start=start, end=end)
        assert draw(admin, round_id, 2).status_code == 303
        post_form(admin, f"/admin/jadwal/{round_id}", f"/admin/jadwal/{round_id}/terbitkan", {})
        post_form(admin, f"/admin/jadwal/{round_id}", f"/admin/jadwal/{round_id}/selesai", {})
        done.append(round_id)
    assignments = srv.query(
        "SELECT count(*) FROM round_officers o JOIN rounds r ON r.id = o.round_id"
        " WHERE r.status = 'done' AND substr(r.day, 1, 4) = ?", str(year))[0][0]
    assert assignments >= 4
    page = admin.get(f"/admin/jadwal/honor?tahun={year}")
    assert f'data-total="{assignments * 75000}"' in page.text
    assert f'data-remaining="{78_020_000 - assignments * 75000}"' in page.text
    # printable on A4: the page's own stylesheet has the print rules
    sheet = re.search(r'href="(/static/css/app[^"]*\.css[^"]*)"', page.text).group(1)
    assert "size: A4" in admin.get(sheet).text
    rows = list(csv.reader(io.StringIO(
        admin.get(f"/admin/jadwal/honor.csv?tahun={year}").content.decode("utf-8-sig"))))
    assert rows[0][0] == "Petugas" and rows[-1][0] == "Jumlah"
    assert sum(int(r[3]) for r in rows[1:-1]) == int(rows[-1][3]) == assignments * 75000
    assert sum(int(r[1]) for r in rows[1:-1]) == assignments
    book = openpyxl.load_workbook(io.BytesIO(
        admin.get(f"/admin/jadwal/honor.xlsx?tahun={year}").content))
    sheet = book.active
    values = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    lines = values[:values.index(next(v for v in values if v[0] == "Jumlah"))]
    assert sum(v[3] for v in lines) == assignments * 75000
    assert next(v for v in values if v[0] == "Sisa anggaran")[3] == \
        78_020_000 - assignments * 75000


def test_round_report_counts_its_applications(srv: ServerProcess, admin: httpx.Client) -> None:
    round_id = create_round(admin, offset=60)
    assert draw(admin, round_id, 1).status_code == 303
    officer = officer_client(srv.url)
    keys = [new_key() for _ in range(3)]
    for key, kbli in zip(keys, (["47111"], ["10792", "47111"], ["56102"]), strict=True):
        r = post_application(officer, key, application(kbli=kbli, round_id=round_id))
        assert r.status_code == 201, r.text
    officer.close()
    assert srv.query("SELECT count(*) FROM applications WHERE round_id = ?", round_id) == [(3,)]
    page = admin.get(f"/petugas/jadwal/{round_id}/laporan")
    assert page.status_code == 200
    assert 'data-taken="3"' in page.text and 'data-waiting="3"' in page.text
    assert 'data-section="G"' in page.text and 'data-section="C"' in page.text
    rows = list(csv.reader(io.StringIO(
        admin.get(f"/petugas/jadwal/{round_id}/laporan.csv").content.decode("utf-8-sig"))))
    assert rows[-1][:3] == ["Jumlah", "", "3"]
    assert {r[0]: int(r[2]) for r in rows[1:-1]} == {"C": 1, "G": 2, "I": 1}
    # the round's officer may read it, another officer may not
    (assigned,) = officers_of(srv, round_id)
    names = {user_id(srv, n): n for n in NAMES}
    names[user_id(srv, "petugas")] = "petugas"
    for uid, name in names.items():
        http = client(srv.url)
        assert login(http, name, PASSWORD if name in NAMES else "petugas-blitar"
                     ).status_code == 303
        expected = 200 if uid == assigned else 403
        assert http.get(f"/petugas/jadwal/{round_id}/laporan").status_code == expected
        http.close()
