"""Circuit breakers: stop calling a version that keeps failing, and try it again later.

One breaker per served version. **Closed**, requests flow and their outcomes are counted in a
rolling window of one-second buckets. It **opens** when the last ``consecutive_failures``
calls all failed, or when over ``window_s`` at least ``min_requests`` calls were made and at
least ``failure_rate`` of them failed. **Open**, ``allow`` refuses at once — so a fallback
answers without waiting for a model that would time out — for ``open_s``. Then
**half-open**: up to ``probes`` calls go through; when that many have succeeded in a row the
breaker closes (traffic returns by itself), and one failure opens it again.

Only the server's failures count (``model_error``, ``model_timeout``, ``overloaded``): a client
that sends bad rows must not take a version out of service for everyone.

The clock is injectable (``clock``) so tests drive time instead of sleeping; memory is bounded
by the window (one bucket per second at most).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pasarela.spec import BreakerSpec

__all__ = ["Breaker", "BreakerConfig", "BreakerState", "Transition"]

BreakerState = Literal["closed", "open", "half_open"]
STATE_VALUES: dict[BreakerState, int] = {"closed": 0, "half_open": 1, "open": 2}
"""The state as a number, for the ``pasarela_breaker_state`` gauge."""


BreakerConfig = BreakerSpec
"""An endpoint's ``breaker`` section (``spec.BreakerSpec``): every version it serves gets
one breaker."""


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of state, for metrics, logs and incidents."""

    old: BreakerState
    new: BreakerState
    reason: str


class Breaker:
    """The breaker of one version (module docstring).

    >>> now = [0.0]
    >>> breaker = Breaker(BreakerConfig(consecutive_failures=2, open_s=5), clock=lambda: now[0])
    >>> breaker.allow(), breaker.failure(), breaker.allow(), breaker.failure()
    (True, None, True, Transition(old='closed', new='open', reason='2 consecutive failures'))
    >>> breaker.allow(), breaker.state
    (False, 'open')
    >>> now[0] = 5.0
    >>> breaker.allow(), breaker.state
    (True, 'half_open')
    """

    __slots__ = (
        "_buckets",
        "_clock",
        "_consecutive",
        "_in_flight_probes",
        "_opened_at",
        "_probe_successes",
        "config",
        "state",
    )

    def __init__(
        self, config: BreakerConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or BreakerConfig()
        self._clock = clock
        self.state: BreakerState = "closed"
        self._buckets: deque[list[int]] = deque()  # [second, successes, failures]
        self._consecutive = 0
        self._opened_at = 0.0
        self._in_flight_probes = 0
        self._probe_successes = 0

    def allow(self) -> bool:
        """Whether a call may go to the version now. A half-open breaker counts the call as
        a probe: report its outcome with ``success`` or ``failure``."""
        if self.state == "closed":
            return True
        if self.state == "open":
            if self._clock() - self._opened_at < self.config.open_s:
                return False
            self.state = "half_open"
            self._in_flight_probes = 0
            self._probe_successes = 0
        if self._in_flight_probes >= self.config.probes:
            return False
        self._in_flight_probes += 1
        return True

    def success(self) -> Transition | None:
        self._count(ok=True)
        self._consecutive = 0
        if self.state == "half_open":
            self._in_flight_probes = max(0, self._in_flight_probes - 1)
            self._probe_successes += 1
            if self._probe_successes >= self.config.probes:
                return self._move("closed", f"{self._probe_successes} probes succeeded")
        return None

    def failure(self) -> Transition | None:
        self._count(ok=False)
        self._consecutive += 1
        if self.state == "half_open":
            return self._open("a probe failed")
        if self.state == "closed":
            config = self.config
            if self._consecutive >= config.consecutive_failures:
                return self._open(f"{self._consecutive} consecutive failures")
            successes, failures = self.counts()
            total = successes + failures
            if total >= config.min_requests and failures / total >= config.failure_rate:
                return self._open(f"{failures} of {total} calls failed in {config.window_s:g} s")
        return None

    def release(self) -> None:
        """A call ``allow`` let through ended with neither outcome (the caller gave up first,
        or the request was the client's fault): free its probe slot."""
        if self.state == "half_open":
            self._in_flight_probes = max(0, self._in_flight_probes - 1)

    def counts(self) -> tuple[int, int]:
        """Successes and failures in the window."""
        self._expire(int(self._clock()))
        return sum(b[1] for b in self._buckets), sum(b[2] for b in self._buckets)

    def _open(self, reason: str) -> Transition:
        self._opened_at = self._clock()
        self._in_flight_probes = 0
        self._probe_successes = 0
        return self._move("open", reason)

    def _move(self, new: BreakerState, reason: str) -> Transition:
        old, self.state = self.state, new
        if new == "closed":
            self._buckets.clear()  # the failures that opened it are history
            self._consecutive = 0
        return Transition(old, new, reason)

    def _count(self, *, ok: bool) -> None:
        second = int(self._clock())
        self._expire(second)
        if not self._buckets or self._buckets[-1][0] != second:
            self._buckets.append([second, 0, 0])
        self._buckets[-1][1 if ok else 2] += 1

    def _expire(self, second: int) -> None:
        horizon = second - self.config.window_s
        while self._buckets and self._buckets[0][0] <= horizon:
            self._buckets.popleft()
