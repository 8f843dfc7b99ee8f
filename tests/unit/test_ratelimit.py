"""The stored limits' windows: a window opens at the first attempt, takes ``limit``
attempts, refuses the rest until it closes, and a take-back uncounts one."""

from __future__ import annotations

from app.domain.ratelimit import Rule, Window, closes, hit, take_back

RULE = Rule("lookup_code", limit=3, window_s=3600)


def attempts(window: Window | None, times: int, now: float) -> tuple[Window | None,
                                                                    list[float | None]]:
    waits = []
    for _ in range(times):
        window, wait = hit(window, now, RULE)
        waits.append(wait)
    return window, waits


def test_the_first_attempt_opens_a_window() -> None:
    assert hit(None, 1000.0, RULE) == (Window(1000.0, 1), None)


def test_limit_attempts_pass_then_the_rest_wait_until_the_window_closes() -> None:
    window, waits = attempts(None, 3, 1000.0)
    assert waits == [None, None, None] and window == Window(1000.0, 3)
    after, wait = hit(window, 1600.0, RULE)
    assert after == window  # a refused attempt is not counted
    assert wait == 3000.0  # 1000 + 3600 - 1600


def test_a_closed_window_makes_way_for_a_new_one() -> None:
    window, _ = attempts(None, 3, 1000.0)
    assert closes(window, RULE) == 4600.0
    assert hit(window, 4599.0, RULE)[1] == 1.0
    assert hit(window, 4600.0, RULE) == (Window(4600.0, 1), None)


def test_a_take_back_uncounts_the_newest_attempt_and_never_goes_below_zero() -> None:
    window, _ = attempts(None, 3, 1000.0)
    window = take_back(window)
    assert window == Window(1000.0, 2)
    assert hit(window, 1001.0, RULE) == (Window(1000.0, 3), None)
    assert take_back(Window(1000.0, 0)) == Window(1000.0, 0)


def test_an_emptied_window_opens_afresh() -> None:
    assert hit(Window(1000.0, 0), 2000.0, RULE) == (Window(2000.0, 1), None)


def test_no_more_than_the_limit_in_any_window_over_a_long_run() -> None:
    """One attempt a minute for a day: every window of an hour holds at most ``limit``
    allowed attempts counted from its start."""
    window: Window | None = None
    allowed = []
    for minute in range(24 * 60):
        now = minute * 60.0
        window, wait = hit(window, now, RULE)
        if wait is None:
            allowed.append(now)
    assert len(allowed) == 24 * 3
    for start in allowed:
        assert sum(1 for t in allowed if start <= t < start + RULE.window_s) <= RULE.limit
