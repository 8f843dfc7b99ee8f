"""Phone: Indonesian WhatsApp mobile numbers, stored as 62…"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import FieldError
from app.domain.phone import mask_phone, normalize_phone, phone_last4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("+62-812-3456-7890", "6281234567890"),
        ("6281234567890", "6281234567890"),
        ("81234567890", "6281234567890"),
        ("812 3456 7890", "6281234567890"),
        ("(0812) 3456.7890", "6281234567890"),
        ("+62 (812) 3456-7890", "6281234567890"),
        ("0062 812 3456 7890", "6281234567890"),
        ("+62 0812 3456 7890", "6281234567890"),  # a common mistake: the 0 kept after +62
        ("  0812 3456 7890  ", "6281234567890"),
        ("0812345678", "62812345678"),  # 10 digits with the 0: shortest
        ("0812345678901", "62812345678901"),  # 13 digits with the 0: longest
        ("0856-4321-0987", "6285643210987"),
        ("08881234567", "628881234567"),
    ],
)
def test_mobile_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Nomor HP (WhatsApp) wajib diisi. Contoh: 0812-3456-7890."),
        ("  - ", "wajib diisi"),
        ("0342-801234", "Ini bukan nomor HP. Isi nomor HP yang dipakai untuk WhatsApp, diawali"),
        ("(0342) 801234", "Ini bukan nomor HP"),
        ("+62 342 801234", "Ini bukan nomor HP"),
        ("021-5551234", "Ini bukan nomor HP"),
        ("342801234", "Ini bukan nomor HP"),
        ("+1 415 555 0100", "Nomor luar negeri tidak bisa dipakai."),
        ("+60 12 345 6789", "Nomor luar negeri"),
        ("0812-3456-789O", "Nomor HP hanya berisi angka (boleh diawali +62)."),
        ("HP 081234567890", "hanya berisi angka"),
        ("0812+34567890", "hanya berisi angka"),
        ("081234567", "Nomor HP yang diawali 08 terdiri dari 10 sampai 13 angka; yang diisi 9"),
        ("08123456789012", "yang diisi 14 angka"),
        ("+62 812 345", "yang diisi 7 angka"),
    ],
)
def test_invalid_numbers_say_how_to_fix_them(raw: str, message: str) -> None:
    with pytest.raises(FieldError) as info:
        normalize_phone(raw)
    assert message in info.value.message


national_numbers = st.integers(min_value=8, max_value=11).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n).map(lambda d: "8" + d)
)


@given(national=national_numbers, sep=st.sampled_from(["", " ", "-", "."]))
def test_every_way_of_writing_a_number_gives_the_same_result(national: str, sep: str) -> None:
    grouped = sep.join([national[:3], national[3:7], national[7:]])
    expected = "62" + national
    for written in ["0" + grouped, "+62" + sep + grouped, "62" + grouped, grouped]:
        assert normalize_phone(written) == expected
    assert normalize_phone(expected) == expected  # idempotent


@given(national=national_numbers)
def test_mask_keeps_length_prefix_and_last_four(national: str) -> None:
    phone = normalize_phone("0" + national)
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked[:5] == phone[:5]
    assert masked[-4:] == phone[-4:] == phone_last4(phone)
    assert set(masked[5:-4]) == {"•"}


def test_mask_phone_example() -> None:
    assert mask_phone("6281234567890") == "62812••••7890"
    assert mask_phone("62812345678") == "62812••5678"
    assert phone_last4("6281234567890") == "7890"
