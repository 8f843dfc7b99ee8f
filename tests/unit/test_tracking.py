"""Tracking codes: 6 random characters + a check character that catches typing mistakes."""

import random
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import FieldError
from app.domain.tracking import (
    ALPHABET,
    MSG_CHECK,
    WEIGHTS,
    check_char,
    format_tracking_code,
    is_valid_tracking_code,
    new_tracking_code,
    normalize_tracking_code,
)

SAMPLE = [new_tracking_code(random.Random(seed)) for seed in range(300)]


def test_alphabet_has_31_unambiguous_characters() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert all(31 % d for d in range(2, 31))  # 31 is prime
    assert not set("01OIL") & set(ALPHABET)
    assert set(ALPHABET) == (set(string.digits) | set(string.ascii_uppercase)) - set("01OIL")


def test_weights_are_non_zero_and_distinct_mod_31() -> None:
    assert len(WEIGHTS) == 7
    assert all(w % 31 for w in WEIGHTS)
    assert len({w % 31 for w in WEIGHTS}) == 7


def test_new_codes_are_valid_and_seven_characters_of_the_alphabet() -> None:
    codes = [*SAMPLE, *(new_tracking_code() for _ in range(200))]
    for code in codes:
        assert len(code) == 7
        assert set(code) <= set(ALPHABET)
        assert is_valid_tracking_code(code)
        assert code[-1] == check_char(code[:6])
    assert len(set(codes)) == len(codes)


def test_a_seeded_rng_gives_reproducible_codes() -> None:
    assert new_tracking_code(random.Random(7)) == new_tracking_code(random.Random(7))


def test_every_single_substitution_is_detected() -> None:
    checked = 0
    for code in SAMPLE:
        for i, original in enumerate(code):
            for ch in ALPHABET:
                if ch != original:
                    assert not is_valid_tracking_code(code[:i] + ch + code[i + 1 :])
                    checked += 1
    assert checked == 300 * 7 * 30


def test_every_adjacent_transposition_is_detected() -> None:
    checked = 0
    for code in SAMPLE:
        for i in range(6):
            if code[i] != code[i + 1]:
                swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
                assert not is_valid_tracking_code(swapped)
                checked += 1
    assert checked > 300 * 5


def test_every_transposition_of_any_two_positions_is_detected() -> None:
    for code in SAMPLE:
        for i in range(7):
            for j in range(i + 1, 7):
                if code[i] != code[j]:
                    chars = list(code)
                    chars[i], chars[j] = chars[j], chars[i]
                    assert not is_valid_tracking_code("".join(chars))


@given(st.text(alphabet=ALPHABET, min_size=6, max_size=6), st.integers(0, 6), st.data())
def test_substitution_detected_for_any_code(body: str, i: int, data: st.DataObject) -> None:
    code = body + check_char(body)
    ch = data.draw(st.sampled_from([c for c in ALPHABET if c != code[i]]))
    assert not is_valid_tracking_code(code[:i] + ch + code[i + 1 :])


@pytest.mark.parametrize(
    "code",
    ["", "ABCDEF", "ABCDEFGH", "ABC-DEFG", "abcdefg", "ABCDEF0", None, 1234567],
)
def test_is_valid_refuses_non_canonical_or_malformed_codes(code: object) -> None:
    assert not is_valid_tracking_code(code)  # type: ignore[arg-type]


@pytest.mark.parametrize("sep", ["", "-", " ", " - ", "  "])
def test_normalize_accepts_lowercase_spaces_and_dashes(sep: str) -> None:
    for code in SAMPLE[:50]:
        typed = code[:3] + sep + code[3:]
        assert normalize_tracking_code(typed) == code
        assert normalize_tracking_code(typed.lower()) == code
        assert normalize_tracking_code(f"  {typed}  ") == code


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Kode pelacakan wajib diisi."),
        (" - ", "Kode pelacakan wajib diisi."),
        ("ABC-DEF", "Kode pelacakan terdiri dari 7 huruf/angka, misalnya ABC-DEFG; yang diisi 6."),
        ("ABC-DEFGH", "yang diisi 8"),
        ("AB0-DEFG", "tanpa huruf O, I, dan L, serta tanpa angka 0 dan 1"),
        ("ABO-DEFG", "tanpa huruf O, I, dan L"),
        ("AB1-DEFG", "tanpa angka 0 dan 1"),
        ("abi-defg", "tanpa huruf O, I, dan L"),
        ("ABL-DEFG", "tanpa huruf O, I, dan L"),
        ("AB#-DEFG", "hanya memakai angka 2 sampai 9 dan huruf A sampai Z"),
    ],
)
def test_normalize_refuses_with_a_message(raw: str, message: str) -> None:
    with pytest.raises(FieldError) as info:
        normalize_tracking_code(raw)
    assert message in info.value.message


def test_a_swapped_pair_gives_the_check_message() -> None:
    code = SAMPLE[0]
    i = next(i for i in range(6) if code[i] != code[i + 1])
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    with pytest.raises(FieldError) as info:
        normalize_tracking_code(swapped)
    assert info.value.message == MSG_CHECK
    assert MSG_CHECK == (
        "Kode pelacakan tidak cocok. Periksa kembali, mungkin ada huruf yang tertukar."
    )


def test_format_groups_three_and_four() -> None:
    assert format_tracking_code("ABCDEFG") == "ABC-DEFG"
    assert format_tracking_code("abc defg") == "ABC-DEFG"
    assert format_tracking_code("ABC-DEFG") == "ABC-DEFG"


@given(st.text(alphabet=ALPHABET, min_size=6, max_size=6))
def test_formatted_code_normalizes_back(body: str) -> None:
    code = body + check_char(body)
    assert normalize_tracking_code(format_tracking_code(code)) == code
    assert normalize_tracking_code(format_tracking_code(code).lower()) == code
