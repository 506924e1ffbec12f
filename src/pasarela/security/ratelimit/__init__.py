"""Rate limits: token buckets per key, in memory for one process (``MemoryRateLimiter``) or
in Redis for many (``RedisRateLimiter``), behind one ``RateLimiter`` protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pasarela.security.ratelimit.base import (
    Limit,
    RateDecision,
    RateLimiter,
    headers,
    take,
)
from pasarela.security.ratelimit.memory import MemoryRateLimiter

if TYPE_CHECKING:
    from pasarela.security.ratelimit.redis import RedisRateLimiter

__all__ = [
    "Limit",
    "MemoryRateLimiter",
    "RateDecision",
    "RateLimiter",
    "RedisRateLimiter",
    "headers",
    "take",
]


def __getattr__(name: str) -> Any:
    # redis.asyncio takes ~150 ms to import: only processes that use Redis pay for it.
    if name == "RedisRateLimiter":
        from pasarela.security.ratelimit.redis import RedisRateLimiter

        return RedisRateLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
