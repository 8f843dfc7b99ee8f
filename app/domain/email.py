"""Email addresses: a pragmatic check, not RFC 5322.

The goal is to catch typing mistakes in the field (a missing @, a space, "gmail" without
".com"), not to accept every address the RFC allows.
"""

from __future__ import annotations

import re

from app.domain.errors import FieldError

MAX_LENGTH = 254
MAX_LOCAL = 64
_EXAMPLE = "Contoh: nama@gmail.com."
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_TLD = re.compile(r"^(?:[a-z]{2,}|xn--[a-z0-9-]+)$")

MSG_SPACE = "Alamat email tidak boleh berisi spasi. " + _EXAMPLE
MSG_AT = "Alamat email harus berisi satu tanda @. " + _EXAMPLE
MSG_LOCAL = "Bagian sebelum tanda @ masih kosong atau salah. " + _EXAMPLE
MSG_DOMAIN = (
    "Bagian setelah tanda @ harus nama domain yang lengkap, misalnya gmail.com atau yahoo.co.id."
)
MSG_LONG = "Alamat email terlalu panjang (maksimal 254 karakter). Periksa kembali alamatnya."


def normalize_email(raw: str | None) -> str | None:
    """Return the address with its domain lowercased, or None when left empty."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise FieldError(MSG_AT)
    value = raw.strip()
    if not value:
        return None
    if any(ch.isspace() for ch in value):
        raise FieldError(MSG_SPACE)
    if len(value) > MAX_LENGTH:
        raise FieldError(MSG_LONG)
    if value.count("@") != 1:
        raise FieldError(MSG_AT)
    local, domain = value.split("@")
    if (
        not local
        or len(local) > MAX_LOCAL
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
        or any(ord(ch) < 33 or ch in '<>()[]\\,;:"' for ch in local)
    ):
        raise FieldError(MSG_LOCAL)
    domain = domain.lower()
    labels = domain.split(".")
    if (
        len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or not _TLD.match(labels[-1])
    ):
        raise FieldError(MSG_DOMAIN)
    return f"{local}@{domain}"
