"""Business scale by capital (PP 7/2021) and reading/writing rupiah amounts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import FieldError
from app.domain.scale import Scale, format_rupiah, parse_rupiah, scale_for_capital

M = 1_000_000_000  # one miliar


def test_scale_codes_and_labels_follow_oss() -> None:
    assert [(s.value, s.label) for s in Scale] == [
        ("01", "Mikro"),
        ("02", "Kecil"),
        ("03", "Menengah"),
        ("04", "Besar"),
    ]
    assert Scale("02") is Scale.KECIL
    assert f"{Scale.MIKRO}" == "01"


@pytest.mark.parametrize(
    ("capital", "scale"),
    [
        (0, Scale.MIKRO),
        (15_000_000, Scale.MIKRO),
        (1 * M, Scale.MIKRO),  # "paling banyak Rp1.000.000.000"
        (1 * M + 1, Scale.KECIL),
        (5 * M, Scale.KECIL),
        (5 * M + 1, Scale.MENENGAH),
        (10 * M, Scale.MENENGAH),
        (10 * M + 1, Scale.BESAR),
        (10**15, Scale.BESAR),
    ],
)
def test_scale_for_capital_boundaries(capital: int, scale: Scale) -> None:
    assert scale_for_capital(capital) is scale


def test_negative_capital_has_no_scale() -> None:
    with pytest.raises(FieldError):
        scale_for_capital(-1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (15_000_000, 15_000_000),
        (0, 0),
        ("0", 0),
        ("15000000", 15_000_000),
        ("15.000.000", 15_000_000),
        ("Rp 15.000.000", 15_000_000),
        ("Rp15.000.000,-", 15_000_000),
        ("Rp. 15.000.000,00", 15_000_000),
        ("rp15.000.000", 15_000_000),
        ("IDR 15.000.000", 15_000_000),
        ("15,000,000", 15_000_000),
        ("15,000,000.00", 15_000_000),
        ("15 000 000", 15_000_000),
        ("15.000.000.-", 15_000_000),
        ("1.500", 1_500),
        ("1,500", 1_500),  # groups of three: a thousands separator, never a decimal
        ("500", 500),
        ("  2.500.000  ", 2_500_000),
        ("1.000.000.000.000.000", 10**15),
    ],
)
def test_parse_rupiah_reads_how_people_write_amounts(raw: str | int, expected: int) -> None:
    assert parse_rupiah(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Modal usaha wajib diisi dalam rupiah, misalnya 15.000.000."),
        ("Rp", "Modal usaha wajib diisi"),
        ("Rp ,-", "Modal usaha wajib diisi"),
        ("1,5", "Tulis modal dalam rupiah penuh, tanpa angka di belakang koma"),
        ("15.000.000,50", "tanpa angka di belakang koma"),
        ("2.5", "tanpa angka di belakang koma"),
        ("15000000.75", "tanpa angka di belakang koma"),
        ("15 juta", 'Tulis modal dengan angka lengkap, misalnya 15.000.000 (bukan "15 juta").'),
        ("1,5 M", "angka lengkap"),
        ("15jt", "angka lengkap"),
        ("-5.000.000", "Modal usaha tidak boleh kurang dari nol."),
        ("Rp -5.000", "tidak boleh kurang dari nol"),
        (-1, "tidak boleh kurang dari nol"),
        ("1.5000", "Penulisan modal tidak dikenali. Tulis dengan angka saja"),
        ("15.000,000", "Penulisan modal tidak dikenali"),  # mixed separators
        ("15..000", "Penulisan modal tidak dikenali"),
        ("1000.000", "Penulisan modal tidak dikenali"),  # first group longer than 3
        ("+15000", "Penulisan modal tidak dikenali"),
        ("１５０００", "Penulisan modal tidak dikenali"),  # full-width digits
        ("1.000.000.000.000.001", "Jumlah modal terlalu besar."),
        (10**15 + 1, "terlalu besar"),
        (True, "Penulisan modal tidak dikenali"),
    ],
)
def test_parse_rupiah_refuses_with_a_message(raw: str | int, message: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_rupiah(raw)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "Rp0"),
        (500, "Rp500"),
        (1_500, "Rp1.500"),
        (15_000_000, "Rp15.000.000"),
        (1_000_000_000, "Rp1.000.000.000"),
        (-5_000, "-Rp5.000"),
    ],
)
def test_format_rupiah(n: int, text: str) -> None:
    assert format_rupiah(n) == text


@given(st.integers(min_value=0, max_value=10**15))
def test_formatted_amounts_parse_back(n: int) -> None:
    assert parse_rupiah(format_rupiah(n)) == n
    assert parse_rupiah(format_rupiah(n) + ",-") == n
    assert parse_rupiah(f"{n:,}") == n  # English grouping
