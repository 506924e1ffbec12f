"""Token buckets: what a limit is, what one request's check decides, and the headers that say so.

A bucket holds up to ``burst`` tokens and refills at ``rate`` tokens per second; a request
that costs ``cost`` tokens is admitted when the bucket holds that many, and takes them. Over
any window of ``W`` seconds a key is admitted at most ``rate × W + burst`` tokens' worth: a
steady ``rate`` with room for a burst after a quiet spell.

``take`` is the whole rule, as a pure function of the bucket's state and a clock reading. The
memory backend calls it; the Redis backend's Lua script is a line-for-line copy of it, so the
two admit exactly the same requests for the same clock readings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from pasarela.spec import read_rate_limit

EPSILON = 1e-9
"""Slack, in tokens, for a bucket refilled in floating point: ``0.1 × 10`` can come out a hair
below 1, and a request that is due must not be denied for it."""


@dataclass(frozen=True, slots=True)
class Limit:
    """A token bucket's shape: ``rate`` tokens per second, at most ``burst`` tokens at once.

    >>> Limit.parse("6000/m")
    Limit(rate=100.0, burst=100)
    """

    rate: float
    burst: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate) and self.rate > 0):
            raise ValueError(f"a rate limit's rate must be a positive number, not {self.rate!r}")
        if isinstance(self.burst, bool) or not isinstance(self.burst, int) or self.burst < 1:
            raise ValueError(f"a rate limit's burst must be an integer ≥ 1, not {self.burst!r}")

    @classmethod
    def parse(cls, text: str) -> Limit:
        """``"COUNT/UNIT"`` with UNIT ``s``, ``m`` or ``h`` (or ``sec``, ``min``, ``hour``...),
        optionally followed by ``burst=N``: ``"100/s"``, ``"6000/m burst=500"``, ``"10/h"``.

        Without ``burst=``, the burst is one second's worth of tokens, rounded up and at least
        1: the count for ``/s``, ``COUNT / 60`` for ``/m`` (``"6000/m"`` is 100/s with a burst
        of 100, not 6000 requests in the first second of every minute), and 1 for slow
        limits such as ``"10/h"`` (one request, then one every 6 minutes).
        """
        rate, burst = read_rate_limit(text)  # one grammar, shared with endpoint specs
        return cls(rate, burst)

    def __str__(self) -> str:
        return f"{self.rate:g}/s burst={self.burst}"


@dataclass(frozen=True, slots=True)
class RateDecision:
    """What one check decided, with the numbers a client needs to pace itself."""

    allowed: bool
    limit: Limit
    remaining: int
    """Whole tokens left in the bucket after this check."""
    retry_after_s: float
    """0 when allowed; otherwise seconds until the bucket holds the ``cost`` asked for."""
    reset_s: float
    """Seconds until the bucket is full again (0 when it is full)."""


class RateLimiter(Protocol):
    """Checks requests against a limit per key (a tenant, an API key, a client address)."""

    async def acquire(self, key: str, limit: Limit, cost: int = 1) -> RateDecision:
        """Take ``cost`` tokens from ``key``'s bucket if it holds them. ``cost`` must lie
        between 0 (only look) and ``limit.burst``; a bigger cost could never be admitted, so
        it is a ``ValueError``: reject such a request (413) before asking."""
        ...

    async def close(self) -> None:
        """Release connections; the limiter is not used afterwards."""
        ...


def check_cost(limit: Limit, cost: int) -> None:
    """Raise ``ValueError`` unless ``0 ≤ cost ≤ limit.burst``."""
    if not 0 <= cost <= limit.burst:
        raise ValueError(
            f"a request costing {cost} tokens can never pass the limit {limit}: "
            f"cost must lie between 0 and the burst ({limit.burst})"
        )


def take(
    tokens: float, updated_at: float, now: float, limit: Limit, cost: int
) -> tuple[bool, float]:
    """Refill a bucket that held ``tokens`` at ``updated_at`` up to ``now``, then take ``cost``
    tokens if it holds them: whether it did, and the tokens left (the bucket's state at
    ``now``, to store whether or not the request was admitted).

    >>> take(0.0, 10.0, 10.5, Limit(rate=2.0, burst=5), cost=1)
    (True, 0.0)
    >>> take(0.0, 10.0, 10.25, Limit(rate=2.0, burst=5), cost=1)
    (False, 0.5)
    """
    # A clock that stepped backwards (another process's, or a changed wall clock) refills
    # nothing rather than draining the bucket.
    refilled = min(float(limit.burst), tokens + max(0.0, now - updated_at) * limit.rate)
    if refilled + EPSILON >= cost:
        return True, max(0.0, refilled - cost)
    return False, refilled


def decide(limit: Limit, cost: int, allowed: bool, tokens: float) -> RateDecision:
    """The decision for a bucket left holding ``tokens`` after a check of ``cost`` tokens."""
    return RateDecision(
        allowed=allowed,
        limit=limit,
        remaining=math.floor(tokens + EPSILON),
        retry_after_s=0.0 if allowed else max(0.0, (cost - tokens) / limit.rate),
        reset_s=max(0.0, (limit.burst - tokens) / limit.rate),
    )


def headers(decision: RateDecision) -> dict[str, str]:
    """The response headers of the IETF draft "RateLimit header fields for HTTP"
    (``RateLimit-Limit``: the burst, ``RateLimit-Remaining``, ``RateLimit-Reset``: whole
    seconds until the bucket is full, rounded up), and ``Retry-After`` when denied: whole
    seconds, rounded up so a client that waits that long is admitted, and at least 1.

    >>> sent = headers(RateDecision(False, Limit(2.0, 5), 0, retry_after_s=0.2, reset_s=2.4))
    >>> sent["RateLimit-Remaining"], sent["RateLimit-Reset"], sent["Retry-After"]
    ('0', '3', '1')
    """
    out = {
        "RateLimit-Limit": str(decision.limit.burst),
        "RateLimit-Remaining": str(max(0, decision.remaining)),
        "RateLimit-Reset": str(math.ceil(decision.reset_s)),
    }
    if not decision.allowed:
        out["Retry-After"] = str(max(1, math.ceil(decision.retry_after_s)))
    return out
