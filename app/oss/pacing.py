"""A token bucket that paces calls to OSS (requests per second, with a small burst).

``TokenBucket`` is pure (injected clock): ``reserve()`` takes a token and says how long to
wait for it. Reservations queue first-come first-served, so waiting callers never starve.
``Pacer`` is the asyncio wrapper the gateway awaits before every request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self, rate_per_s: float, burst: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be > 0")
        self.rate = rate_per_s
        self.burst = max(1, burst)
        self._clock = clock
        self._tokens = float(self.burst)
        self._at = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate)
        self._at = now

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before using it (0 = now)."""
        self._refill()
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def try_take(self) -> float:
        """Take a token if one is there (returns 0); otherwise take nothing and return the
        seconds until one will be (a server's rate limit: answer 429, do not queue)."""
        self._refill()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

    def pause(self, seconds: float) -> None:
        """No token before ``seconds`` from now (the server said 429 Retry-After). Pauses do
        not add up: many calls told to wait at once all wait the same ``seconds``."""
        self._refill()
        self._tokens = min(self._tokens, -seconds * self.rate)


class Pacer:
    """Awaitable pacing; ``rate_per_s <= 0`` means no limit."""

    def __init__(self, rate_per_s: float, burst: int = 1) -> None:
        self._bucket = TokenBucket(rate_per_s, burst) if rate_per_s > 0 else None

    @property
    def limited(self) -> bool:
        return self._bucket is not None

    async def acquire(self) -> None:
        if self._bucket is None:
            return
        wait = self._bucket.reserve()
        if wait > 0:
            await asyncio.sleep(wait)

    def pause(self, seconds: float) -> None:
        if self._bucket is not None and seconds > 0:
            self._bucket.pause(seconds)
