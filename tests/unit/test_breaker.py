"""The circuit breaker: opens on consecutive failures or a failure rate, refuses while open,
lets probes through half-open, closes when they succeed, reopens when one fails; memory stays
bounded by its window."""

from __future__ import annotations

import pytest

from pasarela.serving.breaker import Breaker, BreakerConfig
from tests.unit.conftest import ManualClock


def test_consecutive_failures_open_it_and_a_success_resets_the_count(clock: ManualClock) -> None:
    breaker = Breaker(BreakerConfig(consecutive_failures=3, min_requests=100), clock)
    for _ in range(2):
        assert breaker.allow() and breaker.failure() is None
    breaker.success()
    for _ in range(2):
        assert breaker.failure() is None
    opened = breaker.failure()
    assert opened is not None and (opened.old, opened.new) == ("closed", "open")
    assert opened.reason == "3 consecutive failures"
    assert not breaker.allow()


def test_a_failure_rate_over_the_window_opens_it(clock: ManualClock) -> None:
    config = BreakerConfig(consecutive_failures=100, failure_rate=0.5, min_requests=10)
    breaker = Breaker(config, clock)
    for n in range(9):  # alternating: 4 failures in 9 calls, under min_requests anyway
        breaker.success() if n % 2 == 0 else breaker.failure()
    assert breaker.state == "closed"
    opened = breaker.failure()  # 5 of 10
    assert opened is not None and opened.reason == "5 of 10 calls failed in 10 s"


def test_old_outcomes_leave_the_window(clock: ManualClock) -> None:
    config = BreakerConfig(consecutive_failures=100, min_requests=4, failure_rate=0.9)
    breaker = Breaker(config, clock)
    for _ in range(3):
        breaker.failure()
        breaker.success()
    clock.now += 11  # the window is 10 s
    assert breaker.counts() == (0, 0)
    breaker.failure()
    assert breaker.state == "closed"  # 1 of 1 is under min_requests
    for _ in range(10_000):  # many calls within one second: one bucket
        breaker.success()
    assert len(breaker._buckets) == 1  # the memory bound is the point


def test_half_open_probes_close_it_and_traffic_returns(clock: ManualClock) -> None:
    breaker = Breaker(BreakerConfig(consecutive_failures=1, open_s=5, probes=2), clock)
    breaker.failure()
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.allow() and breaker.allow()  # two probes
    assert not breaker.allow()  # no third while they run
    assert breaker.state == "half_open"
    assert breaker.success() is None
    closed = breaker.success()
    assert closed is not None and (closed.old, closed.new) == ("half_open", "closed")
    assert all(breaker.allow() for _ in range(50))


def test_a_failed_probe_opens_it_again_for_another_period(clock: ManualClock) -> None:
    breaker = Breaker(BreakerConfig(consecutive_failures=1, open_s=5, probes=1), clock)
    breaker.failure()
    clock.now += 5
    assert breaker.allow()
    reopened = breaker.failure()
    assert reopened is not None and (reopened.old, reopened.new) == ("half_open", "open")
    clock.now += 4
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()


def test_a_probe_that_ends_without_an_outcome_frees_its_slot(clock: ManualClock) -> None:
    breaker = Breaker(BreakerConfig(consecutive_failures=1, open_s=1, probes=1), clock)
    breaker.failure()
    clock.now += 1
    assert breaker.allow() and not breaker.allow()
    breaker.release()
    assert breaker.allow()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        BreakerConfig(failure_rate=0)
    with pytest.raises(ValueError):
        BreakerConfig(probes=0)
    with pytest.raises(ValueError):
        BreakerConfig.model_validate({"threshold": 3})
