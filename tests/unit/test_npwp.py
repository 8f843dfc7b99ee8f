"""NPWP: optional, 15 digits (legacy) or 16 digits (for a person: the NIK)."""

import pytest

from app.domain.errors import FieldError
from app.domain.npwp import mask_npwp, normalize_npwp

NIK = "3505014507900012"


@pytest.mark.parametrize(
    ("raw", "nik", "expected"),
    [
        (None, NIK, None),
        ("", NIK, None),
        ("   ", None, None),
        (" - . ", None, None),
        ("12.345.678.9-012.345", NIK, "123456789012345"),
        ("123456789012345", None, "123456789012345"),
        ("01.234.567.8-901.000", NIK, "012345678901000"),  # a leading 0 is fine in 15 digits
        ("12 345 678 9 012 345", NIK, "123456789012345"),
        (NIK, NIK, NIK),  # the NIK-based NPWP
        ("3505 0145 0790 0012", NIK, NIK),
        (NIK, "3505.0145.0790.0012", NIK),  # the NIK may still carry its dots
        (NIK, None, NIK),  # NIK unknown (e.g. itself invalid): cannot compare
    ],
)
def test_valid_npwp_is_normalised(raw: str | None, nik: str | None, expected: str | None) -> None:
    assert normalize_npwp(raw, nik) == expected


@pytest.mark.parametrize(
    ("raw", "nik", "message"),
    [
        ("12.345.678.9-012.34A", NIK, "NPWP hanya berisi angka"),
        ("NPWP 123456789012345", NIK, "NPWP hanya berisi angka"),
        ("12/345/678/9/012/345", NIK, "NPWP hanya berisi angka"),
        ("12345678901234", NIK, "NPWP harus 15 angka (NPWP lama) atau 16 angka (sama dengan NIK)"),
        ("12345678901234", NIK, "yang diisi 14 angka"),
        ("12345678901234567", NIK, "yang diisi 17 angka"),
        ("000000000000000", NIK, "NPWP tidak boleh berisi angka 0 semua."),
        ("00.000.000.0-000.000", None, "angka 0 semua"),
        ("0000000000000000", NIK, "angka 0 semua"),
        ("3505014507900013", NIK, "NPWP 16 angka untuk orang pribadi sama dengan NIK."),
        ("3505014507900013", NIK, "Isi NPWP sama persis dengan NIK"),
        ("0123456789012345", NIK, "NPWP 16 angka yang diawali 0 adalah NPWP badan usaha."),
        ("0123456789012345", None, "NPWP badan usaha"),
    ],
)
def test_invalid_npwp_says_how_to_fix_it(raw: str, nik: str | None, message: str) -> None:
    with pytest.raises(FieldError) as info:
        normalize_npwp(raw, nik)
    assert message in info.value.message


def test_every_npwp_message_reminds_that_npwp_is_optional() -> None:
    for raw in ["12A", "123", "000000000000000", "3505014507900013", "0123456789012345"]:
        with pytest.raises(FieldError) as info:
            normalize_npwp(raw, NIK)
        assert "kosongkan" in info.value.message


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("123456789012345", "•••••••••••2345"),
        ("3505014507900012", "••••••••••••0012"),
        ("123", "•••"),
    ],
)
def test_mask_npwp_keeps_the_last_four_digits(value: str, masked: str) -> None:
    assert mask_npwp(value) == masked
