"""The office plans rounds over real HTTP: create, conflicts refused with their message,
publish, move (sequence raised, history kept), duplicate, cancel with a reason, mark done;
cars and agencies."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.rounds_support import admin_client, create_round, post_form, round_form
from tests.support import ServerProcess, visible_text


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("rounds"))
    proc.seed()
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def admin(srv: ServerProcess) -> Iterator[httpx.Client]:
    http = admin_client(srv.url)
    yield http
    http.close()


def test_officers_cannot_reach_the_planning_pages(srv: ServerProcess) -> None:
    from tests.support import officer_client
    http = officer_client(srv.url)
    assert http.get("/admin/jadwal").status_code == 403
    http.close()


def test_plan_publish_move_duplicate_cancel_and_finish(srv: ServerProcess,
                                                        admin: httpx.Client) -> None:
    round_id = create_round(admin, offset=12)
    page = admin.get(f"/admin/jadwal/{round_id}")
    assert page.status_code == 200 and "Draf" in page.text
    assert srv.query("SELECT status, sequence FROM rounds WHERE id = ?", round_id) == [
        ("draft", 0)]
    # the month view shows it
    month = admin.get(f"/admin/jadwal?bulan={round_form(12)['day'][:7]}")
    assert f'href="/admin/jadwal/{round_id}"' in month.text

    r = post_form(admin, f"/admin/jadwal/{round_id}", f"/admin/jadwal/{round_id}/terbitkan", {})
    assert r.status_code == 303
    assert srv.query("SELECT status, sequence FROM rounds WHERE id = ?", round_id) == [
        ("published", 1)]

    # move it two hours later: sequence raised, the move in its history
    moved = round_form(12, start="21.00", end="00.30")
    r = post_form(admin, f"/admin/jadwal/{round_id}/ubah", f"/admin/jadwal/{round_id}/ubah",
                  moved)
    assert r.status_code == 303, r.text
    ((seq, end, ends_at, starts_at),) = srv.query(
        "SELECT sequence, end_time, ends_at, starts_at FROM rounds WHERE id = ?", round_id)
    assert seq == 2 and end == "00:30" and ends_at > starts_at
    text = visible_text(admin.get(f"/admin/jadwal/{round_id}").text)
    assert "Dipindah dari" in text and "21.00–00.30 (hari berikutnya) WIB" in text

    # duplicate: the same round's values in a new form, with a date to choose
    dup = admin.get(f"/admin/jadwal/baru?dari={round_id}")
    assert 'value="Balai Desa"' in dup.text and 'value="21.00"' in dup.text

    # cancel needs a reason, kept on error next to the field
    r = post_form(admin, f"/admin/jadwal/{round_id}", f"/admin/jadwal/{round_id}/batalkan",
                  {"reason": "no"})
    assert r.status_code == 422 and "Tulis alasan pembatalan" in r.text
    r = post_form(admin, f"/admin/jadwal/{round_id}", f"/admin/jadwal/{round_id}/batalkan",
                  {"reason": "Hujan deras dan banjir"})
    assert r.status_code == 303
    assert srv.query("SELECT status, cancel_reason, sequence FROM rounds WHERE id = ?",
                     round_id) == [("cancelled", "Hujan deras dan banjir", 3)]
    # a cancelled round can be neither finished nor edited
    r = post_form(admin, f"/admin/jadwal/{round_id}", f"/admin/jadwal/{round_id}/selesai", {})
    assert r.status_code == 422 and "tidak diizinkan" in r.text
    actions = [a for (a,) in srv.query(
        "SELECT action FROM round_history WHERE round_id = ? ORDER BY id", round_id)]
    assert actions == ["create", "published", "edit", "cancelled"]
    assert srv.query("SELECT count(*) FROM audit_log WHERE target_type = 'round'"
                     " AND target_id = ?", str(round_id))[0][0] == 4

    done_id = create_round(admin, offset=13)
    post_form(admin, f"/admin/jadwal/{done_id}", f"/admin/jadwal/{done_id}/terbitkan", {})
    r = post_form(admin, f"/admin/jadwal/{done_id}", f"/admin/jadwal/{done_id}/selesai", {})
    assert r.status_code == 303
    assert srv.query("SELECT status FROM rounds WHERE id = ?", done_id) == [("done",)]


def test_the_same_car_twice_at_once_is_refused_with_the_message(srv: ServerProcess,
                                                                 admin: httpx.Client) -> None:
    first = create_round(admin, offset=20, place="Alun-alun Wlingi")
    r = post_form(admin, "/admin/jadwal/baru", "/admin/jadwal/baru",
                  round_form(20, start="21.30", end="23.00", place="Pasar Kademangan"))
    assert r.status_code == 422
    text = visible_text(r.text)
    assert "Mobil ini sudah dipakai pada sesi lain di jam yang bertabrakan" in text
    assert "Alun-alun Wlingi" in text
    assert 'value="Pasar Kademangan"' in r.text  # values kept
    # a second car makes it possible; cancelling the first frees the car
    post_form(admin, "/admin/jadwal/mobil", "/admin/jadwal/mobil", {"name": "Mobil 2"})
    ((car2,),) = srv.query("SELECT id FROM cars WHERE name = 'Mobil 2'")
    second = create_round(admin, **round_form(20, start="21.30", end="23.00", car_id=str(car2),
                                              place="Pasar Kademangan"))
    # moving the second onto car 1 is refused too
    r = post_form(admin, f"/admin/jadwal/{second}/ubah", f"/admin/jadwal/{second}/ubah",
                  round_form(20, start="21.30", end="23.00", car_id="1"))
    assert r.status_code == 422 and "Mobil ini sudah dipakai" in r.text
    post_form(admin, f"/admin/jadwal/{first}", f"/admin/jadwal/{first}/batalkan",
              {"reason": "Tempat tidak tersedia"})
    r = post_form(admin, f"/admin/jadwal/{second}/ubah", f"/admin/jadwal/{second}/ubah",
                  round_form(20, start="21.30", end="23.00", car_id="1"))
    assert r.status_code == 303


def test_a_place_outside_the_regency_and_bad_fields_get_messages_beside_them(
        admin: httpx.Client) -> None:
    r = post_form(admin, "/admin/jadwal/baru", "/admin/jadwal/baru",
                  round_form(5, lat="-7.25", lng="112.75", start="25.00", kecamatan="35.07.01"))
    assert r.status_code == 422
    text = visible_text(r.text)
    assert "di luar Kabupaten Blitar" in text and "Jam tidak sah" in text
    assert "Pilih kecamatan di Kabupaten Blitar" in text
    assert 'id="f-lat-error"' in r.text and 'aria-describedby="f-lat-error"' in r.text


def test_cars_and_agencies_are_managed(srv: ServerProcess, admin: httpx.Client) -> None:
    r = post_form(admin, "/admin/jadwal/mobil", "/admin/jadwal/mobil", {"name": "x"})
    assert r.status_code == 422 and "Tulis nama mobil" in r.text
    post_form(admin, "/admin/jadwal/mobil", "/admin/jadwal/mobil",
              {"name": "Mobil Cadangan", "plate": "AG 1234 XY"})
    ((car,),) = srv.query("SELECT id FROM cars WHERE name = 'Mobil Cadangan'")
    post_form(admin, "/admin/jadwal/mobil", f"/admin/jadwal/mobil/{car}/nonaktifkan", {})
    assert srv.query("SELECT active FROM cars WHERE id = ?", car) == [(0,)]
    assert "Mobil Cadangan" not in admin.get("/admin/jadwal/baru").text
    post_form(admin, "/admin/jadwal/mobil", "/admin/jadwal/instansi/1",
              {"name": "Dinas PUPR Kabupaten Blitar", "short_name": "PUPR"})
    assert srv.query("SELECT name FROM agencies WHERE id = 1") == [
        ("Dinas PUPR Kabupaten Blitar",)]
