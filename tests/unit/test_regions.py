"""Kabupaten Blitar regions: counts, picker consistency, compact JSON, OSS codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.reference.regions import Desa, Kecamatan, Regions

CSV_PATH = Path(__file__).resolve().parents[2] / "app" / "data" / "wilayah_kab_blitar.csv"


@pytest.fixture(scope="module")
def regions() -> Regions:
    return Regions.load()


def test_counts(regions: Regions) -> None:
    kecamatan = regions.kecamatan()
    assert len(kecamatan) == 22
    desa = [d for k in kecamatan for d in regions.desa_of(k.code)]
    assert len(desa) == 248
    assert len(regions.all_desa()) == 248
    types = [d.type for d in desa]
    assert types.count("desa") == 220
    assert types.count("kelurahan") == 28


def test_explicit_path_matches_default(regions: Regions) -> None:
    assert Regions.load(CSV_PATH).compact_json() == regions.compact_json()


def test_kecamatan_sorted_by_name(regions: Regions) -> None:
    names = [k.name for k in regions.kecamatan()]
    assert names == sorted(names, key=str.casefold)
    assert names[0] == "Bakung"
    assert Kecamatan(code="35.05.01", name="Wonodadi") in regions.kecamatan()
    assert all(k.code.startswith("35.05.") for k in regions.kecamatan())


def test_kecamatan_list_is_a_copy(regions: Regions) -> None:
    regions.kecamatan().clear()
    assert len(regions.kecamatan()) == 22


def test_desa_of_sorted_and_consistent(regions: Regions) -> None:
    seen: set[str] = set()
    for kec in regions.kecamatan():
        desa = regions.desa_of(kec.code)
        assert desa, kec
        assert [d.name for d in desa] == sorted((d.name for d in desa), key=str.casefold)
        for d in desa:
            assert d.kecamatan_code == kec.code
            assert d.code.startswith(kec.code + ".")
            assert regions.desa(d.code) == d
            assert regions.kecamatan_of_desa(d.code) == kec.code
            assert d.code not in seen
            seen.add(d.code)
    assert len(seen) == 248


def test_desa_matches_csv(regions: Regions) -> None:
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 248
    for row in rows:
        d = regions.desa(row["desa_code"])
        assert d == Desa(
            code=row["desa_code"],
            name=row["desa"],
            kecamatan_code=row["kecamatan_code"],
            type=row["type"],
        )
        assert regions.kecamatan_name(row["kecamatan_code"]) == row["kecamatan"]
        # type follows the first digit of the village code (1 kelurahan, 2 desa)
        assert d.type == {"1": "kelurahan", "2": "desa"}[d.code.split(".")[3][0]]


def test_lookups(regions: Regions) -> None:
    jaten = regions.desa("35.05.01.2001")
    assert jaten == Desa("35.05.01.2001", "Jaten", "35.05.01", "desa")
    assert regions.kecamatan_of_desa("35.05.01.2001") == "35.05.01"
    assert regions.kecamatan_name("35.05.01") == "Wonodadi"
    # the undotted OSS form is accepted too
    assert regions.desa("3505012001") == jaten
    assert regions.kecamatan_name("350501") == "Wonodadi"
    assert regions.desa_of("350501") == regions.desa_of("35.05.01")


def test_unknown_codes(regions: Regions) -> None:
    assert regions.desa("35.05.99.2001") is None
    assert regions.desa("35.72.01.1001") is None  # Kota Blitar is not included
    assert regions.kecamatan_of_desa("nonsense") is None
    assert regions.kecamatan_name("35.05.99") is None
    assert regions.desa_of("35.05.99") == []


def test_compact_json_round_trips(regions: Regions) -> None:
    raw = regions.compact_json()
    data = json.loads(raw)
    assert data["v"] == 1
    kecamatan = data["kecamatan"]
    assert [[k[0], k[1]] for k in kecamatan] == [[k.code, k.name] for k in regions.kecamatan()]
    desa_codes: list[str] = []
    for kec_code, _name, desa in kecamatan:
        assert desa == [[d.code, d.name, d.type] for d in regions.desa_of(kec_code)]
        desa_codes.extend(d[0] for d in desa)
    assert sorted(desa_codes) == [d.code for d in regions.all_desa()]
    assert len(raw) < 16_000
    assert raw.startswith(b'{"v":1,"kecamatan":[["35.05.')


@pytest.mark.parametrize(
    ("dotted", "oss"),
    [
        ("35.05.01.2001", "3505012001"),
        ("35.05.22.1001", "3505221001"),
        ("35.05.01", "350501"),
        ("35.05", "3505"),
        ("3505012001", "3505012001"),
        (" 35.05.01.2001 ", "3505012001"),
    ],
)
def test_to_oss_code(dotted: str, oss: str) -> None:
    assert Regions.to_oss_code(dotted) == oss


def test_to_oss_code_every_desa_is_ten_digits(regions: Regions) -> None:
    for d in regions.all_desa():
        code = Regions.to_oss_code(d.code)
        assert len(code) == 10 and code.isdigit()
        assert regions.desa(code) == d


@pytest.mark.parametrize("bad", ["", "35.05.x1", "35-05-01", "٣٥٠٥"])
def test_to_oss_code_rejects_garbage(bad: str) -> None:
    with pytest.raises(ValueError):
        Regions.to_oss_code(bad)


def test_bad_csv_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "w.csv"
    bad.write_text(
        "kecamatan_code,kecamatan,desa_code,desa,type\n35.05.01,A,35.05.02.2001,X,desa\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError):
        Regions.load(bad)
