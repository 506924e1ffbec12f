"""The response cache in Redis (``cache: {backend: redis}``), shared by every server: an answer
stored by one is served by all.

Layout, under ``prefix`` (``pasarela:cache:``):

- ``{endpoint}:{key as hex}``: orjson ``{"o": outputs, "t": stored at, epoch seconds}``,
  expiring (``PX``) once it is of no use, ``ttl_s + stale_s`` after it was stored.
  Freshness is judged on read against ``t`` with the wall clock (``time.time``, shared by
  the servers: their clocks must agree to well within ``ttl_s``).
- ``{endpoint}:subject:{subject SHA-256}``: the set of that subject's entry keys, expiring
  with the newest of them; an erasure pops it and deletes what it names.

Redis must not hold a request up. A lookup is one ``GET`` with a short socket timeout and no
retries; when it fails, or during the cooldown after a failure, it raises
``CacheUnavailable`` (a miss to the data plane, counted as ``outcome="error"``). Stores run in
the background, at most ``max_pending_stores`` at a time (the rest are dropped), so a reply
never waits on one, and they never take more than a third of the pool's connections from the
lookups. ``max_entries`` does not apply: Redis's ``maxmemory`` policy bounds it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import orjson

from pasarela.serving.cache import CacheConfig, CacheUnavailable, ResponseCache
from pasarela.storage.redis_health import RedisHealth, open_redis
from pasarela.storage.telemetry import subject_hash
from pasarela.types import JSON

if TYPE_CHECKING:
    import redis.asyncio as aioredis

__all__ = ["RedisCacheClient", "RedisResponseCache"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def _failures() -> tuple[type[BaseException], ...]:
    """What a failed call raises. redis-py is loaded with the first client (``open_redis``),
    not with this module: a server without a Redis cache never pays for it. An ``except``
    evaluates this only when something was raised."""
    from redis.exceptions import RedisError

    return (RedisError, OSError)


_ERASE_BATCH = 500
"""Entry keys popped from a subject's index per round trip."""


class RedisCacheClient:
    """The connection every endpoint's Redis cache in a server shares: one pool, one outage
    state, one bound on stores in flight. Example::

        client = RedisCacheClient("redis://cache:6379/0")
        cache = RedisResponseCache(CacheConfig(backend="redis"), "churn", client)
        ...
        await client.close()

    ``dropped_stores`` counts the stores given up (Redis away, or too many in flight).
    """

    def __init__(
        self,
        url: str,
        prefix: str = "pasarela:cache:",
        *,
        socket_timeout: float = 0.25,
        cooldown_s: float = 1.0,
        max_pending_stores: int = 32,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.prefix = prefix
        self.redis = open_redis(url, socket_timeout=socket_timeout)
        self.health = RedisHealth(
            self.redis,
            url,
            "response cache",
            "lookups miss and stores are skipped",
            cooldown_s=cooldown_s,
            clock=clock,
        )
        self.max_pending_stores = max_pending_stores
        self.dropped_stores = 0
        self._stores: set[asyncio.Task[None]] = set()

    def store(self, entry: str, value: bytes, index: str | None, horizon_ms: int) -> None:
        """Write an entry (and add it to its subject's index) in the background."""
        if not self.health.up or len(self._stores) >= self.max_pending_stores:
            self.dropped_stores += 1
            return
        task = asyncio.get_running_loop().create_task(self._store(entry, value, index, horizon_ms))
        self._stores.add(task)
        task.add_done_callback(self._stores.discard)

    async def _store(self, entry: str, value: bytes, index: str | None, horizon_ms: int) -> None:
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.set(entry, value, px=horizon_ms)
                if index is not None:
                    # Every entry of an endpoint lives as long, so the newest sets the horizon.
                    pipe.sadd(index, entry)
                    pipe.pexpire(index, horizon_ms)
                await pipe.execute()
        except _failures() as exc:
            self.dropped_stores += 1
            await self.health.failed(exc)
        else:
            self.health.answered()

    async def settle(self) -> None:
        """Wait for the stores in flight now (each bounded by the socket timeout); not for
        those started meanwhile, which under steady traffic would never end."""
        if self._stores:
            await asyncio.gather(*list(self._stores), return_exceptions=True)

    async def call(self, command: Callable[[aioredis.Redis], Awaitable[T]]) -> T:
        """``command`` on the client, unless Redis is in its cooldown; ``CacheUnavailable``
        if it cannot be made."""
        if not self.health.up:
            raise CacheUnavailable(f"Redis at {self.health.url} is not answering")
        try:
            result = await command(self.redis)
        except _failures() as exc:
            await self.health.failed(exc)
            raise CacheUnavailable(f"Redis at {self.health.url}: {type(exc).__name__}") from exc
        self.health.answered()
        return result

    async def close(self) -> None:
        """Let the stores in flight land, then close the connections."""
        await self.settle()
        await self.redis.aclose()


class RedisResponseCache(ResponseCache):
    """One endpoint's cache in the Redis of ``client`` (module docstring). ``clock``: wall
    seconds, the same for every server. Example::

        cache = RedisResponseCache(CacheConfig(backend="redis"), "churn", client)
        await cache.put(key, [0.9], subject="ana")  # returns at once; stored soon after
        await cache.get(key)  # [0.9], from any server sharing the Redis
    """

    __slots__ = ("_client", "_clock", "_horizon_ms", "_prefix")

    def __init__(
        self,
        config: CacheConfig,
        endpoint: str,
        client: RedisCacheClient,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(config)
        self._client = client
        self._clock = clock
        self._prefix = f"{client.prefix}{endpoint}:"
        self._horizon_ms = max(1, math.ceil((config.ttl_s + config.stale_s) * 1000))

    async def get(self, key: bytes, *, stale: bool = False) -> list[JSON] | None:
        name = self._prefix + key.hex()
        raw = await self._client.call(lambda redis: redis.get(name))
        if raw is None:
            return None
        try:
            entry = orjson.loads(raw)
            outputs: list[JSON] = entry["o"]
            age = self._clock() - float(entry["t"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            log.warning("response cache: unreadable entry %s ignored", name)
            return None
        limit = self.config.ttl_s + (self.config.stale_s if stale else 0.0)
        return outputs if age <= limit else None

    async def put(self, key: bytes, outputs: list[JSON], *, subject: str | None) -> None:
        value = orjson.dumps({"o": outputs, "t": self._clock()})
        index = f"{self._prefix}subject:{subject_hash(subject)}" if subject else None
        self._client.store(self._prefix + key.hex(), value, index, self._horizon_ms)

    async def erase(self, subject_sha256: str) -> int:
        # A store in flight landing after the erasure would bring an answer back.
        await self._client.settle()
        index = f"{self._prefix}subject:{subject_sha256}"
        erased = 0
        while True:
            # SPOP is atomic: an entry stored meanwhile is either popped here or stays indexed.
            popped = await self._client.call(lambda redis: redis.spop(index, _ERASE_BATCH))
            entries = cast("list[bytes] | None", popped)  # a list, given a count
            if not entries:
                return erased
            erased += int(await self._client.call(_deleting(entries)))


def _deleting(keys: list[bytes]) -> Callable[[aioredis.Redis], Awaitable[Any]]:
    """A ``DEL`` of ``keys``, for ``RedisCacheClient.call`` (bound now, not in a loop)."""
    return lambda redis: redis.delete(*keys)
