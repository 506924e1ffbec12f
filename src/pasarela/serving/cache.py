"""The response cache: exact-match answers by endpoint, version and canonical input.

An endpoint's ``cache`` section turns it on (one cache per endpoint):

```yaml
cache: {backend: memory, ttl_s: 60, max_entries: 10000, stale_s: 3600, serve: true}
fallback: [churn-small@1, {cached: true}]
```

- **As a cache** (``serve: true``): a request whose inputs the version the policy chose has
  answered within ``ttl_s`` is answered from the cache, without calling the model.
- **As a fallback** (a ``{cached: true}`` link): when the chain reaches it, the last answer
  of the chosen version to the same inputs is given even if it is older than ``ttl_s``, up to
  ``stale_s`` (stale-if-error). ``serve: false`` keeps the cache for this use only.

The key is a SHA-256 of the version and the inputs serialised canonically (object keys
sorted), so ``{"a": 1, "b": 2}`` and ``{"b": 2, "a": 1}`` are one entry. Only answers of the
chosen version are stored, never a fallback's. Each entry remembers the hash of its data
subject (``X-Subject-Id``), so an erasure (``pasarela subjects erase``) drops the subject's
entries: at once in the server that erased, and within one snapshot poll in the others (they
read the erasures table).

Two backends behind one interface (``ResponseCache``, all of it async but ``key``):

- ``memory`` (``MemoryResponseCache``): in the server's memory, at most ``max_entries``,
  least recently used first out.
- ``redis`` (``serving/cache_redis.py``): shared by every server, bounded by TTLs and the
  Redis ``maxmemory`` policy; when Redis is away a lookup raises ``CacheUnavailable`` (the
  data plane takes it for a miss) and a store is skipped.
"""

from __future__ import annotations

import abc
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from pasarela.spec import CacheSpec
from pasarela.storage.telemetry import subject_hash
from pasarela.types import JSON, VersionId

__all__ = ["CacheConfig", "CacheUnavailable", "MemoryResponseCache", "ResponseCache"]


CacheConfig = CacheSpec
"""An endpoint's ``cache`` section (``spec.CacheSpec``)."""


class CacheUnavailable(Exception):
    """The cache's store could not be reached: a lookup found nothing, an erasure did not
    happen (yet)."""


class ResponseCache(abc.ABC):
    """One endpoint's cache (module docstring): the interface both backends implement."""

    __slots__ = ("config",)

    def __init__(self, config: CacheConfig) -> None:
        self.config = config

    @staticmethod
    def key(version: VersionId, inputs: Sequence[Any]) -> bytes:
        """SHA-256 of the version and the inputs, object keys sorted.

        >>> ResponseCache.key(VersionId("churn", 3), [{"b": 2, "a": 1}]).hex()[:12]
        '430eeaeb91ee'
        """
        canonical = orjson.dumps(
            [version.model, version.version, inputs],
            option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        )
        return hashlib.sha256(canonical).digest()

    @abc.abstractmethod
    async def get(self, key: bytes, *, stale: bool = False) -> list[JSON] | None:
        """The stored answer: fresh (within ``ttl_s``), or with ``stale`` within ``stale_s``
        more; None otherwise. Raises ``CacheUnavailable`` when the store cannot be asked."""

    @abc.abstractmethod
    async def put(self, key: bytes, outputs: list[JSON], *, subject: str | None) -> None:
        """Store an answer (``subject``: the data subject's id, or None). Never raises and
        never waits on the network: a store that cannot be made is dropped."""

    @abc.abstractmethod
    async def erase(self, subject_sha256: str) -> int:
        """Drop every entry of a data subject (by the hash of its id); how many. Raises
        ``CacheUnavailable`` when the store cannot be reached."""


@dataclass(slots=True)
class _Entry:
    outputs: list[JSON]
    stored_at: float
    subject: str | None
    """SHA-256 of the data subject's id, as the erasures table keeps it."""


class MemoryResponseCache(ResponseCache):
    """One endpoint's cache in this server's memory.

    >>> import asyncio
    >>> now = [0.0]
    >>> cache = MemoryResponseCache(CacheConfig(ttl_s=10, stale_s=100), clock=lambda: now[0])
    >>> key = cache.key(VersionId("churn", 3), [{"b": 2, "a": 1}])
    >>> asyncio.run(cache.put(key, [0.9], subject=None))
    >>> now[0] = 50.0
    >>> asyncio.run(cache.get(key)), asyncio.run(cache.get(key, stale=True))
    (None, [0.9])
    """

    __slots__ = ("_by_subject", "_clock", "_entries")

    def __init__(
        self, config: CacheConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(config or CacheConfig())
        self._clock = clock
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._by_subject: dict[str, set[bytes]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: bytes, *, stale: bool = False) -> list[JSON] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        age = self._clock() - entry.stored_at
        limit = self.config.ttl_s + (self.config.stale_s if stale else 0.0)
        if age > limit:
            if age > self.config.ttl_s + self.config.stale_s:
                self._drop(key)  # of no use to anyone any more
            return None
        self._entries.move_to_end(key)
        return entry.outputs

    async def put(self, key: bytes, outputs: list[JSON], *, subject: str | None) -> None:
        hashed = subject_hash(subject) if subject else None
        if key in self._entries:
            self._drop(key)
        self._entries[key] = _Entry(outputs, self._clock(), hashed)
        if hashed is not None:
            self._by_subject.setdefault(hashed, set()).add(key)
        while len(self._entries) > self.config.max_entries:
            self._drop(next(iter(self._entries)))

    async def erase(self, subject_sha256: str) -> int:
        keys = self._by_subject.pop(subject_sha256, set())
        for key in keys:
            self._entries.pop(key, None)
        return len(keys)

    def _drop(self, key: bytes) -> None:
        entry = self._entries.pop(key)
        if entry.subject is not None:
            keys = self._by_subject.get(entry.subject)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_subject[entry.subject]
