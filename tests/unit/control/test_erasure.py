"""Cache erasure: a subject's cached answers forgotten here at once, and everywhere by poll."""

from __future__ import annotations

import pytest

from pasarela.control.erasure import CacheErasure
from pasarela.registry.service import Registry
from pasarela.serving.cache import CacheConfig, CacheUnavailable, MemoryResponseCache
from pasarela.storage.subjects import SubjectRepository

pytestmark = pytest.mark.anyio


class AwayCache:
    """A cache whose store cannot be reached."""

    def __init__(self) -> None:
        self.tries = 0

    async def erase(self, subject_sha256: str) -> int:
        del subject_sha256
        self.tries += 1
        raise CacheUnavailable("away")


async def cached(*subjects: str) -> MemoryResponseCache:
    cache = MemoryResponseCache(CacheConfig())
    for i, subject in enumerate(subjects):
        await cache.put(bytes([i]), [float(i)], subject=subject)
    return cache


async def test_a_subjects_answers_are_forgotten_in_every_cache(registry: Registry) -> None:
    first, second = await cached("ana", "ana", "bob"), await cached("ana")
    erasure = CacheErasure(registry.engine, lambda: [first, second], CacheUnavailable)
    assert await erasure.forget_subject("ana") == 3
    assert (len(first), len(second)) == (1, 0)  # bob's answer stays


async def test_a_poll_forgets_subjects_erased_elsewhere_once(registry: Registry) -> None:
    cache = await cached("ana", "bob")
    erasure = CacheErasure(registry.engine, lambda: [cache], CacheUnavailable)
    SubjectRepository(registry.engine).erase("ana", actor="another server")
    await erasure.forget_erased()
    assert len(cache) == 1 and await cache.get(bytes([1])) == [1.0]
    before = erasure.seen
    await cache.put(b"again", [9.0], subject="ana")  # answered again after the erasure
    await erasure.forget_erased()
    assert erasure.seen == before and len(cache) == 2  # an erasure is applied once


async def test_an_unreachable_cache_is_tried_again_at_the_next_poll(
    registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    away = AwayCache()
    erasure = CacheErasure(registry.engine, lambda: [away], CacheUnavailable)
    before = erasure.seen
    SubjectRepository(registry.engine).erase("ana", actor="test")
    await erasure.forget_erased()
    await erasure.forget_erased()
    assert away.tries == 2 and erasure.seen == before
    assert await erasure.forget_subject("bob") == 0
    assert "erased at the next poll" in caplog.text


async def test_without_caches_the_erasures_table_is_not_read(registry: Registry) -> None:
    erasure = CacheErasure(registry.engine, list, CacheUnavailable)
    SubjectRepository(registry.engine).erase("ana", actor="test")
    before = erasure.seen
    await erasure.forget_erased()
    assert erasure.seen == before  # with a cache, the poll would have moved past the erasure
