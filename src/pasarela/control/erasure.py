"""Erasure of a data subject from the response caches of the data plane.

A subject's records and feedback are deleted in the database (``storage/subjects.py``); the
answers cached for them are erased here: at once from this server's caches and the shared
Redis one, and by every other server at its next poll, which reads the erasures made since
(the erasures table is shared). A cache that cannot be reached is erased from at a later poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.engine import Engine

from pasarela.storage.subjects import SubjectRepository
from pasarela.storage.telemetry import subject_hash

log = logging.getLogger(__name__)


class ErasableCache(Protocol):
    """A response cache as erasure sees it: answers kept under a subject's hash."""

    def erase(self, subject_sha256: str) -> Awaitable[int]: ...


class CacheErasure:
    """Forgets erased subjects' cached answers.

    Example::

        erasure = CacheErasure(engine, plane.caches, CacheUnavailable)
        plane.after_refresh(erasure.forget_erased)
        await erasure.forget_subject("user-42")
    """

    def __init__(
        self,
        engine: Engine,
        caches: Callable[[], Iterable[ErasableCache]],
        unreachable: type[Exception],
    ) -> None:
        """``caches``: the caches of the current snapshot; ``unreachable``: what a cache
        raises when its store cannot be reached."""
        self.repo = SubjectRepository(engine)
        self.caches = caches
        self.unreachable = unreachable
        # Erasures older than the server forget nothing: its caches start empty.
        self.seen = datetime.now(UTC)

    async def forget_subject(self, subject_id: str) -> int:
        """Drop a data subject's answers from every response cache of this server, and from
        the shared Redis one (the erasure route calls it; other servers learn it from their
        next poll); how many. A Redis that cannot be reached is erased from at a later poll."""
        erased, reached = await self._forget(subject_hash(subject_id))
        if not reached:
            log.warning(
                "the response cache's Redis is away: a subject's answers there are erased at "
                "the next poll that reaches it (they cannot be served meanwhile)"
            )
        return erased

    async def forget_erased(self) -> None:
        """Drop from the response caches the subjects erased since the last poll (by any
        server: the erasures table is shared)."""
        if not any(True for _ in self.caches()):
            return
        digests, seen = await asyncio.to_thread(self.repo.erased_since, self.seen)
        reached = True
        for digest in digests:
            reached = (await self._forget(digest))[1] and reached
        if reached:  # else the next poll erases them all again (erasing twice is harmless)
            self.seen = seen

    async def _forget(self, digest: str) -> tuple[int, bool]:
        """Erase a subject (by hash) from every cache; how many answers, and whether every
        cache was reached."""
        erased, reached = 0, True
        for cache in self.caches():
            try:
                erased += await cache.erase(digest)
            except self.unreachable:
                reached = False
        return erased, reached
