"""The capture form's rules as data, for the checks the phone makes itself (sw/validate.js).

The server's validator (``validate_application`` and the field modules) is the authority.
The phone repeats its logic in JavaScript, to answer at once and offline, but takes every
message, limit, code list and pattern from :func:`form_rules`, served in front of
validate.js (app/pwa.py). tests/e2e/test_validation_parity.py runs both validators on the
same cases and requires the same answers.

A message with a parameter is a template: ``{count}``, ``{code}`` or ``{codes}`` marks where
the phone puts the value. Templates and the per-field messages of RT/RW and the workers are
taken from the server's own output, so they cannot drift from it.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

from app.domain import email, nik, npwp, phone, scale, tracking
from app.domain.application import (
    _APOSTROPHES,
    _DESA,
    _FALSE,
    _KBLI,
    _KBLI_SPLIT,
    _KECAMATAN,
    _NAME_PUNCT,
    MAX_KBLI_CODES,
    MAX_WORKERS,
    MSG_BUSINESS_CHARS,
    MSG_BUSINESS_EMPTY,
    MSG_BUSINESS_LONG,
    MSG_BUSINESS_SHORT,
    MSG_DESA_EMPTY,
    MSG_DESA_FORMAT,
    MSG_DESA_MISMATCH,
    MSG_DESA_UNKNOWN,
    MSG_EMAIL_REQUIRED,
    MSG_KBLI_EMPTY,
    MSG_KBLI_TOO_MANY,
    MSG_KECAMATAN_FORMAT,
    MSG_NAME_CHARS,
    MSG_NAME_EMPTY,
    MSG_NAME_LONG,
    MSG_NAME_SHORT,
    MSG_NO_EMAIL_TYPE,
    MSG_STREET_CHARS,
    MSG_STREET_EMPTY,
    MSG_STREET_LONG,
    MSG_STREET_SHORT,
    MSG_TYPE,
    validate_application,
)

# Written inline in the server's checks (application.py, nik.py, npwp.py, email.py), so
# repeated here; the parity test tries each of them at its edge on both sides.
NIK_DIGITS = 16
NPWP_DIGITS = (15, 16)  # legacy, and the NIK-shaped one
NAME_LENGTH = (3, 100)
BUSINESS_NAME_LENGTH = (3, 100)
STREET_LENGTH = (3, 200)
RT_RW_DIGITS = 3
KBLI_SHOWN = 3  # a message lists this many codes, then ", …"
KBLI_SHOWN_CHARS = 12  # longer codes are cut to this many characters, then "…"
# "1.500": a thousands dot. (The server's \d also takes other scripts' digits, which then
# fail its next check, the same verdict.)
WORKERS_GROUPED = re.compile(r"\d{1,2}\.\d{3}", re.ASCII)
EMAIL_LOCAL_FORBIDDEN = '<>()[]\\,;:"'

# No character above the Basic Multilingual Plane is whitespace, or a case variant of an
# ASCII letter, so the BMP is enough to describe Python's character classes.
_BMP = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
_PLACEHOLDER_KBLI = "99999"


def _escape(chars: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" for ch in chars)


_WHITESPACE = _escape("".join(ch for ch in _BMP if ch.isspace()))


def _js(pattern: re.Pattern[str]) -> str:
    """The pattern's source for JavaScript's ``RegExp(source, "u")``, meaning what it means
    in Python: ``\\s`` is Python's whitespace, and with IGNORECASE each ASCII letter becomes
    the class of characters Python matches it with (``i`` also matches ``İ`` and ``ı``)."""
    source, out, in_class, i = pattern.pattern, [], False, 0
    ascii_only = bool(pattern.flags & re.ASCII)
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            escape = source[i : i + 2]
            if escape == "\\s":
                out.append(_WHITESPACE if in_class else f"[{_WHITESPACE}]")
            elif escape in ("\\d", "\\w", "\\b") and not ascii_only:
                raise ValueError(f"{escape} means more in Python than in JavaScript: {source}")
            else:
                out.append(escape)
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif pattern.flags & re.IGNORECASE and ch.isascii() and ch.isalpha():
            same = _escape("".join(sorted(set(re.findall(f"(?i){ch}", _BMP)))))
            out.append(same if in_class else f"[{same}]")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _separators(table: dict[int, Any]) -> str:
    """The characters a ``str.maketrans("", "", chars)`` table deletes."""
    return "".join(chr(code) for code, to in sorted(table.items()) if to is None)


def _exponent(number: int) -> str:
    """A round number as "1e+15": sixteen digits in a row would look like a NIK to the checks
    that no personal data stays in the phone's caches."""
    text = f"{number:.0e}"
    if int(float(text)) != number:
        raise ValueError(f"{number} is not round")
    return text


