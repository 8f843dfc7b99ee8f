"""What /cek reads from its code field: a tracking code or a pre-registration's P- code,
with messages that name both kinds."""

from __future__ import annotations

import random

import pytest

from app.domain.errors import FieldError
from app.domain.status_lookup import (
    MSG_CHARS,
    MSG_CHECK,
    MSG_EMPTY,
    LookupCode,
    msg_length,
    parse_lookup_code,
)
from app.domain.tracking import new_tracking_code

CODE = new_tracking_code(random.Random(7))
PCODE = next(c for c in (new_tracking_code(random.Random(s)) for s in range(100))
             if c.startswith("P"))  # a tracking code that itself starts with P


@pytest.mark.parametrize("typed", [CODE, f"{CODE[:3]}-{CODE[3:]}", CODE.lower(),
                                   f" {CODE[:3]} {CODE[3:]} "])
def test_a_tracking_code_as_typed(typed: str) -> None:
    assert parse_lookup_code(typed) == LookupCode(CODE, preregistration=False)


@pytest.mark.parametrize("typed", [f"P-{CODE[:3]}-{CODE[3:]}", f"p-{CODE.lower()}",
                                   f"P {CODE}", f"P{CODE}"])
def test_a_preregistration_code_as_typed(typed: str) -> None:
    assert parse_lookup_code(typed) == LookupCode(CODE, preregistration=True)


def test_a_tracking_code_that_starts_with_p_stays_a_tracking_code() -> None:
    assert parse_lookup_code(PCODE) == LookupCode(PCODE, preregistration=False)
    assert parse_lookup_code(f"P-{PCODE}") == LookupCode(PCODE, preregistration=True)


@pytest.mark.parametrize(("typed", "message"), [
    ("", MSG_EMPTY), (" - ", MSG_EMPTY), ("ABC/DEFG", MSG_CHARS), ("P-ABC-DEF0", MSG_CHARS),
    ("ABC-DEF", msg_length(6)), ("ABC-DEFGHJ", msg_length(9)),
    (f"P-{CODE[:6]}{'2' if CODE[6] != '2' else '3'}", MSG_CHECK),
])
def test_messages_name_both_kinds_of_code(typed: str, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_lookup_code(typed)
    assert caught.value.message == message
    if message in (MSG_EMPTY, *(msg_length(n) for n in (6, 9))):
        assert "ABC-DEFG" in message and "P-ABC-DEFG" in message
