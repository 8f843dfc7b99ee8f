"""Tracking codes for the public status lookup: 6 random characters + 1 check character.

The alphabet has 31 characters that cannot be confused when read aloud or handwritten
(no 0/O, no 1/I/L). Each character has a value 0..30. A code c1..c7 is valid when

    sum(w_i * value(c_i)) ≡ 0 (mod 31),    with weights w = 7, 6, 5, 4, 3, 2, 1.

Because 31 is prime and every weight is non-zero mod 31, changing one character changes
the sum by w_i * d with 0 < |d| < 31, which is never ≡ 0: every single substitution is
detected. Swapping characters at positions i and j changes the sum by
(w_i - w_j) * (v_i - v_j); the weights are distinct mod 31, so every transposition of two
different characters (adjacent or not) is detected too.

6 random characters give 31**6 ≈ 887 million codes.
"""

from __future__ import annotations

import random
import secrets

from app.domain.errors import FieldError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MODULUS = len(ALPHABET)  # 31, a prime
BODY_LENGTH = 6
LENGTH = BODY_LENGTH + 1
WEIGHTS: tuple[int, ...] = (7, 6, 5, 4, 3, 2, 1)  # the check character has weight 1
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_BODIES = MODULUS**BODY_LENGTH
_STRIP = str.maketrans("", "", " -_.\t\n\r\u00a0")

MSG_EMPTY = "Kode pelacakan wajib diisi. Kode ada di bukti pendaftaran, misalnya ABC-DEFG."
MSG_CHARS = (
    "Kode pelacakan hanya memakai angka 2 sampai 9 dan huruf A sampai Z, tanpa huruf O, I, "
    "dan L, serta tanpa angka 0 dan 1. Periksa kembali kode di bukti pendaftaran."
)
MSG_CHECK = "Kode pelacakan tidak cocok. Periksa kembali, mungkin ada huruf yang tertukar."


def msg_length(count: int) -> str:
    return (
        f"Kode pelacakan terdiri dari 7 huruf/angka, misalnya ABC-DEFG; yang diisi {count}. "
        "Periksa kembali kode di bukti pendaftaran."
    )


def check_char(body: str) -> str:
    """The check character for 6 body characters from the alphabet."""
    if len(body) != BODY_LENGTH:
        raise ValueError(f"body must have {BODY_LENGTH} characters")
    total = sum(w * _VALUE[ch] for w, ch in zip(WEIGHTS[:BODY_LENGTH], body, strict=True))
    return ALPHABET[-total % MODULUS]


def new_tracking_code(rng: random.Random | None = None) -> str:
    """A fresh random code (canonical form, no dash). Uses `secrets` unless given an rng."""
    # One draw for the whole body; its base-31 digits are the characters, and the check
    # character is summed on the way (as check_char does).
    number = rng.randrange(_BODIES) if rng is not None else secrets.randbelow(_BODIES)
    chars = []
    total = 0
    for weight in WEIGHTS[:BODY_LENGTH]:
        number, digit = divmod(number, MODULUS)
        chars.append(ALPHABET[digit])
        total += weight * digit
    chars.append(ALPHABET[-total % MODULUS])
    return "".join(chars)


def is_valid_tracking_code(code: str) -> bool:
    """True for a code in canonical form (7 characters of the alphabet, no dash) whose
    check character is right. Use normalize_tracking_code for what a user typed."""
    if not isinstance(code, str) or len(code) != LENGTH:
        return False
    if any(ch not in _VALUE for ch in code):
        return False
    return sum(w * _VALUE[ch] for w, ch in zip(WEIGHTS, code, strict=True)) % MODULUS == 0


def clean_code(raw: str) -> str:
    """What a user typed without the separators people put in a code, in capitals."""
    return raw.translate(_STRIP).upper()


def normalize_tracking_code(raw: str) -> str:
    """Turn what a user typed ("abc-defg", "ABC DEFG") into the canonical code.

    Raises FieldError for an empty value, a character outside the alphabet, a wrong length,
    or a wrong check character (a typo or two characters swapped).
    """
    if not isinstance(raw, str):
        raise FieldError(MSG_EMPTY)
    code = clean_code(raw)
    if not code:
        raise FieldError(MSG_EMPTY)
    if any(ch not in _VALUE for ch in code):
        raise FieldError(MSG_CHARS)
    if len(code) != LENGTH:
        raise FieldError(msg_length(len(code)))
    if not is_valid_tracking_code(code):
        raise FieldError(MSG_CHECK)
    return code


def format_tracking_code(code: str) -> str:
    """Group a code for display and reading aloud: "ABCDEFG" -> "ABC-DEFG"."""
    clean = clean_code(code)
    if len(clean) != LENGTH:
        return clean
    return f"{clean[:3]}-{clean[3:]}"