def _server_message(field: str, value: object, kbli_exists: bool = True) -> str:
    """What the server says about this value of this field."""
    result = validate_application(
        {field: value},
        kbli_exists=lambda code: kbli_exists,
        kecamatan_of_desa=lambda code: None,
        today=date(2000, 1, 1),
    )
    if not isinstance(result, dict) or field not in result:
        raise ValueError(f"the server accepts {field}={value!r}")
    return result[field]


def _template(message: str, value: str, name: str) -> str:
    if message.count(value) != 1:
        raise ValueError(f"cannot find {value!r} once in {message!r}")
    return message.replace(value, "{" + name + "}")


def _messages() -> dict[str, str]:
    messages = {
        "type": MSG_TYPE,
        "nik.empty": nik.MSG_EMPTY,
        "nik.not_digits": nik.MSG_NOT_DIGITS,
        "nik.length": nik.msg_length("{count}"),  # type: ignore[arg-type]
        "nik.repeated": nik.MSG_REPEATED,
        "nik.province": nik.msg_province("{code}"),
        "nik.regency": nik.MSG_REGENCY,
        "nik.district": nik.MSG_DISTRICT,
        "nik.date": nik.MSG_DATE,
        "nik.serial": nik.MSG_SERIAL,
        "name.empty": MSG_NAME_EMPTY,
        "name.short": MSG_NAME_SHORT,
        "name.long": MSG_NAME_LONG,
        "name.chars": MSG_NAME_CHARS,
        "phone.empty": phone.MSG_EMPTY,
        "phone.chars": phone.MSG_CHARS,
        "phone.foreign": phone.MSG_FOREIGN,
        "phone.landline": phone.MSG_LANDLINE,
        "phone.length": phone.msg_length("{count}"),  # type: ignore[arg-type]
        "email.required": MSG_EMAIL_REQUIRED,
        "email.space": email.MSG_SPACE,
        "email.at": email.MSG_AT,
        "email.local": email.MSG_LOCAL,
        "email.domain": email.MSG_DOMAIN,
        "email.long": email.MSG_LONG,
        "no_email.type": MSG_NO_EMAIL_TYPE,
        "npwp.not_digits": npwp.MSG_NOT_DIGITS,
        "npwp.length": npwp.msg_length("{count}"),  # type: ignore[arg-type]
        "npwp.all_zero": npwp.MSG_ALL_ZERO,
        "npwp.not_nik": npwp.MSG_NOT_NIK,
        "npwp.company": npwp.MSG_COMPANY,
        "business_name.empty": MSG_BUSINESS_EMPTY,
        "business_name.short": MSG_BUSINESS_SHORT,
        "business_name.long": MSG_BUSINESS_LONG,
        "business_name.chars": MSG_BUSINESS_CHARS,
        "street.empty": MSG_STREET_EMPTY,
        "street.short": MSG_STREET_SHORT,
        "street.long": MSG_STREET_LONG,
        "street.chars": MSG_STREET_CHARS,
        "kecamatan.format": MSG_KECAMATAN_FORMAT,
        "desa.empty": MSG_DESA_EMPTY,
        "desa.format": MSG_DESA_FORMAT,
        "desa.unknown": MSG_DESA_UNKNOWN,
        "desa.mismatch": MSG_DESA_MISMATCH,
        "kbli.empty": MSG_KBLI_EMPTY,
        "kbli.too_many": MSG_KBLI_TOO_MANY,
        "kbli.malformed": _server_message("kbli", ["{codes}"]),
        "kbli.unknown": _template(
            _server_message("kbli", [_PLACEHOLDER_KBLI], kbli_exists=False),
            _PLACEHOLDER_KBLI, "codes",
        ),
        "capital.empty": scale.MSG_EMPTY,
        "capital.negative": scale.MSG_NEGATIVE,
        "capital.decimal": scale.MSG_DECIMAL,
        "capital.words": scale.MSG_WORDS,
        "capital.format": scale.MSG_FORMAT,
        "capital.too_large": scale.MSG_TOO_LARGE,
    }
    # RT/RW and the workers have a message of their own per field (the label inside it).
    for field in ("rt", "rw"):
        messages[f"{field}.empty"] = _server_message(field, "")
        messages[f"{field}.digits"] = _server_message(field, "x")
        messages[f"{field}.zero"] = _server_message(field, "0")
    for field in ("workers_male", "workers_female"):
        messages[f"{field}.format"] = _server_message(field, "x")
    return messages


