"""A circuit breaker for asyncio, shared by all the forwarder's workers in one process.

- CLOSED: calls go through; ``failure_threshold`` consecutive failures open it.
- OPEN: no calls; after ``reset_timeout_s`` the next ``acquire`` becomes the trial.
- HALF_OPEN: exactly ONE trial call is in flight; its success closes the breaker, its
  failure opens it again for another ``reset_timeout_s``.

A call slower than ``slow_call_s`` counts as a failure even when it succeeded (OSS tends to
hang before it falls over). Results of calls permitted before the last state change are
ignored, so a burst of in-flight calls failing together opens the breaker once.

Every method is synchronous and never awaits: under one event loop each is atomic, which is
what makes it safe to share between worker tasks. The clock is injected (tests use a fake);
transitions are kept for the caller to persist (``drain_transitions``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class Ticket:
    """Permission for one call. Hand it back with ``record`` (or ``cancel``)."""

    generation: int
    trial: bool


@dataclass(frozen=True, slots=True)
class Transition:
    before: BreakerState
    after: BreakerState
    at: float  # clock time of the change
    failures: int  # consecutive failures when it happened
    first_failure_at: float | None  # clock time the failing streak began


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout_s: float = 60.0,
        slow_call_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be >= 1")
        self.failure_threshold = failure_threshold
        self.reset_timeout_s = reset_timeout_s
        self.slow_call_s = slow_call_s
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._generation = 0
        self._failures = 0
        self._first_failure_at: float | None = None
        self._opened_at = 0.0
        self._trial_in_flight = False
        self._transitions: list[Transition] = []

    # -- reading -----------------------------------------------------------------------
    @property
    def state(self) -> BreakerState:
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    @property
    def opened_at(self) -> float:
        return self._opened_at

    def retry_in(self) -> float:
        """Seconds until a call may be attempted: 0 when closed or a trial is due; for a
        half-open breaker with its trial in flight, the reset timeout (a guess to sleep)."""
        if self._state is BreakerState.CLOSED:
            return 0.0
        if self._state is BreakerState.HALF_OPEN:
            return self.reset_timeout_s if self._trial_in_flight else 0.0
        return max(0.0, self._opened_at + self.reset_timeout_s - self._clock())

    def capacity(self) -> int | None:
        """How many calls may start now: None = no limit, 1 = the trial, 0 = none."""
        if self._state is BreakerState.CLOSED:
            return None
        if self._state is BreakerState.HALF_OPEN:
            return 0 if self._trial_in_flight else 1
        return 1 if self.retry_in() == 0 else 0

    # -- calls -------------------------------------------------------------------------
    def acquire(self) -> Ticket | None:
        """A ticket for one call, or None when the breaker refuses it."""
        if self._state is BreakerState.CLOSED:
            return Ticket(self._generation, trial=False)
        if self._state is BreakerState.OPEN:
            if self._clock() < self._opened_at + self.reset_timeout_s:
                return None
            self._move(BreakerState.HALF_OPEN)
        if self._trial_in_flight:
            return None
        self._trial_in_flight = True
        return Ticket(self._generation, trial=True)

    def cancel(self, ticket: Ticket) -> None:
        """The call was never made (shutdown, lost job): free the trial slot if it held it."""
        if ticket.trial and ticket.generation == self._generation:
            self._trial_in_flight = False

    def record(self, ticket: Ticket, ok: bool, duration_s: float = 0.0) -> None:
        """The result of a call made with ``ticket``."""
        if ticket.generation != self._generation:
            return  # permitted before the last change of state: says nothing new
        failed = (not ok) or (self.slow_call_s is not None and duration_s > self.slow_call_s)
        now = self._clock()
        if ticket.trial:
            self._trial_in_flight = False
            if failed:
                self._failures += 1
                self._opened_at = now
                self._move(BreakerState.OPEN)
            else:
                self._move(BreakerState.CLOSED)
                self._failures = 0
                self._first_failure_at = None
            return
        if not failed:
            self._failures = 0
            self._first_failure_at = None
            return
        if self._failures == 0:
            self._first_failure_at = now
        self._failures += 1
        if self._failures >= self.failure_threshold:
            self._opened_at = now
            self._move(BreakerState.OPEN)

    def drain_transitions(self) -> list[Transition]:
        out, self._transitions = self._transitions, []
        return out

    def _move(self, after: BreakerState) -> None:
        before = self._state
        self._state = after
        self._generation += 1
        self._transitions.append(
            Transition(before, after, self._clock(), self._failures, self._first_failure_at)
        )
