"""The memory response cache: canonical keys, freshness and staleness, a bounded size, erasure
by data subject (what both backends do is in ``tests/contract/test_response_cache.py``)."""

from __future__ import annotations

import pytest

from pasarela.serving.cache import CacheConfig, MemoryResponseCache, ResponseCache
from pasarela.storage.telemetry import subject_hash
from pasarela.types import VersionId
from tests.unit.conftest import ManualClock

pytestmark = pytest.mark.anyio

V3 = VersionId("churn", 3)


def test_keys_are_canonical_and_tell_versions_and_inputs_apart() -> None:
    key = ResponseCache.key
    assert key(V3, [{"a": 1, "b": 2}]) == key(V3, [{"b": 2, "a": 1}])
    assert key(V3, [{"a": 1}]) != key(VersionId("churn", 4), [{"a": 1}])
    assert key(V3, [{"a": 1}]) != key(V3, [{"a": 1.5}])
    assert key(V3, [[1, 2]]) != key(V3, [[2, 1]])


async def test_fresh_then_stale_then_gone(clock: ManualClock) -> None:
    cache = MemoryResponseCache(CacheConfig(ttl_s=10, stale_s=20), clock)
    key = cache.key(V3, [[1]])
    await cache.put(key, [0.5], subject=None)
    clock.now = 10
    assert await cache.get(key) == [0.5]
    clock.now = 10.1
    assert await cache.get(key) is None and await cache.get(key, stale=True) == [0.5]
    clock.now = 30.1
    assert await cache.get(key, stale=True) is None
    assert len(cache) == 0  # past any use: dropped


async def test_the_least_recently_used_answer_leaves_first(clock: ManualClock) -> None:
    cache = MemoryResponseCache(CacheConfig(max_entries=2), clock)
    a, b, c = (cache.key(V3, [[n]]) for n in range(3))
    await cache.put(a, [0], subject=None)
    await cache.put(b, [1], subject=None)
    assert await cache.get(a) == [0]  # a is now the most recent
    await cache.put(c, [2], subject=None)
    assert len(cache) == 2
    assert await cache.get(b) is None and await cache.get(a) == [0] and await cache.get(c) == [2]


async def test_erasing_a_subject_drops_its_answers_only(clock: ManualClock) -> None:
    cache = MemoryResponseCache(CacheConfig(max_entries=3), clock)
    keys = [cache.key(V3, [[n]]) for n in range(4)]
    await cache.put(keys[0], [0], subject="ana")
    await cache.put(keys[1], [1], subject="ana")
    await cache.put(keys[2], [2], subject="bea")
    await cache.put(keys[3], [3], subject="ana")  # evicts keys[0]: its index entry goes too
    assert await cache.erase(subject_hash("ana")) == 2
    assert [await cache.get(k) for k in keys] == [None, None, [2], None]
    assert await cache.erase(subject_hash("ana")) == 0
    assert await cache.erase(subject_hash("nobody")) == 0
