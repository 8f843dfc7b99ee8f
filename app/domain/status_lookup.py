"""What the status lookup (/cek) takes in its one code field: an application's tracking code
(``ABC-DEFG``, on the receipt the officer gave) or a pre-registration's code
(``P-ABC-DEFG``, from /daftar-mandiri). Both are the tracking-code alphabet with its check
character (app/domain/tracking.py); the messages name both kinds, since the citizen may hold
either and need not know which is which."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.errors import FieldError
from app.domain.preregistration import PREFIX
from app.domain.tracking import ALPHABET, LENGTH, clean_code, is_valid_tracking_code

MSG_EMPTY = ("Kode wajib diisi: kode pelacakan dari tanda terima petugas (contoh: ABC-DEFG) "
             "atau kode pra-pendaftaran dari Daftar Mandiri (contoh: P-ABC-DEFG).")
MSG_CHARS = ("Kode hanya memakai angka 2 sampai 9 dan huruf A sampai Z, tanpa huruf O, I, dan "
             "L, serta tanpa angka 0 dan 1. Periksa kembali kode Anda.")
MSG_CHECK = "Kode tidak cocok. Periksa kembali, mungkin ada huruf yang tertukar."
_MARK = PREFIX.rstrip("-")  # "P", what is left of "P-" once the separators are gone
HINT = ("Kode pelacakan ada di tanda terima petugas, contoh: ABC-DEFG. Kode pra-pendaftaran "
        "dari Daftar Mandiri diawali P-, contoh: P-ABC-DEFG.")


def msg_length(count: int) -> str:
    return (f"Kode pelacakan terdiri dari 7 huruf/angka (contoh: ABC-DEFG); kode "
            f"pra-pendaftaran diawali P- lalu 7 huruf/angka (contoh: P-ABC-DEFG). Yang diisi "
            f"{count} huruf/angka.")


@dataclass(frozen=True, slots=True)
class LookupCode:
    code: str  # canonical: 7 characters, no dash, no prefix
    preregistration: bool  # a P- code (else an application's tracking code)


def parse_lookup_code(raw: str) -> LookupCode:
    """What the citizen typed ("abc-defg", "P-ABC-DEFG", "p abc defg") as a code and its kind.
    Eight characters starting with P are a pre-registration's code; anything else is read
    as a tracking code. Raises FieldError with a message that names both kinds."""
    clean = clean_code(raw if isinstance(raw, str) else "")
    if not clean:
        raise FieldError(MSG_EMPTY)
    prereg = len(clean) == len(_MARK) + LENGTH and clean.startswith(_MARK)
    if prereg:
        clean = clean[len(_MARK):]
    if any(ch not in ALPHABET for ch in clean):
        raise FieldError(MSG_CHARS)
    if len(clean) != LENGTH:
        raise FieldError(msg_length(len(clean)))
    if not is_valid_tracking_code(clean):
        raise FieldError(MSG_CHECK)
    return LookupCode(clean, prereg)
