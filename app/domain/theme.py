"""Light or dark: the officer's choice, else the hour in Kabupaten Blitar (WIB).

"auto" is dark from 18.00 to 06.00 WIB: the field teams work at the car after dark, and a
phone's own light/dark setting says nothing about the hour. static/js/app.js repeats this
rule with the phone's clock, so an open page turns dark at 18.00 without a reload.
"""

from __future__ import annotations

from datetime import datetime

THEMES = ("auto", "dark", "light")
NIGHT_FROM_HOUR = 18
NIGHT_UNTIL_HOUR = 6


def is_night(moment_wib: datetime) -> bool:
    return moment_wib.hour >= NIGHT_FROM_HOUR or moment_wib.hour < NIGHT_UNTIL_HOUR


def scheme(theme: str, moment_wib: datetime) -> str:
    """The colours a page is drawn in: "dark" or "light"."""
    if theme in ("dark", "light"):
        return theme
    return "dark" if is_night(moment_wib) else "light"
