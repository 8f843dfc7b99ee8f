"""The shipped list of common passwords (``app/data/common-passwords.txt``, see SOURCES.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from app.domain.passwords import password_problem

COMMON_PASSWORDS_PATH = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    with COMMON_PASSWORDS_PATH.open(encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def check_password(password: str, username: str) -> str | None:
    """The reason a new password is refused, or None (the rules: app/domain/passwords.py)."""
    return password_problem(password, username, common_passwords())
