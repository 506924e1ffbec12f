"""The response cache: exact-match answers by endpoint, version and canonical input.

An endpoint's ``cache`` section turns it on (one cache per endpoint, in the server's memory):

```yaml
cache: {ttl_s: 60, max_entries: 10000, stale_s: 3600, serve: true}
fallback: [churn-small@1, {cached: true}]
```

- **As a cache** (``serve: true``): a request whose inputs the version the policy chose has
  answered within ``ttl_s`` is answered from the cache, without calling the model.
- **As a fallback** (a ``{cached: true}`` link): when the chain reaches it, the last answer
  of the chosen version to the same inputs is given even if it is older than ``ttl_s``, up to
  ``stale_s`` (stale-if-error). ``serve: false`` keeps the cache for this use only.

The key is a SHA-256 of the version and the inputs serialised canonically (object keys
sorted), so ``{"a": 1, "b": 2}`` and ``{"b": 2, "a": 1}`` are one entry. Only answers of the
chosen version are stored, never a fallback's. Memory is bounded: at most ``max_entries``,
least recently used first out. Each entry remembers the hash of its data subject
(``X-Subject-Id``), so an erasure (``pasarela subjects erase``) drops the subject's entries:
at once in the server that erased, and within one snapshot poll in the others (they read the
erasures table).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field

from pasarela.storage.telemetry import subject_hash
from pasarela.types import JSON, VersionId

__all__ = ["CacheConfig", "ResponseCache"]


class CacheConfig(BaseModel):
    """An endpoint's ``cache`` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ttl_s: float = Field(default=60.0, gt=0)
    """How long an answer is served from the cache."""
    max_entries: int = Field(default=10_000, ge=1, le=10_000_000)
    stale_s: float = Field(default=3600.0, ge=0)
    """How long an answer may still stand in for a failing model (a ``cached`` link)."""
    serve: bool = True
    """Answer from the cache; false: keep it only for the fallback chain."""


@dataclass(slots=True)
class _Entry:
    outputs: list[JSON]
    stored_at: float
    subject: str | None
    """SHA-256 of the data subject's id, as the erasures table keeps it."""


class ResponseCache:
    """One endpoint's cache (module docstring).

    >>> now = [0.0]
    >>> cache = ResponseCache(CacheConfig(ttl_s=10, stale_s=100), clock=lambda: now[0])
    >>> key = cache.key(VersionId("churn", 3), [{"b": 2, "a": 1}])
    >>> cache.put(key, [0.9], subject=None)
    >>> cache.get(key) == cache.get(cache.key(VersionId("churn", 3), [{"a": 1, "b": 2}])) == [0.9]
    True
    >>> now[0] = 50.0
    >>> cache.get(key), cache.get(key, stale=True)
    (None, [0.9])
    """

    __slots__ = ("_by_subject", "_clock", "_entries", "config")

    def __init__(
        self, config: CacheConfig | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config or CacheConfig()
        self._clock = clock
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._by_subject: dict[str, set[bytes]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def key(version: VersionId, inputs: Sequence[Any]) -> bytes:
        canonical = orjson.dumps(
            [version.model, version.version, inputs],
            option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        )
        return hashlib.sha256(canonical).digest()

    def get(self, key: bytes, *, stale: bool = False) -> list[JSON] | None:
        """The stored answer: fresh (within ``ttl_s``), or with ``stale`` within ``stale_s``
        more; None otherwise."""
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

    def put(self, key: bytes, outputs: list[JSON], *, subject: str | None) -> None:
        hashed = subject_hash(subject) if subject else None
        if key in self._entries:
            self._drop(key)
        self._entries[key] = _Entry(outputs, self._clock(), hashed)
        if hashed is not None:
            self._by_subject.setdefault(hashed, set()).add(key)
        while len(self._entries) > self.config.max_entries:
            self._drop(next(iter(self._entries)))

    def erase(self, subject_sha256: str) -> int:
        """Drop every entry of a data subject (by the hash of its id); how many."""
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
