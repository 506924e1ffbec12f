"""What a process knows of a Redis it may do without: whether to try it now, and what to log.

Code that keeps working when Redis is away (the response cache answers misses) talks to it
the same way: short socket timeouts and no retries (``open_redis``), so a dead Redis costs a
request at most one timeout; after a failure Redis is left alone for ``cooldown_s``, during
which callers do without it at once; the pool's idle connections are closed, since they died
with Redis (kept, each would fail once more after it came back and restart the cooldown).
One warning is logged per outage (at most one a minute while Redis flaps), and one line when
Redis answers again.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:  # redis-py (~7 MiB with what it loads) is imported by the first client made
    import redis.asyncio as aioredis

__all__ = ["WARN_EVERY_S", "RedisHealth", "open_redis", "redact_url"]

log = logging.getLogger(__name__)

WARN_EVERY_S: Final = 60.0
"""At most one warning about an unreachable Redis per this many seconds."""


def open_redis(
    url: str, *, socket_timeout: float = 0.25, max_connections: int = 100
) -> aioredis.Redis:
    """A client that gives up after one try of at most ``socket_timeout`` seconds, with at
    most ``max_connections`` open; a call that finds them all busy waits for one, as long.

    >>> client = open_redis("redis://127.0.0.1:6379/0")
    """
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    # redis-py retries 3 times with backoff by default: a request would wait for all of them.
    # Its default pool fails at once when its connections are all in use: a burst of
    # requests would look like an outage.
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=socket_timeout,
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_timeout,
        retry=Retry(NoBackoff(), 0),
    )
    client = aioredis.Redis(connection_pool=pool)
    client.auto_close_connection_pool = True  # the client owns its pool, as from_url's does
    return client


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


class RedisHealth:
    """The outage state of one Redis client, for one purpose. Example::

        health = RedisHealth(client, url, "response cache", "lookups miss")
        if health.up:
            try:
                value = await client.get(key)
            except (RedisError, OSError) as exc:
                await health.failed(exc)
            else:
                health.answered()

    ``errors`` counts the failed calls. ``clock`` (monotonic seconds) times the cooldown and
    the warnings.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        url: str,
        purpose: str,
        meanwhile: str,
        *,
        cooldown_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = redact_url(url)
        self.purpose = purpose
        """Who uses Redis, for the log: ``response cache``."""
        self.meanwhile = meanwhile
        """What happens without it, for the log: ``lookups miss, stores are skipped``."""
        self.cooldown_s = cooldown_s
        self.errors = 0
        self._client = client
        self._clock = clock
        self._secrets = _secrets(url)
        self._down_until = -math.inf
        self._warned_at = -math.inf
        self._failing = False
        self._warned = False
        """Whether this outage's warning was logged (not when Redis flaps within a minute)."""

    @property
    def up(self) -> bool:
        """False during the cooldown after a failure: do without Redis, do not try it."""
        return self._clock() >= self._down_until

    def answered(self) -> None:
        """Redis answered a call: the outage, if there was one, is over."""
        if self._failing:
            self._failing = False
            if self._warned:
                log.warning("%s uses Redis at %s again", self.purpose, self.url)

    async def failed(self, exc: BaseException) -> None:
        """A call failed: start the cooldown, warn once per outage, drop idle connections."""
        from redis.exceptions import RedisError

        now = self._clock()
        self.errors += 1
        self._down_until = now + self.cooldown_s
        with contextlib.suppress(RedisError, OSError):
            await self._client.connection_pool.disconnect(inuse_connections=False)
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
            "%s cannot use Redis at %s (%s); %s until it answers",
            self.purpose,
            self.url,
            reason,
            self.meanwhile,
        )
