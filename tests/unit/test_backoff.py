"""Retry delays: full jitter within min(cap, base * 2**n), and Retry-After honoured."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from app.domain.backoff import (
    backoff_ceiling,
    full_jitter,
    obeyed_retry_after,
    parse_retry_after,
    retry_delay,
)


def test_ceiling_doubles_per_attempt_up_to_the_cap() -> None:
    assert [backoff_ceiling(n, 2.0, 60.0) for n in range(7)] == [2, 4, 8, 16, 32, 60, 60]
    assert backoff_ceiling(10_000, 2.0, 600.0) == 600.0  # no overflow for a days-long outage
    with pytest.raises(ValueError):
        backoff_ceiling(-1, 1.0, 1.0)


def test_full_jitter_spreads_over_the_whole_window() -> None:
    rng = random.Random(1)
    for attempt in range(12):
        ceiling = backoff_ceiling(attempt, 0.5, 30.0)
        draws = [full_jitter(attempt, 0.5, 30.0, rng) for _ in range(2000)]
        assert all(0.0 <= d <= ceiling for d in draws)
        # uniform over [0, ceiling]: mean near the middle, both ends reached
        assert abs(sum(draws) / len(draws) - ceiling / 2) < ceiling * 0.05
        assert min(draws) < ceiling * 0.05 and max(draws) > ceiling * 0.95


def test_same_seed_same_delays() -> None:
    a = [full_jitter(n, 1, 100, random.Random(9)) for n in range(5)]
    b = [full_jitter(n, 1, 100, random.Random(9)) for n in range(5)]
    assert a == b


def test_retry_after_is_a_floor_even_beyond_the_cap() -> None:
    rng = random.Random(3)
    assert retry_delay(0, 1.0, 2.0, rng, retry_after_s=30.0) == 30.0
    assert retry_delay(5, 1.0, 2.0, rng, retry_after_s=None) <= 2.0
    assert retry_delay(5, 100.0, 100.0, random.Random(3), retry_after_s=0.0) == full_jitter(
        5, 100.0, 100.0, random.Random(3))


def test_retry_after_is_obeyed_only_up_to_its_cap() -> None:
    # OSS says "an hour" while it restarts: we believe it for five minutes at most
    assert retry_delay(0, 1.0, 2.0, random.Random(1), retry_after_s=3600.0,
                       retry_after_cap_s=300.0) == 300.0
    # under the cap it is still a floor
    assert retry_delay(0, 1.0, 2.0, random.Random(1), retry_after_s=30.0,
                       retry_after_cap_s=300.0) == 30.0
    # a cap below the backoff window: the jittered backoff wins
    rng = random.Random(4)
    expected = full_jitter(6, 10.0, 600.0, random.Random(4))
    assert retry_delay(6, 10.0, 600.0, rng, retry_after_s=3600.0,
                       retry_after_cap_s=0.0) == expected
    assert obeyed_retry_after(3600.0, 300.0) == 300.0
    assert obeyed_retry_after(12.0, 300.0) == 12.0
    assert obeyed_retry_after(None, 300.0) is None


def test_parse_retry_after_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 29, 7, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Sun, 29 Nov 2026 07:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sun, 29 Nov 2026 06:00:00 GMT", now) == 0.0  # past: now
    assert parse_retry_after("-5") == 0.0
    for junk in (None, "", "soon", "nan", "inf"):
        assert parse_retry_after(junk) is None
