"""The circuit breaker with a fake clock: opens after N consecutive failures, lets ONE trial
through after the reset timeout, counts slow calls as failures."""

from __future__ import annotations

import pytest

from app.oss.breaker import BreakerState, CircuitBreaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make(clock: FakeClock, failures: int = 3, reset: float = 10.0,
         slow: float | None = None) -> CircuitBreaker:
    return CircuitBreaker(failures, reset, slow, clock=clock)


def fail(breaker: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        ticket = breaker.acquire()
        assert ticket is not None
        breaker.record(ticket, ok=False)


def test_opens_after_n_consecutive_failures_only() -> None:
    clock = FakeClock()
    breaker = make(clock)
    fail(breaker, 2)
    ok = breaker.acquire()
    assert ok is not None
    breaker.record(ok, ok=True)  # a success breaks the streak
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED
    fail(breaker)
    assert breaker.state is BreakerState.OPEN
    assert breaker.acquire() is None
    assert breaker.capacity() == 0
    assert breaker.retry_in() == pytest.approx(10.0)


def test_half_open_allows_exactly_one_trial_after_the_reset_timeout() -> None:
    clock = FakeClock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(9.9)
    assert breaker.acquire() is None
    clock.advance(0.1)
    assert breaker.capacity() == 1
    trial = breaker.acquire()
    assert trial is not None and trial.trial
    assert breaker.state is BreakerState.HALF_OPEN
    # while the trial is out, nobody else gets through, however long it takes
    for _ in range(5):
        clock.advance(20)
        assert breaker.acquire() is None
    breaker.record(trial, ok=True)
    assert breaker.state is BreakerState.CLOSED
    assert breaker.acquire() is not None and breaker.consecutive_failures == 0


def test_failed_trial_opens_again_for_a_full_period() -> None:
    clock = FakeClock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(10)
    trial = breaker.acquire()
    assert trial is not None
    clock.advance(2)  # the trial hung for a while
    breaker.record(trial, ok=False)
    assert breaker.state is BreakerState.OPEN
    clock.advance(9.9)
    assert breaker.acquire() is None  # the period restarts when the trial fails
    clock.advance(0.1)
    assert breaker.acquire() is not None


def test_probes_are_one_per_reset_period_during_a_long_outage() -> None:
    clock = FakeClock()
    breaker = make(clock, failures=5, reset=60.0)
    fail(breaker, 5)
    probes = 0
    for _ in range(3600):  # one hour, a caller asking every second
        clock.advance(1)
        ticket = breaker.acquire()
        if ticket is not None:
            probes += 1
            breaker.record(ticket, ok=False)
    assert probes == 60


def test_slow_calls_count_as_failures() -> None:
    clock = FakeClock()
    breaker = make(clock, failures=2, slow=5.0)
    for _ in range(2):
        ticket = breaker.acquire()
        assert ticket is not None
        breaker.record(ticket, ok=True, duration_s=7.5)  # answered, but far too slowly
    assert breaker.state is BreakerState.OPEN
    clock.advance(10)
    trial = breaker.acquire()
    assert trial is not None
    breaker.record(trial, ok=True, duration_s=6.0)  # a slow trial does not close it
    assert breaker.state is BreakerState.OPEN


def test_results_of_calls_let_through_before_a_change_are_ignored() -> None:
    clock = FakeClock()
    breaker = make(clock, failures=2)
    in_flight = [breaker.acquire() for _ in range(6)]  # six workers call at once
    for ticket in in_flight[:2]:
        assert ticket is not None
        breaker.record(ticket, ok=False)
    assert breaker.state is BreakerState.OPEN
    opened = breaker.opened_at
    clock.advance(5)
    for ticket in in_flight[2:]:  # the rest fail later: no new opening, no extended period
        assert ticket is not None
        breaker.record(ticket, ok=False)
    assert breaker.opened_at == opened
    transitions = breaker.drain_transitions()
    assert [(t.before, t.after) for t in transitions] == [
        (BreakerState.CLOSED, BreakerState.OPEN)]
    assert transitions[0].first_failure_at == 1000.0 and transitions[0].failures == 2
    assert breaker.drain_transitions() == []


def test_a_cancelled_trial_frees_the_slot() -> None:
    clock = FakeClock()
    breaker = make(clock)
    fail(breaker, 3)
    clock.advance(10)
    trial = breaker.acquire()
    assert trial is not None and breaker.acquire() is None
    breaker.cancel(trial)
    assert breaker.acquire() is not None


def test_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(0)
