"""The response cache: one suite, run against the memory backend and the Redis backend (both
with a clock the test moves); then what only Redis does: TTLs on its keys, stores dropped when
too many are in flight, and doing without Redis when it is gone."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis

from pasarela.serving.cache import (
    CacheConfig,
    CacheUnavailable,
    MemoryResponseCache,
    ResponseCache,
)
from pasarela.serving.cache_redis import RedisCacheClient, RedisResponseCache
from pasarela.storage.telemetry import subject_hash
from pasarela.types import VersionId
from tests.contract.test_ratelimit import DEAD_REDIS, REDIS_URL, delete_prefix, require_redis

pytestmark = pytest.mark.anyio

V3 = VersionId("churn", 3)
CONFIG = CacheConfig(ttl_s=10, stale_s=20)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0  # epoch seconds, as the Redis backend stores them

    def __call__(self) -> float:
        return self.now


@dataclass
class Backend:
    make: Callable[[CacheConfig, str], ResponseCache]
    """A cache for an endpoint, on this backend."""
    settle: Callable[[], Awaitable[None]]
    """Wait until what was put is stored (Redis stores in the background)."""
    clock: FakeClock


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    clock = FakeClock()
    if request.param == "memory":

        async def nothing() -> None:
            return None

        yield Backend(lambda config, _: MemoryResponseCache(config, clock), nothing, clock)
        return
    require_redis()
    prefix = f"pasarela:test:cache:{uuid.uuid4().hex}:"
    client = RedisCacheClient(REDIS_URL, prefix)
    try:

        def make(config: CacheConfig, endpoint: str) -> ResponseCache:
            return RedisResponseCache(config, endpoint, client, clock)

        yield Backend(make, client.settle, clock)
        # a suite that passed without Redis would have tested nothing of it
        assert (client.health.errors, client.dropped_stores) == (0, 0)
    finally:
        await client.close()
        await delete_prefix(prefix)


async def put(backend: Backend, cache: ResponseCache, key: bytes, outputs: list[object]) -> None:
    await cache.put(key, outputs, subject=None)
    await backend.settle()


async def test_fresh_then_stale_then_gone(backend: Backend) -> None:
    cache = backend.make(CONFIG, "scores")
    key = cache.key(V3, [[1]])
    await put(backend, cache, key, [0.5])
    backend.clock.now += 10
    assert await cache.get(key) == [0.5]
    assert await cache.get(key, stale=True) == [0.5]  # a fresh answer is good for a link too
    backend.clock.now += 0.1
    assert await cache.get(key) is None
    assert await cache.get(key, stale=True) == [0.5]
    backend.clock.now += 20
    assert await cache.get(key, stale=True) is None
    assert await cache.get(key) is None


async def test_keys_are_canonical_and_only_what_was_put_is_found(backend: Backend) -> None:
    cache = backend.make(CONFIG, "scores")
    outputs = [{"label": "churn", "p": 0.91, "why": ["tenure", None]}, 0, "x"]
    await put(backend, cache, cache.key(V3, [{"b": 2, "a": 1}]), outputs)
    assert await cache.get(cache.key(V3, [{"a": 1, "b": 2}])) == outputs
    assert await cache.get(cache.key(V3, [{"a": 1, "b": 3}])) is None
    assert await cache.get(cache.key(VersionId("churn", 4), [{"a": 1, "b": 2}])) is None
    assert await cache.get(cache.key(V3, [{"a": 1, "b": 3}]), stale=True) is None
    # another endpoint's cache is another cache, though the version and inputs are the same
    other = backend.make(CONFIG, "scores-eu")
    assert await other.get(cache.key(V3, [{"a": 1, "b": 2}])) is None


async def test_a_new_answer_replaces_the_old_and_is_fresh_again(backend: Backend) -> None:
    cache = backend.make(CONFIG, "scores")
    key = cache.key(V3, [[1]])
    await put(backend, cache, key, [0.5])
    backend.clock.now += 15  # stale
    await put(backend, cache, key, [0.7])
    assert await cache.get(key) == [0.7]


async def test_erasing_a_subject_drops_its_answers_only(backend: Backend) -> None:
    cache = backend.make(CONFIG, "scores")
    keys = [cache.key(V3, [[n]]) for n in range(4)]
    for key, subject in zip(keys, ["ana", "ana", "bea", None], strict=True):
        await cache.put(key, [keys.index(key)], subject=subject)
    await backend.settle()
    assert await cache.erase(subject_hash("ana")) == 2
    assert [await cache.get(k) for k in keys] == [None, None, [2], [3]]
    assert [await cache.get(k, stale=True) for k in keys[:2]] == [None, None]
    assert await cache.erase(subject_hash("ana")) == 0
    assert await cache.erase(subject_hash("nobody")) == 0


async def test_an_answer_put_just_before_an_erasure_is_erased(backend: Backend) -> None:
    cache = backend.make(CONFIG, "scores")
    key = cache.key(V3, [[1]])
    await cache.put(key, [0.5], subject="ana")  # no settle: the erasure must see it all the same
    assert await cache.erase(subject_hash("ana")) == 1
    await backend.settle()
    assert await cache.get(key, stale=True) is None


# -- Redis only ----------------------------------------------------------------------------


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    require_redis()
    prefix = f"pasarela:test:cache:{uuid.uuid4().hex}:"
    yield prefix
    await delete_prefix(prefix)


async def test_redis_entries_and_indexes_expire_once_of_no_use(redis_prefix: str) -> None:
    client = RedisCacheClient(REDIS_URL, redis_prefix)
    raw = aioredis.Redis.from_url(REDIS_URL)
    try:
        cache = RedisResponseCache(CacheConfig(ttl_s=60, stale_s=3600), "scores", client)
        key = cache.key(V3, [[1]])
        await cache.put(key, [0.5], subject="ana")
        await client.settle()
        entry = f"{redis_prefix}scores:{key.hex()}"
        index = f"{redis_prefix}scores:subject:{subject_hash('ana')}"
        assert 3_600_000 < await raw.pttl(entry) <= 3_660_000
        assert 3_600_000 < await raw.pttl(index) <= 3_660_000
        assert await raw.smembers(index) == {entry.encode()}
    finally:
        await raw.aclose()
        await client.close()


async def test_stores_beyond_the_bound_in_flight_are_dropped(redis_prefix: str) -> None:
    client = RedisCacheClient(REDIS_URL, redis_prefix, max_pending_stores=0)
    try:
        cache = RedisResponseCache(CONFIG, "scores", client)
        key = cache.key(V3, [[1]])
        await cache.put(key, [0.5], subject=None)
        await client.settle()
        assert client.dropped_stores == 1
        assert await cache.get(key) is None
    finally:
        await client.close()


async def test_without_redis_lookups_fail_stores_are_dropped_and_the_password_hidden(
    caplog: pytest.LogCaptureFixture,
) -> None:
    monotonic = FakeClock()
    client = RedisCacheClient(DEAD_REDIS, cooldown_s=5.0, clock=monotonic)
    cache = RedisResponseCache(CONFIG, "scores", client)
    key = cache.key(V3, [[1]])
    try:
        with caplog.at_level(logging.WARNING, logger="pasarela.storage.redis_health"):
            with pytest.raises(CacheUnavailable):
                await cache.get(key)
            for _ in range(20):  # in the cooldown: Redis is not even tried
                with pytest.raises(CacheUnavailable):
                    await cache.get(key, stale=True)
                await cache.put(key, [0.5], subject="ana")
            with pytest.raises(CacheUnavailable):
                await cache.erase(subject_hash("ana"))
            assert (client.health.errors, client.dropped_stores) == (1, 20)
            monotonic.now += 5.0
            await cache.put(key, [0.5], subject=None)  # the cooldown is over: tried again
            await client.settle()
            assert (client.health.errors, client.dropped_stores) == (2, 21)
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1  # one per outage
        assert "response cache cannot use Redis at" in caplog.text
        assert "127.0.0.1:1" in caplog.text
        assert "s3cret-pw" not in caplog.text
    finally:
        await client.close()


async def test_a_redis_error_is_a_failed_lookup_and_redis_is_used_again_once_it_answers(
    redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = RedisCacheClient(REDIS_URL, redis_prefix, cooldown_s=0.0)
    raw = aioredis.Redis.from_url(REDIS_URL)
    cache = RedisResponseCache(CONFIG, "scores", client)
    key = cache.key(V3, [[1]])
    entry = f"{redis_prefix}scores:{key.hex()}"
    try:
        await raw.sadd(entry, "not a string")  # WRONGTYPE for GET
        with caplog.at_level(logging.WARNING, logger="pasarela.storage.redis_health"):
            with pytest.raises(CacheUnavailable):
                await cache.get(key)
            assert "WRONGTYPE" in caplog.text
            await raw.delete(entry)
            assert await cache.get(key) is None
        assert "response cache uses Redis at" in caplog.records[-1].getMessage()
        await raw.set(entry, b"not json")
        with caplog.at_level(logging.WARNING, logger="pasarela.serving.cache_redis"):
            assert await cache.get(key) is None  # an unreadable entry is a miss, not an outage
        assert "unreadable entry" in caplog.text
    finally:
        await raw.aclose()
        await client.close()
