""""auto" is dark from 18.00 to 06.00 WIB; an officer's choice always wins."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.domain.theme import scheme

WIB = timezone(timedelta(hours=7))


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, 10, hour, minute, tzinfo=WIB)


@pytest.mark.parametrize(("moment", "expected"), [
    (at(5, 59), "dark"), (at(6), "light"), (at(10), "light"), (at(17, 59), "light"),
    (at(18), "dark"), (at(19), "dark"), (at(0), "dark"),
])
def test_auto_follows_the_hour_in_wib(moment: datetime, expected: str) -> None:
    assert scheme("auto", moment) == expected


def test_a_chosen_theme_ignores_the_hour() -> None:
    assert scheme("light", at(22)) == "light"
    assert scheme("dark", at(12)) == "dark"
