"""NIK: parsing the 16 digits of the KTP number, and masking it for lists."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import FieldError
from app.domain.nik import PROVINCE_CODES, Nik, mask_nik, parse_nik

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("raw", "sex", "born"),
    [
        ("3505014507900012", "P", date(1990, 7, 5)),  # the brief's example: 45 = 5 + 40
        ("3505010507900012", "L", date(1990, 7, 5)),
        ("3505.0145.0790.0012", "P", date(1990, 7, 5)),
        (" 35 05 01 450790 0012 ", "P", date(1990, 7, 5)),
        ("3505-01-450790-0012", "P", date(1990, 7, 5)),
        ("3505012902000001", "L", date(2000, 2, 29)),  # 2000 is a leap year
        ("3505016902960003", "P", date(1996, 2, 29)),  # 69 = 29 + 40, 1996 leap
        ("3505017112850007", "P", date(1985, 12, 31)),
        ("3505010101000001", "L", date(2000, 1, 1)),
        ("3505012911260001", "L", date(2026, 11, 29)),  # born today: 20YY is not after today
        ("3505013011260001", "L", date(1926, 11, 30)),  # 2026-11-30 is after today -> 19YY
        ("3505010112990001", "L", date(1999, 12, 1)),
        ("3171014101050001", "P", date(2005, 1, 1)),  # DKI Jakarta
        ("2171010101800001", "L", date(1980, 1, 1)),  # Kepulauan Riau (21)
        ("9501010101800001", "L", date(1980, 1, 1)),  # Papua Pegunungan (95)
        ("9601010101800001", "L", date(1980, 1, 1)),  # Papua Barat Daya (96)
        ("3505011111111111", "L", date(2011, 11, 11)),  # serial 1111 is fine
    ],
)
def test_valid_nik_is_decoded(raw: str, sex: str, born: date) -> None:
    nik = parse_nik(raw, TODAY)
    assert nik.value == "".join(ch for ch in raw if ch.isdigit())
    assert nik.sex == sex
    assert nik.birth_date == born


def test_parts_of_the_nik() -> None:
    nik = parse_nik("3505014507900012", TODAY)
    assert nik == Nik(
        value="3505014507900012",
        province="35",
        regency="05",
        district="01",
        birth_date=date(1990, 7, 5),
        sex="P",
    )
    assert nik.region_code == "35.05.01"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "NIK wajib diisi. Ketik 16 angka NIK yang tertulis di KTP."),
        ("  ", "NIK wajib diisi."),
        ("35050145079000", "NIK harus 16 angka, yang diisi 14 angka. Periksa kembali angka"),
        ("35050145079000123", "NIK harus 16 angka, yang diisi 17 angka."),
        ("3505O14507900012", "NIK hanya berisi angka (16 angka), tanpa huruf."),
        ("NIK 3505014507900012", "NIK hanya berisi angka"),
        ("３５０５０１４５０７９０００１２", "NIK hanya berisi angka"),  # full-width digits
        ("1111111111111111", "NIK tidak mungkin berisi satu angka yang sama semua."),
        ("0000000000000000", "satu angka yang sama semua"),
        ("2005014507900012", "Dua angka pertama NIK (20) bukan kode provinsi."),
        ("1005014507900012", "(10) bukan kode provinsi"),
        ("3705014507900012", "(37) bukan kode provinsi"),
        ("9705014507900012", "(97) bukan kode provinsi"),
        ("8305014507900012", "(83) bukan kode provinsi"),
        ("3500014507900012", "Angka ke-3 dan ke-4 NIK (kode kabupaten/kota) tidak boleh 00."),
        ("3505004507900012", "Angka ke-5 dan ke-6 NIK (kode kecamatan) tidak boleh 00."),
        ("3505010007900012", "Angka ke-7 sampai ke-12 NIK harus tanggal lahir"),  # day 00
        ("3505013207900012", "harus tanggal lahir"),  # day 32
        ("3505014007900012", "harus tanggal lahir"),  # day 40: neither man nor woman
        ("3505017207900012", "harus tanggal lahir"),  # day 72 = 32 + 40
        ("3505010500900012", "harus tanggal lahir"),  # month 00
        ("3505010513900012", "harus tanggal lahir"),  # month 13
        ("3505013104900012", "harus tanggal lahir"),  # 31 April
        ("3505012902010001", "harus tanggal lahir"),  # 29 Feb 2001
        ("3505016902970001", "harus tanggal lahir"),  # 29 Feb: 2097 is future, 1997 not leap
        ("3505014507900000", "Empat angka terakhir NIK tidak boleh 0000."),
    ],
)
def test_invalid_nik_gives_a_specific_message(raw: str, message: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_nik(raw, TODAY)
    assert message in info.value.message
    assert str(info.value) == info.value.message
    assert "Periksa kembali angka di KTP" in info.value.message or "wajib" in info.value.message


def test_every_real_province_code_is_accepted() -> None:
    expected = (
        set(range(11, 20))
        | {21}
        | set(range(31, 37))
        | set(range(51, 54))
        | set(range(61, 66))
        | set(range(71, 77))
        | {81, 82}
        | set(range(91, 97))
    )
    assert {int(code) for code in PROVINCE_CODES} == expected
    assert len(PROVINCE_CODES) == 38  # Indonesia has 38 provinces since 2022
    for code in PROVINCE_CODES:
        assert parse_nik(f"{code}05014507900012", TODAY).province == code


def test_a_nik_is_not_a_string_gives_a_field_error() -> None:
    with pytest.raises(FieldError):
        parse_nik(3505014507900012, TODAY)  # type: ignore[arg-type]


@given(
    born=st.dates(
        min_value=TODAY.replace(year=TODAY.year - 100) + timedelta(days=1), max_value=TODAY
    ),
    female=st.booleans(),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_any_birth_date_in_the_last_hundred_years_round_trips(
    born: date, female: bool, serial: int
) -> None:
    day = born.day + (40 if female else 0)
    raw = f"350501{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    nik = parse_nik(raw, TODAY)
    assert nik.birth_date == born
    assert nik.sex == ("P" if female else "L")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("3505014507900012", "3505••••••••0012"),
        ("3171014101050001", "3171••••••••0001"),
        ("1234", "••••"),
    ],
)
def test_mask_nik(value: str, masked: str) -> None:
    assert mask_nik(value) == masked
