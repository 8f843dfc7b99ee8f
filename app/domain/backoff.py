"""Retry delays: exponential backoff with full jitter, and the server's Retry-After.

Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th retry waits
``uniform(0, min(cap, base * 2**n))``. Spreading retries over the whole window keeps a crowd
of waiting jobs from hitting OSS in step when it comes back.

A server's ``Retry-After`` is obeyed up to a cap: an OSS that says "an hour" while it
restarts would otherwise hold applications for an hour after it is back.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_MAX_EXPONENT = 60  # 2**60 * any sane base is far above any cap


def backoff_ceiling(attempt: int, base_s: float, cap_s: float) -> float:
    """The upper bound of the window for retry number ``attempt`` (0 for the first retry)."""
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    return min(cap_s, base_s * 2 ** min(attempt, _MAX_EXPONENT))


def full_jitter(attempt: int, base_s: float, cap_s: float, rng: random.Random) -> float:
    """``uniform(0, min(cap, base * 2**attempt))``."""
    return rng.uniform(0.0, backoff_ceiling(attempt, base_s, cap_s))


def obeyed_retry_after(retry_after_s: float | None, cap_s: float) -> float | None:
    """The part of a server's ``Retry-After`` we obey: at most ``cap_s`` seconds."""
    if retry_after_s is None:
        return None
    return min(retry_after_s, cap_s)


def retry_delay(
    attempt: int,
    base_s: float,
    cap_s: float,
    rng: random.Random,
    retry_after_s: float | None = None,
    retry_after_cap_s: float = math.inf,
) -> float:
    """Seconds to wait before the next attempt: full jitter, but never sooner than the
    server asked (``Retry-After``, obeyed up to ``retry_after_cap_s``), even when that is
    beyond the backoff cap."""
    delay = full_jitter(attempt, base_s, cap_s, rng)
    asked = obeyed_retry_after(retry_after_s, retry_after_cap_s)
    if asked is not None and asked > delay:
        return asked
    return delay


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """An HTTP ``Retry-After`` value in seconds: delay-seconds or an HTTP-date.

    Returns None for a missing or unreadable value; never negative.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
