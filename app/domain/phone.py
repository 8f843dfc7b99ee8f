"""Indonesian mobile (WhatsApp) numbers, stored as "62" + the national number.

A mobile number is 08xx-xxxx-xxxx: after the country code 62 (or the trunk prefix 0) it
starts with 8 and has 9 to 12 digits.
"""

from __future__ import annotations

from app.domain.errors import FieldError

_STRIP = str.maketrans("", "", " -.()/\t\n\r\u00a0")
_EXAMPLE = "Contoh: 0812-3456-7890."
MIN_NATIONAL = 9
MAX_NATIONAL = 12

MSG_EMPTY = "Nomor HP (WhatsApp) wajib diisi. " + _EXAMPLE
MSG_CHARS = "Nomor HP hanya berisi angka (boleh diawali +62). " + _EXAMPLE
MSG_FOREIGN = (
    "Nomor luar negeri tidak bisa dipakai. Isi nomor HP WhatsApp Indonesia yang diawali 08. "
    + _EXAMPLE
)
MSG_LANDLINE = (
    "Ini bukan nomor HP. Isi nomor HP yang dipakai untuk WhatsApp, diawali 08. " + _EXAMPLE
)


def msg_length(count: int) -> str:
    return (
        f"Nomor HP yang diawali 08 terdiri dari 10 sampai 13 angka; yang diisi {count} angka. "
        "Periksa kembali nomornya."
    )


def normalize_phone(raw: str) -> str:
    """Return the mobile number as "62" + digits, e.g. "6281234567890"."""
    if not isinstance(raw, str):
        raise FieldError(MSG_CHARS)
    value = raw.translate(_STRIP)
    if not value:
        raise FieldError(MSG_EMPTY)
    plus = value.startswith("+")
    if plus:
        value = value[1:]
    if not (value.isascii() and value.isdigit()):
        raise FieldError(MSG_CHARS)
    if value.startswith("00") and not plus:  # international call prefix: 0062 812 …
        value = value[2:]
        plus = True
    if value.startswith("62"):
        national = value[2:]
        if national.startswith("08"):  # "+62 0812 …": the trunk 0 written after the 62
            national = national[1:]
    elif plus:
        raise FieldError(MSG_FOREIGN)
    elif value.startswith("0"):
        national = value[1:]
    else:
        national = value
    if not national.startswith("8"):
        raise FieldError(MSG_LANDLINE)
    if not MIN_NATIONAL <= len(national) <= MAX_NATIONAL:
        # Count as the user most likely wrote it: with the leading 0.
        raise FieldError(msg_length(len(national) + 1))
    return "62" + national


def mask_phone(value: str) -> str:
    """Show a number in lists: keep the first 5 and the last 4 digits, "62812••••7890"."""
    if len(value) <= 9:
        return "•" * max(len(value) - 4, 0) + value[-4:]
    return value[:5] + "•" * (len(value) - 9) + value[-4:]


def phone_last4(value: str) -> str:
    """The last four digits, the second factor of the public status lookup."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[-4:]
