"""Token buckets in this process's memory: exact for one gateway process, and what the Redis
limiter falls back to when Redis is unreachable. With N processes each keeps its own buckets,
so together they admit up to N times the limit.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from pasarela.security.ratelimit.base import Limit, RateDecision, check_cost, decide, take


class MemoryRateLimiter:
    """Per-process token buckets, O(1) per check, holding at most ``max_keys`` buckets.

    Beyond ``max_keys`` the least recently used bucket is dropped. A dropped key starts full
    again when it comes back: under a flood of distinct keys this errs on the side of admitting,
    which is what a limiter that must keep serving wants, and the bound keeps a flood of keys
    (spoofed client addresses) from growing the process without limit. ``clock`` (seconds,
    monotonic) can be replaced in tests.

    >>> import asyncio
    >>> limiter = MemoryRateLimiter(clock=lambda: 0.0)
    >>> [asyncio.run(limiter.acquire("k", Limit(1.0, 2))).allowed for _ in range(3)]
    [True, True, False]
    """

    def __init__(
        self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self.max_keys = max_keys
        self._clock = clock
        # key -> (tokens, when they were counted); the order is least recently used first
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        """How many buckets are held."""
        return len(self._buckets)

    async def acquire(self, key: str, limit: Limit, cost: int = 1) -> RateDecision:
        """Take ``cost`` tokens from ``key``'s bucket if it holds them (see ``RateLimiter``)."""
        check_cost(limit, cost)
        # No lock: nothing from here to the return awaits, so no other task of this event loop
        # can run between reading the bucket and writing it back.
        now = self._clock()
        buckets = self._buckets
        state = buckets.get(key)
        if state is None:
            tokens, updated_at = float(limit.burst), now
        else:
            tokens, updated_at = state
            buckets.move_to_end(key)
        allowed, tokens = take(tokens, updated_at, now, limit, cost)
        buckets[key] = (tokens, now)
        if len(buckets) > self.max_keys:
            buckets.popitem(last=False)
        return decide(limit, cost, allowed, tokens)

    async def close(self) -> None:
        """Forget every bucket."""
        self._buckets.clear()
