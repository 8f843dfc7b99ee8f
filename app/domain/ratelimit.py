"""Abuse limits kept across restarts: how many attempts a key has left in its window.

A window opens at a key's first attempt and lasts the limit's ``window_s``; it takes
``limit`` attempts, and refuses the rest (a refused attempt is not counted) until it
closes; the next attempt then opens a new one. Over time a key gets at most ``limit``
attempts per window; at a window's edge it may get up to twice that in a short while,
which a limit of guesses per hour or submissions per day can afford. Pure: the caller
stores windows and passes the (wall-clock) time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    bucket: str  # the limit's name where its windows are stored
    limit: int  # attempts per window
    window_s: float


@dataclass(frozen=True, slots=True)
class Window:
    start: float = 0.0  # unix seconds: the window's first attempt
    count: int = 0  # attempts counted in it


def closes(window: Window, rule: Rule) -> float:
    """When the window ends: from then on it counts for nothing (and may be forgotten)."""
    return window.start + rule.window_s


def hit(window: Window | None, now: float, rule: Rule) -> tuple[Window, float | None]:
    """The window after one more attempt, and None when the attempt is allowed, else the
    seconds until the key takes attempts again."""
    if window is None or window.count <= 0 or now >= closes(window, rule):
        return Window(now, 1), None
    if window.count >= rule.limit:
        return window, max(0.0, closes(window, rule) - now)
    return Window(window.start, window.count + 1), None


def take_back(window: Window) -> Window:
    """The window with its newest attempt uncounted (it turned out not to be one that counts)."""
    return Window(window.start, max(0, window.count - 1))
