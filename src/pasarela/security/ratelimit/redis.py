"""Token buckets in Redis, shared by every gateway process on every machine.

Each check is one atomic Lua script (``SCRIPT``, sent by EVALSHA and loaded again by
redis-py when the server has forgotten it): read the bucket, refill it by the time elapsed on
the Redis server's clock, take the tokens if they are there, write it back. Redis runs one
script at a time, so no two processes can take the same token, and one clock (``TIME`` on the
server) serves them all, so machines whose clocks disagree still refill buckets at the same
rate. ``TIME`` in a script that writes needs Redis ≥ 5, which replicates a script's effects
rather than the script itself.

A limiter must not take the service down with it: when Redis is unreachable or answers with
an error, the check goes to a per-process ``MemoryRateLimiter`` instead (each process then
admits up to the full limit on its own), Redis is left alone for ``cooldown_s``, and the idle
connections are closed, since they died with it. One warning is logged per outage (at most
one a minute while Redis flaps), and one line when Redis answers again
(``storage/redis_health.py``, shared with the response cache).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from pasarela.security.ratelimit.base import Limit, RateDecision, check_cost, decide
from pasarela.security.ratelimit.memory import MemoryRateLimiter
from pasarela.storage.redis_health import RedisHealth, open_redis

# base.take, line for line; KEYS[1] is the bucket (a hash of tokens and ts, the server time in
# seconds), ARGV the limit's rate and burst and the cost. Numbers go back to Redis and to the
# client as '%.17g' strings: Lua would truncate a returned number to an integer.
SCRIPT: Final = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens + 1e-9 >= cost then
  tokens = math.max(0, tokens - cost)
  allowed = 1
end
local left = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 'tokens', left, 'ts', string.format('%.17g', now))
-- A full bucket and a missing one mean the same, so the key can go once it would be full;
-- the extra second covers rounding. Idle keys do not pile up. The cap (~31 years) keeps the
-- number an integer when written out; a bucket that slow forgotten early starts full.
local ttl = math.min(math.ceil((burst - tokens) / rate * 1000) + 1000, 1e12)
redis.call('PEXPIRE', KEYS[1], ttl)
return {allowed, left}
"""


class RedisRateLimiter:
    """Token buckets in the Redis at ``url``, under the keys ``prefix + key``. Example::

    limiter = RedisRateLimiter("redis://cache:6379/0")
    decision = await limiter.acquire(f"tenant:{tenant}", Limit.parse("100/s"))

    ``fallbacks`` counts the checks that the per-process ``fallback`` decided because Redis
    could not, ``errors`` the calls to Redis that failed; ``on_fallback``, when given, is
    called once for each such check (a metric's ``inc``). Timeouts are
    short (``socket_timeout``) and there are no retries, so a dead Redis delays the requests
    that are waiting on it by at most that much; then for ``cooldown_s`` the fallback decides
    at once, without trying Redis. ``clock`` (monotonic seconds) times only that cooldown
    and the warnings; buckets run on the Redis server's clock.
    """

    def __init__(
        self,
        url: str,
        prefix: str = "pasarela:rl:",
        fallback: MemoryRateLimiter | None = None,
        *,
        socket_timeout: float = 0.25,
        cooldown_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        on_fallback: Callable[[], object] | None = None,
    ) -> None:
        self.prefix = prefix
        self.fallback = fallback if fallback is not None else MemoryRateLimiter()
        self.fallbacks = 0
        self.on_fallback = on_fallback
        self._redis = open_redis(url, socket_timeout=socket_timeout)
        self._script = self._redis.register_script(SCRIPT)
        self.health = RedisHealth(
            self._redis,
            url,
            "rate limiter",
            "limiting per process instead",
            cooldown_s=cooldown_s,
            clock=clock,
        )

    @property
    def url(self) -> str:
        """The Redis URL, its password hidden."""
        return self.health.url

    @property
    def errors(self) -> int:
        return self.health.errors

    async def acquire(self, key: str, limit: Limit, cost: int = 1) -> RateDecision:
        """Take ``cost`` tokens from ``key``'s bucket if it holds them (see ``RateLimiter``)."""
        from redis.exceptions import RedisError  # loaded with the client (open_redis)

        check_cost(limit, cost)
        if self.health.up:
            try:
                allowed, tokens = await self._script(
                    keys=[self.prefix + key], args=[limit.rate, limit.burst, cost]
                )
            except (RedisError, OSError) as exc:
                await self.health.failed(exc)
            else:
                self.health.answered()
                return decide(limit, cost, bool(allowed), float(tokens))
        self.fallbacks += 1
        if self.on_fallback is not None:
            self.on_fallback()
        return await self.fallback.acquire(key, limit, cost)

    async def close(self) -> None:
        """Close the connections to Redis and forget the fallback's buckets."""
        await self._redis.aclose()
        await self.fallback.close()
