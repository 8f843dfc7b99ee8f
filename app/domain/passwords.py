"""What makes a password acceptable: long, not common, not the user's own name.

The rules follow NIST SP 800-63B: a minimum length and a check against passwords known to
be common, no composition rules. The list itself is loaded by ``app.reference.passwords``.
"""

from __future__ import annotations

import string

MIN_LENGTH = 12
MAX_LENGTH = 128  # argon2 hashes any length; the bound keeps one login cheap
MIN_DISTINCT = 5  # "aaaaaaaaaaaa" and "abababababab" are long but not secret

MSG_TOO_SHORT = f"Kata sandi minimal {MIN_LENGTH} karakter."
MSG_TOO_LONG = f"Kata sandi maksimal {MAX_LENGTH} karakter."
MSG_COMMON = ("Kata sandi ini terlalu umum dan mudah ditebak. Pilih yang lain, misalnya "
              "gabungan tiga kata atau lebih.")
MSG_REPETITIVE = "Kata sandi terlalu sederhana (terlalu banyak huruf yang berulang)."
MSG_USERNAME = "Kata sandi tidak boleh sama dengan nama pengguna."

_PADDING = string.digits + string.punctuation + string.whitespace


def core(password: str) -> str:
    """The password without digits, symbols and spaces around it, lower-cased."""
    return password.lower().strip(_PADDING)


def password_problem(password: str, username: str, common: frozenset[str]) -> str | None:
    """The reason ``password`` is refused (Bahasa Indonesia), or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return MSG_TOO_SHORT
    if len(password) > MAX_LENGTH:
        return MSG_TOO_LONG
    lowered = password.lower()
    name = username.strip().lower()
    if name and name in (lowered, core(password)):
        return MSG_USERNAME
    base = core(password)
    if lowered in common or (len(base) >= 4 and base in common):
        return MSG_COMMON
    if len(set(lowered)) < MIN_DISTINCT:
        return MSG_REPETITIVE
    return None
