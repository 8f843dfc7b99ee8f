"""The token bucket that paces calls to OSS (and the simulator's rate limit)."""

from __future__ import annotations

import pytest

from app.oss.pacing import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10.0, burst=3, clock=clock)
    waits = [bucket.reserve() for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:] == pytest.approx([0.1, 0.2, 0.3])  # queued, first come first served


def test_at_most_rate_plus_burst_in_any_second() -> None:
    clock = FakeClock()
    bucket = TokenBucket(50.0, burst=5, clock=clock)
    starts = []
    for _ in range(500):
        wait = bucket.reserve()
        starts.append(clock.now + wait)
    starts.sort()
    most = max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts)
    assert most <= 55


def test_pause_delays_everyone() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10.0, burst=2, clock=clock)
    bucket.pause(2.0)
    bucket.pause(2.0)  # sixteen 429s at once are one pause, not sixteen
    assert bucket.reserve() == pytest.approx(2.1)
    assert bucket.reserve() == pytest.approx(2.2)


def test_try_take_never_queues() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, burst=2, clock=clock)
    assert [bucket.try_take() for _ in range(2)] == [0.0, 0.0]
    assert bucket.try_take() == pytest.approx(0.5)
    assert bucket.try_take() == pytest.approx(0.5)  # nothing was taken by the refusals
    clock.now = 0.5
    assert bucket.try_take() == 0.0


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0)
