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
one a minute while Redis flaps), and one line when Redis answers again.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from pasarela.security.ratelimit.base import Limit, RateDecision, check_cost, decide
from pasarela.security.ratelimit.memory import MemoryRateLimiter

log = logging.getLogger(__name__)

WARN_EVERY_S: Final = 60.0
"""At most one warning about an unreachable Redis per this many seconds."""

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


def redact_url(url: str) -> str:
    """``url`` with its password (in the authority or a ``password=`` parameter) replaced.

    >>> redact_url("redis://app:hunter2@cache:6379/0?password=hunter2")
    'redis://app:***@cache:6379/0?password=%2A%2A%2A'
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{hostport}"
    query = parts.query
    if "password" in query.lower():
        query = urlencode(
            [
                (name, "***" if name.lower() == "password" else value)
                for name, value in parse_qsl(query, keep_blank_values=True)
            ]
        )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _secrets(url: str) -> list[str]:
    parts = urlsplit(url)
    found = [parts.password] if parts.password else []
    found += [v for k, v in parse_qsl(parts.query) if k.lower() == "password" and v]
    return found


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
        self.url = redact_url(url)
        self.prefix = prefix
        self.fallback = fallback if fallback is not None else MemoryRateLimiter()
        self.fallbacks = 0
        self.errors = 0
        self.cooldown_s = cooldown_s
        self.on_fallback = on_fallback
        self._clock = clock
        self._secrets = _secrets(url)
        # redis-py retries 3 times with backoff by default: a request would wait for all of
        # them before falling back. One try, then the fallback.
        self._redis = aioredis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self._script = self._redis.register_script(SCRIPT)
        self._down_until = -math.inf
        self._warned_at = -math.inf
        self._failing = False
        self._warned = False
        """Whether this outage's warning was logged (not when Redis flaps within a minute)."""

    async def acquire(self, key: str, limit: Limit, cost: int = 1) -> RateDecision:
        """Take ``cost`` tokens from ``key``'s bucket if it holds them (see ``RateLimiter``)."""
        check_cost(limit, cost)
        if self._clock() >= self._down_until:
            try:
                allowed, tokens = await self._script(
                    keys=[self.prefix + key], args=[limit.rate, limit.burst, cost]
                )
            except (RedisError, OSError) as exc:
                self._failed(exc)
                # The pool's idle connections died with Redis (or with the path to it): once
                # it is back, each would fail once more and restart the cooldown.
                with contextlib.suppress(RedisError, OSError):
                    await self._redis.connection_pool.disconnect(inuse_connections=False)
            else:
                if self._failing:
                    self._failing = False
                    if self._warned:
                        log.warning("rate limits are shared through Redis at %s again", self.url)
                return decide(limit, cost, bool(allowed), float(tokens))
        self.fallbacks += 1
        if self.on_fallback is not None:
            self.on_fallback()
        return await self.fallback.acquire(key, limit, cost)

    def _failed(self, exc: BaseException) -> None:
        now = self._clock()
        self.errors += 1
        self._down_until = now + self.cooldown_s
        if self._failing:  # the outage already warned of (or chose not to)
            return
        self._failing = True
        self._warned = now - self._warned_at >= WARN_EVERY_S
        if not self._warned:
            return
        self._warned_at = now
        reason = f"{type(exc).__name__}: {exc}"
        for secret in self._secrets:  # a driver may echo what it was given
            reason = reason.replace(secret, "***")
        log.warning(
            "rate limiter cannot use Redis at %s (%s); limiting per process instead "
            "(fallbacks so far: %d)",
            self.url,
            reason,
            self.fallbacks + 1,
        )

    async def close(self) -> None:
        """Close the connections to Redis and forget the fallback's buckets."""
        await self._redis.aclose()
        await self.fallback.close()