@cache
def form_rules() -> dict[str, Any]:
    """Everything sw/validate.js needs to give the server's verdict: JSON-serialisable."""
    return {
        "messages": _messages(),
        "limits": {
            "nik_digits": NIK_DIGITS,
            "npwp_digits": list(NPWP_DIGITS),
            "name": list(NAME_LENGTH),
            "business_name": list(BUSINESS_NAME_LENGTH),
            "street": list(STREET_LENGTH),
            "rt_rw_digits": RT_RW_DIGITS,
            "phone_national": [phone.MIN_NATIONAL, phone.MAX_NATIONAL],
            "email": email.MAX_LENGTH,
            "email_local": email.MAX_LOCAL,
            "kbli_codes": MAX_KBLI_CODES,
            "kbli_shown": KBLI_SHOWN,
            "kbli_shown_chars": KBLI_SHOWN_CHARS,
            "workers": MAX_WORKERS,
            "rupiah": _exponent(scale.MAX_RUPIAH),
        },
        # The phone mints an offline application's tracking code (static/js/receipt.js)
        # with the server's alphabet and check weights (app/domain/tracking.py).
        "tracking": {
            "alphabet": tracking.ALPHABET,
            "weights": list(tracking.WEIGHTS),
        },
        "codes": {
            "provinces": sorted(nik.PROVINCE_CODES),
            "false_words": sorted(_FALSE),
        },
        "chars": {
            "name_punctuation": "".join(sorted(_NAME_PUNCT)),
            "apostrophes": {chr(code): to for code, to in sorted(_APOSTROPHES.items())},
            "nik_separators": _separators(nik._STRIP),
            "npwp_separators": _separators(npwp._STRIP),
            "phone_separators": _separators(phone._STRIP),
            "email_local_forbidden": EMAIL_LOCAL_FORBIDDEN,
        },
        # Sources for RegExp(source, "u"); "full" ones must match the whole value.
        "patterns": {
            "whitespace": f"[{_WHITESPACE}]",
            "kecamatan": _js(_KECAMATAN),
            "desa": _js(_DESA),
            "kbli": _js(_KBLI),
            "kbli_split": _js(_KBLI_SPLIT),
            "workers_grouped": _js(WORKERS_GROUPED),
            "email_label": _js(email._LABEL),
            "email_tld": _js(email._TLD),
            "rupiah_prefix": _js(scale._PREFIX),
            "rupiah_suffix": _js(scale._SUFFIX),
            "rupiah_grouped": _js(scale._GROUPED),
            "rupiah_decimal": _js(scale._DECIMAL),
        },
    }
