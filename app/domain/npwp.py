"""NPWP (Nomor Pokok Wajib Pajak), the tax number. Optional for a micro business.

Two forms are in use:
- the legacy 15-digit NPWP, written 12.345.678.9-012.345;
- since 2024 the 16-digit NPWP. For a resident person it IS the NIK; for a company it is
  "0" followed by the legacy 15 digits.
"""

from __future__ import annotations

from app.domain.errors import FieldError

_STRIP = str.maketrans("", "", " .-\t\n\r\u00a0")

MSG_NOT_DIGITS = (
    "NPWP hanya berisi angka (boleh dengan titik dan tanda hubung), tanpa huruf. "
    "Periksa kembali kartu NPWP, atau kosongkan jika belum punya NPWP."
)
MSG_ALL_ZERO = (
    "NPWP tidak boleh berisi angka 0 semua. Periksa kembali kartu NPWP, "
    "atau kosongkan jika belum punya NPWP."
)
MSG_NOT_NIK = (
    "NPWP 16 angka untuk orang pribadi sama dengan NIK. Isi NPWP sama persis dengan NIK, "
    "isi NPWP lama yang 15 angka, atau kosongkan jika belum punya NPWP."
)
MSG_COMPANY = (
    "NPWP 16 angka yang diawali 0 adalah NPWP badan usaha. Untuk orang pribadi, NPWP 16 "
    "angka sama dengan NIK: isi dengan NIK, isi NPWP lama yang 15 angka, atau kosongkan."
)


def msg_length(count: int) -> str:
    return (
        f"NPWP harus 15 angka (NPWP lama) atau 16 angka (sama dengan NIK); yang diisi {count} "
        "angka. Periksa kembali, atau kosongkan jika belum punya NPWP."
    )


def normalize_npwp(raw: str | None, nik: str | None) -> str | None:
    """Return the NPWP as digits only, or None when it was left empty.

    ``nik`` is the applicant's NIK (when known and valid): a 16-digit NPWP must equal it.
    """
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise FieldError(MSG_NOT_DIGITS)
    value = raw.translate(_STRIP)
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise FieldError(MSG_NOT_DIGITS)
    if len(value) not in (15, 16):
        raise FieldError(msg_length(len(value)))
    if set(value) == {"0"}:
        raise FieldError(MSG_ALL_ZERO)
    if len(value) == 16:
        if value.startswith("0"):
            raise FieldError(MSG_COMPANY)
        if nik is not None and value != nik.translate(_STRIP):
            raise FieldError(MSG_NOT_NIK)
    return value


def mask_npwp(value: str) -> str:
    """Show an NPWP in lists with only its last 4 digits: "•••••••••••2345"."""
    if len(value) <= 4:
        return "•" * len(value)
    return "•" * (len(value) - 4) + value[-4:]
