"""Business scale by capital (PP 7/2021 art. 35) and rupiah amounts.

Capital ("modal usaha") excludes land and buildings:
Mikro <= Rp1 miliar < Kecil <= Rp5 miliar < Menengah <= Rp10 miliar < Besar.
The values "01".."04" are OSS's codes for skala_usaha.
"""

from __future__ import annotations

import re
from enum import StrEnum

from app.domain.errors import FieldError

MIKRO_MAX = 1_000_000_000
KECIL_MAX = 5_000_000_000
MENENGAH_MAX = 10_000_000_000
MAX_RUPIAH = 10**15

_EXAMPLE = "misalnya 15.000.000"
MSG_EMPTY = f"Modal usaha wajib diisi dalam rupiah, {_EXAMPLE}."
MSG_NEGATIVE = f"Modal usaha tidak boleh kurang dari nol. Tulis jumlahnya, {_EXAMPLE}."
MSG_DECIMAL = f"Tulis modal dalam rupiah penuh, tanpa angka di belakang koma, {_EXAMPLE}."
MSG_WORDS = f'Tulis modal dengan angka lengkap, {_EXAMPLE} (bukan "15 juta").'
MSG_FORMAT = f"Penulisan modal tidak dikenali. Tulis dengan angka saja, {_EXAMPLE} atau 15000000."
MSG_TOO_LARGE = "Jumlah modal terlalu besar. Periksa kembali jumlah angka nolnya."


class Scale(StrEnum):
    MIKRO = "01"
    KECIL = "02"
    MENENGAH = "03"
    BESAR = "04"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: dict[Scale, str] = {
    Scale.MIKRO: "Mikro",
    Scale.KECIL: "Kecil",
    Scale.MENENGAH: "Menengah",
    Scale.BESAR: "Besar",
}


def scale_for_capital(capital: int) -> Scale:
    """The scale of a business with this capital (rupiah, without land and buildings)."""
    if capital < 0:
        raise FieldError(MSG_NEGATIVE)
    if capital <= MIKRO_MAX:
        return Scale.MIKRO
    if capital <= KECIL_MAX:
        return Scale.KECIL
    if capital <= MENENGAH_MAX:
        return Scale.MENENGAH
    return Scale.BESAR


# "Rp", "Rp.", "IDR" before the amount; ",-" / ".-" / ",00" / ".00" after it.
_PREFIX = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_SUFFIX = re.compile(r"(?:[.,]-|-|[.,]00?)$")
_GROUPED = re.compile(r"^\d{1,3}(?:([., ])\d{3})(?:\1\d{3})*$", re.ASCII)
_DOTTED = re.compile(r"\d{1,3}(?:\.\d{3})+", re.ASCII)
_DECIMAL = re.compile(r"[\d., ]*\d[.,]\d{1,2}", re.ASCII)


def parse_rupiah(raw: str | int) -> int:
    """Read an amount of rupiah as people write it.

    Accepts 15000000, "15000000", "15.000.000", "Rp 15.000.000", "Rp15.000.000,-",
    "15,000,000" and "15 000 000". Dots, commas or spaces are thousands separators only
    between groups of three digits; anything after a decimal separator is refused unless it
    is zero (",00"). Raises FieldError.
    """
    if isinstance(raw, bool):
        raise FieldError(MSG_FORMAT)
    if isinstance(raw, int):
        return _in_range(raw)
    if not isinstance(raw, str):
        raise FieldError(MSG_FORMAT)
    if raw.isascii() and raw.isdigit():  # the usual forms first: "15000000"
        return _in_range(int(raw))
    if _DOTTED.fullmatch(raw):  # "15.000.000"
        return _in_range(int(raw.replace(".", "")))
    text = raw.strip().replace("\u00a0", " ")
    if not text:
        raise FieldError(MSG_EMPTY)
    text = _PREFIX.sub("", text).strip()
    if text.startswith("-"):
        raise FieldError(MSG_NEGATIVE)
    text = _SUFFIX.sub("", text).strip()
    if not text:  # only "Rp" or ",-"
        raise FieldError(MSG_EMPTY)
    if any(ch.isalpha() for ch in text):
        raise FieldError(MSG_WORDS)
    if text.isascii() and text.isdigit():
        return _in_range(int(text))
    if _GROUPED.match(text):
        return _in_range(int(re.sub(r"[., ]", "", text)))
    # A separator followed by one, two or four-plus digits at the end looks like decimals.
    if _DECIMAL.fullmatch(text):
        raise FieldError(MSG_DECIMAL)
    raise FieldError(MSG_FORMAT)


def _in_range(value: int) -> int:
    if value < 0:
        raise FieldError(MSG_NEGATIVE)
    if value > MAX_RUPIAH:
        raise FieldError(MSG_TOO_LARGE)
    return value


def format_rupiah(n: int) -> str:
    """Indonesian notation: 15000000 -> "Rp15.000.000"."""
    sign = "-" if n < 0 else ""
    return f"{sign}Rp{abs(n):,}".replace(",", ".")
