"""Statistics against a small hand-made data set with known answers: the trigger-kept
summary (a real SQLite file, migrated), every panel, the sex-from-NIK rule, percentiles,
KBLI sections, small-cell suppression on the public figures."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from app.db import statistics as store
from app.db.applications import change_status
from app.db.connection import migrate_path, open_sync
from app.domain import disclosure
from app.domain.nik import parse_nik
from app.domain.statistics import (
    TIME_BUCKETS,
    StatFilter,
    by_section,
    duration_bucket,
    duration_label,
    percentile,
    section_of,
)
from app.reference.kbli import KbliCatalog
from app.reference.regions import Regions
from app.services import statistics as stats

TODAY = date(2019, 12, 31)
WONODADI, KANIGORO = "35.05.01", "35.05.10"
REGIONS = Regions.load()

# (NIK, month, kecamatan, desa, KBLI, capital scale, workers m/f, officer, round, final status,
#  seconds from capture to NIB). Day 45 in a NIK is a woman born on the 5th (day + 40).
DATA = [
    ("3505014507900012", "2019-01", WONODADI, "35.05.01.2001", "56102", "01", 0, 2, 1, 1,
     "issued", 30),
    ("3505011507900013", "2019-01", WONODADI, "35.05.01.2002", "47111", "01", 1, 0, 1, 1,
     "notified", 90),
    ("3505015203850007", "2019-02", WONODADI, "35.05.01.2001", "10792", "02", 2, 3, 2, 1,
     "issued", 600),
    ("3505012011880003", "2019-02", KANIGORO, None, "01111", "01", 1, 1, 2, 2,
     "referred_office", None),
    ("3505016101700001", "2019-02", KANIGORO, None, "47111", "01", 0, 1, 2, 2,
     "needs_fix", None),
    ("3505011212600002", "2019-03", KANIGORO, None, "96011", "01", 3, 0, None, None,
     "issued", 7300),
]


def _insert(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT INTO users (id, username, full_name, password_hash, role, created_at)"
                 " VALUES (1, 'a', 'Petugas A', 'x', 'officer', ''),"
                 " (2, 'b', 'Petugas B', 'x', 'officer', '')")
    for rid, kec in ((1, WONODADI), (2, KANIGORO)):
        conn.execute(
            "INSERT INTO rounds (id, day, start_time, end_time, starts_at, ends_at, evening,"
            " kecamatan, place, car_id, status, created_at, updated_at) VALUES"
            " (?, '2019-01-10', '08:00', '12:00', '', '', 0, ?, 'Balai desa', 1, 'done', '', '')",
            (rid, kec))
    for i, (nik, month, kec, desa, kbli, scale, wm, wf, officer, rnd, final, secs) in enumerate(
            DATA, start=1):
        desa = desa or REGIONS.desa_of(kec)[0].code
        sex = parse_nik(nik, TODAY).sex  # the stored column, from the NIK
        created = f"{month}-10T01:00:00.000+00:00"
        conn.execute(
            "INSERT INTO applications (id, client_id, request_hash, response_json,"
            " tracking_code, status, officer_id, nik, name, sex, birth_date, phone, business_name,"
            " kecamatan, desa, rt, rw, street, kbli_json, capital, workers_male, workers_female,"
            " scale, created_at, created_day, updated_at, round_id) VALUES (?, ?, '', '', ?, ?,"
            " ?, ?, 'N', ?, '', '', 'U', ?, ?, '', '', '', ?, 1, ?, ?, ?, ?, ?, ?, ?)",
            (i, f"c{i}", f"T{i}", "referred_office" if final == "referred_office" else "received",
             officer, nik, sex, kec, desa, json.dumps([kbli]), wm, wf, scale, created,
             f"{month}-10", created, rnd))
        if final in ("issued", "notified"):
            change_status(conn, i, "submitted", "t", None, created)
            at = f"{month}-10T01:00:00.000+00:00"
            issued_at = _plus(at, secs)
            change_status(conn, i, "issued", "t", None, issued_at, f"NIB{i}")
            if final == "notified":
                change_status(conn, i, "notified", "t", None, issued_at)
        elif final == "needs_fix":
            change_status(conn, i, "needs_fix", "t", "KBLI", created)


def _plus(at: str, seconds: int) -> str:
    from datetime import datetime, timedelta
    return (datetime.fromisoformat(at) + timedelta(seconds=seconds)).isoformat(
        timespec="milliseconds")


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    path = tmp_path / "s.sqlite3"
    migrate_path(path)
    c = open_sync(path)
    c.execute("BEGIN")
    _insert(c)
    c.execute("COMMIT")
    yield c
    c.close()


YEAR = StatFilter("2019-01", "2019-12")


def test_monthly_table_counts_applications_nib_referred_and_scale(conn):
    months = {m.month: m for m in stats.panel_monthly(conn, YEAR, REGIONS)}
    assert len(months) == 12
    jan, feb, mar = months["2019-01"], months["2019-02"], months["2019-03"]
    assert (jan.applications, jan.issued, jan.referred) == (2, 2, 0)
    assert (feb.applications, feb.issued, feb.referred) == (3, 1, 1)
    assert (mar.applications, mar.issued) == (1, 1)
    assert feb.scales == {"01": 2, "02": 1}
    assert (feb.workers_male, feb.workers_female) == (3, 5)
    assert months["2019-07"].applications == 0


def test_sex_comes_from_the_nik_day_plus_40(conn):
    sexes = {s["sex"]: s for s in stats.panel_sex(conn, YEAR, REGIONS)}
    # birth days 45, 52 and 61 are women born on the 5th, 12th and 21st; 15, 20, 12 are men
    assert parse_nik("3505016101700001", TODAY).sex == "P"
    assert parse_nik("3505011507900013", TODAY).sex == "L"
    assert sexes["P"]["applications"] == 3
    assert sexes["L"]["applications"] == 3
    assert sexes["P"]["workers_female"] == 2 + 3 + 1


def test_kecamatan_desa_kbli_round_officer_panels(conn):
    kec = {k["code"]: k for k in stats.panel_kecamatan(conn, YEAR, REGIONS)}
    assert (kec[WONODADI]["applications"], kec[WONODADI]["issued"]) == (3, 3)
    assert (kec[KANIGORO]["applications"], kec[KANIGORO]["issued"]) == (3, 1)
    assert kec[WONODADI]["name"] == "Wonodadi"
    desa = {(d["kecamatan"], d["desa"]): d["applications"]
            for d in stats.panel_desa(conn, YEAR, REGIONS)}
    assert desa[("Wonodadi", "Jaten")] == 2
    sections = {k["section"]: k["applications"] for k in stats.panel_kbli(conn, YEAR, REGIONS)}
    assert (sections["I"], sections["G"], sections["C"], sections["A"], sections["S"]) == (
        1, 2, 1, 1, 1)
    assert sum(sections.values()) == 6
    rounds = {r["id"]: r for r in stats.panel_rounds(conn, YEAR, REGIONS)}
    assert (rounds[1]["applications"], rounds[2]["applications"], rounds[0]["applications"]) == (
        3, 2, 1)
    assert rounds[2]["referred"] == 1
    assert "Balai desa" in rounds[1]["label"]
    officers = {o["name"]: o["applications"] for o in stats.panel_officers(conn, YEAR, REGIONS)}
    assert officers == {"Petugas A": 2, "Petugas B": 3, "Tanpa petugas": 1}


def test_filters_narrow_every_panel(conn):
    feb_kanigoro = StatFilter("2019-02", "2019-02", KANIGORO)
    months = stats.panel_monthly(conn, feb_kanigoro, REGIONS)
    assert [m.applications for m in months] == [2]
    only_round_1 = StatFilter("2019-01", "2019-12", "", 1)
    assert sum(m.applications for m in stats.panel_monthly(conn, only_round_1, REGIONS)) == 3
    assert store.count_applications(conn, only_round_1) == 3
    # the export reads the same filter
    assert [r[0] for r in store.export_chunk(conn, feb_kanigoro, 0, 10)] == [4, 5]
    assert [r[0] for r in store.export_chunk(conn, only_round_1, 0, 10)] == [1, 2, 3]


def test_capture_to_nib_median_and_p90(conn):
    t = stats.panel_nib_time(conn, YEAR, REGIONS)
    # 30 s, 90 s, 600 s, 7300 s fall in the buckets 30-45 s, 90-120 s, 600-900 s, 2-3 h;
    # a percentile is its bucket's middle here (one application per bucket)
    assert t["count"] == 4
    assert t["median"] == 105
    assert t["p90"] == 9000
    assert duration_label(t["p90"]) == "2 jam 30 menit"
    assert store.time_buckets(conn) == list(TIME_BUCKETS)


def test_triggers_keep_the_summary_equal_to_a_recount(conn):
    kept = store.all_cells(conn)
    # a correction moves the application between cells
    conn.execute("UPDATE applications SET kecamatan = ?, desa = ?, workers_male = 9 WHERE id = 5",
                 (WONODADI, "35.05.01.2002"))
    change_status(conn, 5, "received", "t", None, "2019-02-11T00:00:00.000+00:00")
    kept = store.all_cells(conn)
    store.rebuild_cells(conn)
    assert store.all_cells(conn) == kept


def test_duration_buckets_and_percentiles():
    assert [duration_bucket(s) for s in (0, 9, 10, 119, 125, 7199, 7250, 4_000_000)] == [
        0, 0, 10, 90, 120, 5400, 7200, 2_592_000]
    # 10 in 0-10 s and 10 in 600-900 s: the median is the top of the first bucket
    assert percentile([(0, 10), (600, 10)], 0.5) == 10
    assert percentile([(0, 10), (600, 10)], 0.75) == 735
    assert percentile([(60, 9), (3600, 1)], 0.9) == 88
    assert percentile([], 0.5) is None


def test_every_catalogue_code_maps_to_its_section():
    catalogue = KbliCatalog.load()
    assert all(section_of(e.code[:2]) == e.section for e in catalogue)
    assert by_section({"47": 3, "10": 2, "xx": 9}) == {**dict.fromkeys("ABCDEFGHIJKLMNOPQRSTU", 0),
                                                       "G": 3, "C": 2}


def test_small_cells_are_hidden_and_everything_else_rounded():
    assert [disclosure.public_count(n) for n in (0, 1, 4, 5, 7, 8, 12, 13, 1539)] == [
        0, "<5", "<5", 5, 5, 10, 10, 15, 1540]
    assert disclosure.public_sum(40, 3) == "<5"
    assert disclosure.public_sum(42, 6) == 40


def test_a_hidden_cell_cannot_be_recomputed_from_the_total():
    """Whatever the other cell, the total minus the shown cell leaves at least two values of
    the hidden one possible: it is never recomputed exactly."""
    for hidden in range(1, 5):
        for other in range(5, 60):
            total = disclosure.public_count(hidden + other)
            shown = disclosure.public_count(other)
            possible = {h for h in range(1, 5) for o in range(shown - 2, shown + 3)
                        if disclosure.public_count(o) == shown
                        and disclosure.public_count(h + o) == total}
            assert hidden in possible and len(possible) >= 2, (hidden, other, possible)


def test_public_page_hides_small_cells(conn):
    p = stats.public(conn, YEAR, REGIONS)
    assert p["totals"]["applications"] == 5  # 6 rounded
    jan = p["months"][0]
    assert jan["applications"] == "<5"
    kec = {k["name"]: k for k in p["kecamatan"]}
    assert kec["Wonodadi"]["applications"] == "<5"
    assert {s["label"]: s["applications"] for s in p["sex"]} == {
        "Laki-laki": "<5", "Perempuan": "<5"}
    assert p["nib_median"] is None  # fewer than 5 issued: no median either


def test_csv_export_masks_the_nik_and_neutralises_formulas(conn):
    conn.execute("UPDATE applications SET business_name = '=HYPERLINK(1)' WHERE id = 1")
    rows = stats.ExportRows(REGIONS, full_nik=False)
    chunk = store.export_chunk(conn, YEAR, 0, 10)
    assert [r[0] for r in chunk] == [1, 2, 3, 4, 5, 6]
    first = rows.cells(chunk[0])
    assert first[3] != "3505014507900012" and first[3].startswith("3505")
    assert first[6] == "'=HYPERLINK(1)"
    out = io.StringIO()
    csv.writer(out).writerow(first)
    assert "Wonodadi" in out.getvalue()
    assert stats.ExportRows(REGIONS, full_nik=True).cells(chunk[0])[3] == "3505014507900012"
    conn.execute("""UPDATE applications SET kbli_json = '["47111", "10792"]' WHERE id = 2""")
    assert rows.cells(store.export_chunk(conn, YEAR, 1, 1)[0])[9] == "47111 10792"
    assert [r[0] for r in store.export_chunk(conn, YEAR, 3, 2)] == [4, 5]
