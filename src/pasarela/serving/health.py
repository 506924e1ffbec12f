"""What this server sees going wrong with its endpoints, as incident conditions.

Each endpoint's answers are counted in a rolling window of one-second buckets (bounded
memory): answered, answered by a fallback link, failed by the server's fault. ``conditions``
reads those counts, the breakers and the snapshot and says what is wrong now; the incident
watch (``telemetry/incidents.py``) turns that into incidents. Counting is a dictionary lookup
and two integer additions on the request path; judging happens every few seconds, off it.

Severities, as operators use them:

- **P0**, the endpoint is fully down: it cannot serve (a target failed to load), or nearly all
  of its requests fail.
- **P1**, users are affected: a version the policy routes to has its breaker open (its share is
  served by the fallback chain, or fails), fallbacks answer a large share, or the error rate is
  above the objective.
- **P2**, a feature is degraded: a fallback version's breaker is open (the safety net is down).
- **P3**, minor: a declared fallback version could not be loaded (the chain is shorter).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from pasarela.serving.snapshot import ServedEndpoint, ServedVersion
from pasarela.types import Condition

__all__ = ["EndpointHealth", "HealthThresholds", "endpoint_conditions"]


@dataclass(frozen=True, slots=True)
class HealthThresholds:
    """When counts become conditions (``Settings.incident_*``)."""

    window_s: float = 60.0
    min_requests: int = 20
    """Fewer requests than this in the window say nothing about rates."""
    error_rate: float = 0.05
    """The error-rate objective: above it, P1."""
    down_rate: float = 0.95
    """At or above it, the endpoint counts as down: P0."""
    fallback_share: float = 0.2
    """A larger share of answers from fallback links is a fallback storm: P1."""


class EndpointHealth:
    """One endpoint's outcomes in the last ``window_s`` seconds (module docstring)."""

    __slots__ = ("_buckets", "_clock", "window_s")

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self._clock = clock
        self._buckets: deque[list[int]] = deque()  # [second, answered, by fallback, failed]

    def answered(self, *, by_fallback: bool) -> None:
        bucket = self._bucket()
        bucket[1] += 1
        if by_fallback:
            bucket[2] += 1

    def failed(self) -> None:
        self._bucket()[3] += 1

    def counts(self) -> tuple[int, int, int]:
        """Answered, answered by a fallback link, failed (server's fault) in the window."""
        self._expire(int(self._clock()))
        buckets = self._buckets
        return (
            sum(b[1] for b in buckets),
            sum(b[2] for b in buckets),
            sum(b[3] for b in buckets),
        )

    def _bucket(self) -> list[int]:
        second = int(self._clock())
        buckets = self._buckets
        if not buckets or buckets[-1][0] != second:
            self._expire(second)
            buckets.append([second, 0, 0, 0])
        return buckets[-1]

    def _expire(self, second: int) -> None:
        horizon = second - self.window_s
        while self._buckets and self._buckets[0][0] <= horizon:
            self._buckets.popleft()


def endpoint_conditions(
    endpoints: Mapping[str, ServedEndpoint],
    health: Mapping[str, EndpointHealth],
    thresholds: HealthThresholds,
) -> list[Condition]:
    """What is wrong with each endpoint now, as this server sees it."""
    found: list[Condition] = []
    for name, endpoint in sorted(endpoints.items()):
        group = f"endpoint:{name}"
        if endpoint.error is not None:
            found.append(
                Condition(group, "cannot_serve", "P0", f"cannot serve: {endpoint.error.message}")
            )
            continue
        found += _breaker_conditions(group, endpoint)
        counts = health.get(name)
        if counts is not None:
            found += _rate_conditions(group, counts, thresholds)
        declared = sum(isinstance(link, str) for link in endpoint.spec.fallback)
        loaded = sum(isinstance(link, ServedVersion) for link in endpoint.fallback)
        if loaded < declared:
            found.append(
                Condition(
                    group,
                    "fallback_missing",
                    "P3",
                    f"{declared - loaded} of the {declared} fallback versions could not be "
                    "loaded: the fallback chain is shorter than declared",
                )
            )
    return found


def _breaker_conditions(group: str, endpoint: ServedEndpoint) -> Iterator[Condition]:
    routed = {id(s) for s in endpoint.served.values()}
    seen: set[int] = set()
    links = [link for link in endpoint.fallback if isinstance(link, ServedVersion)]
    for served in (*endpoint.served.values(), *links):
        breaker = served.breaker
        if id(served) in seen or breaker is None or breaker.state == "closed":
            continue
        seen.add(id(served))
        state = breaker.state.replace("_", "-")
        if id(served) in routed:
            then = "the fallback chain answers for it" if endpoint.fallback else "its calls fail"
            yield Condition(
                group, f"breaker:{served.id}", "P1", f"breaker of {served.id} {state}: {then}"
            )
        else:
            yield Condition(
                group,
                f"breaker:{served.id}",
                "P2",
                f"breaker of fallback {served.id} {state}: the fallback chain is degraded",
            )


def _rate_conditions(
    group: str, health: EndpointHealth, thresholds: HealthThresholds
) -> Iterator[Condition]:
    answered, by_fallback, failed = health.counts()
    total = answered + failed
    if total < thresholds.min_requests:
        return
    window = f"{thresholds.window_s:g} s"
    error_rate = failed / total
    if error_rate >= thresholds.down_rate:
        yield Condition(
            group, "errors", "P0", f"down: {failed} of {total} requests failed in {window}"
        )
    elif error_rate > thresholds.error_rate:
        yield Condition(
            group,
            "errors",
            "P1",
            f"error rate {error_rate:.0%} ({failed} of {total} in {window}) is above the "
            f"objective of {thresholds.error_rate:.0%}",
        )
    if answered and by_fallback / answered >= thresholds.fallback_share:
        yield Condition(
            group,
            "fallbacks",
            "P1",
            f"fallback links answered {by_fallback} of {answered} requests in {window}",
        )
