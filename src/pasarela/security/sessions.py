"""Dashboard sessions: what the browser's cookie stands for once a key has signed in.

The cookie holds a random session id (256 bits), never the key; the database keeps only the
id's SHA-256, the key id and the expiry (``storage/sessions.py``), so every worker and server
shares the sessions. Each request through a session is checked twice:

- the session row: not revoked (logout), not expired (``PASARELA_UI_SESSION_HOURS``);
- the key, in the current snapshot's key ring: not revoked, not expired, still there — so
  revoking a key ends its sessions from the servers' next snapshot on, whatever the cache says.

Rows are cached in memory for ``cache_s`` (a few seconds) so a page's refreshes do not read the
database each time; a logout on another server is seen when that entry expires.

Example::

    sessions = DashboardSessions(workspace.sessions, ttl_s=8 * 3600)
    token = sessions.open(key)                  # the cookie's value
    principal, key = sessions.check(sessions.load(token), keyring)  # blocking read
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from pasarela.errors import Unauthenticated
from pasarela.security.keys import ActiveKey, KeyRing
from pasarela.security.roles import Principal
from pasarela.storage.sessions import SessionRecord, SessionRepository

SESSION_COOKIE = "pasarela_session"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)

Clock = Callable[[], float]


def session_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_of(headers: Mapping[str, str]) -> str | None:
    """The session id in the request's ``Cookie`` header, when it has a session id's shape.
    ``headers`` have lower-case names."""
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE and looks_like_session(value):
            return value
    return None


def looks_like_session(token: str) -> bool:
    """Whether ``token`` has the shape of a session id (checked before any lookup, so a
    hostile cookie never reaches the database or the cache)."""
    return bool(_TOKEN.match(token))


class DashboardSessions:
    def __init__(
        self,
        repo: SessionRepository,
        *,
        ttl_s: float,
        cache_s: float = 5.0,
        cache_size: int = 10_000,
        clock: Clock = time.time,
        monotonic: Clock = time.monotonic,
    ) -> None:
        self.repo = repo
        self.ttl_s = ttl_s
        self.cache_s = cache_s
        self.cache_size = cache_size
        self.clock = clock
        self.monotonic = monotonic
        self._cache: OrderedDict[str, tuple[SessionRecord | None, float]] = OrderedDict()

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def open(self, key: ActiveKey) -> str:
        """A new session for ``key`` (which the caller has just checked); its id, for the
        cookie. It ends after ``ttl_s`` or when the key expires, whichever comes first."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        ends = now + self.ttl_s
        if key.expires_at is not None:
            ends = min(ends, key.expires_at)
        record = SessionRecord(
            id_sha256=session_hash(token),
            key_id=key.id,
            role=key.role,
            created_at=datetime.fromtimestamp(now, UTC),
            expires_at=datetime.fromtimestamp(ends, UTC),
            revoked_at=None,
        )
        self.repo.add(record, now=self._now())
        return token

    def cached(self, token: str) -> tuple[bool, SessionRecord | None]:
        """(True, row) when the cache knows ``token``'s row (None: no such session); (False,
        None) when ``load`` must read the database. Never blocks."""
        entry = self._cache.get(session_hash(token))
        if entry is None or self.monotonic() - entry[1] >= self.cache_s:
            return False, None
        return True, entry[0]

    def load(self, token: str) -> SessionRecord | None:
        """The row of ``token`` read from the database (blocking), and cached."""
        digest = session_hash(token)
        record = self.repo.get(digest)
        self._cache[digest] = (record, self.monotonic())
        self._cache.move_to_end(digest)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return record

    def check(self, record: SessionRecord | None, keyring: KeyRing) -> tuple[Principal, ActiveKey]:
        """The caller of a session; Unauthenticated, saying why, when the session or its key
        no longer holds."""
        now = self.clock()
        if record is None:
            raise Unauthenticated("the session is not known; sign in again", code="session_ended")
        if record.revoked_at is not None:
            raise Unauthenticated("the session was ended; sign in again", code="session_ended")
        if now >= record.expires_at.timestamp():
            raise Unauthenticated("the session has expired; sign in again", code="session_expired")
        return keyring.check_id(record.key_id, now)

    def close(self, token: str) -> bool:
        """End the session of ``token`` (logout); True when it was live."""
        digest = session_hash(token)
        self._cache.pop(digest, None)
        return self.repo.revoke(digest, now=self._now())
