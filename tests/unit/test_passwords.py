"""Password rules: at least 12 characters, not common (with or without digits around it)."""

from __future__ import annotations

import pytest

from app.domain.passwords import (
    MSG_COMMON,
    MSG_REPETITIVE,
    MSG_TOO_LONG,
    MSG_TOO_SHORT,
    MSG_USERNAME,
    password_problem,
)
from app.reference.passwords import check_password, common_passwords


def test_the_shipped_list_is_loaded() -> None:
    common = common_passwords()
    assert len(common) == 19_640
    assert {"123456", "password", "qwerty123456", "bismillah", "sayangku"} <= common


@pytest.mark.parametrize("password", ["petugas-blitar", "admin-blitar", "kopi tubruk pagi",
                                      "Rahasia-Panjang-2025"])
def test_long_uncommon_passwords_pass(password: str) -> None:
    assert check_password(password, "petugas") is None


@pytest.mark.parametrize(("password", "problem"), [
    ("pendek", MSG_TOO_SHORT),
    ("sebelas-chr", MSG_TOO_SHORT),  # 11 characters
    ("qwerty123456", MSG_COMMON),  # on the list as it is
    ("1q2w3e4r5t6y", MSG_COMMON),
    ("Bismillah2024!", MSG_COMMON),  # a common word with digits and symbols around it
    ("!!password1234", MSG_COMMON),
    ("aaaaaaaaaaaaaaaa", MSG_REPETITIVE),
    ("abababababab", MSG_REPETITIVE),
    ("x" * 129, MSG_TOO_LONG),
])
def test_weak_passwords_are_refused_with_a_reason(password: str, problem: str) -> None:
    assert check_password(password, "petugas") == problem


def test_the_password_may_not_be_the_user_name() -> None:
    assert check_password("rina.wulandari", "rina.wulandari") == MSG_USERNAME
    assert check_password("Rina.Wulandari2025", "rina.wulandari") == MSG_USERNAME
    assert check_password("rina.wulandari-kebun-teh", "rina.wulandari") is None


def test_the_rule_takes_any_list() -> None:
    assert password_problem("kopi-tubruk-pagi", "x", frozenset({"kopi-tubruk-pagi"})) == (
        MSG_COMMON)
