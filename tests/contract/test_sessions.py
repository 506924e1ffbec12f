"""Dashboard sessions in the shared database, on every backend: opened for a key, seen by every
server, ended by expiry, logout or the key's revocation; only the id's hash is stored."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from pasarela.errors import Unauthenticated
from pasarela.security.keys import KeyRing, KeyService
from pasarela.security.roles import ANONYMOUS
from pasarela.security.sessions import DashboardSessions, session_hash
from pasarela.storage import schema
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.keys import KeyRepository
from pasarela.storage.sessions import SessionRepository

START = 1_800_000_000.0
HOUR = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = START
        self.ticks = 0.0

    def __call__(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.ticks


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    found = create_engine(database_url)
    upgrade(found)
    yield found
    found.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def sessions_on(engine: sa.Engine, clock: Clock, ttl_s: float = 8 * HOUR) -> DashboardSessions:
    return DashboardSessions(
        SessionRepository(engine), ttl_s=ttl_s, clock=clock, monotonic=clock.monotonic
    )


def keys(engine: sa.Engine) -> KeyRing:
    return KeyRing(KeyRepository(engine).list())


def analyst_key(engine: sa.Engine, **options: float) -> str:
    record, _ = KeyService(KeyRepository(engine)).create(
        name="analyst", role="analyst", by=ANONYMOUS, **options
    )
    return record.id


def test_a_session_opens_for_a_key_and_every_server_sees_it(
    engine: sa.Engine, clock: Clock
) -> None:
    key_id = analyst_key(engine)
    ring = keys(engine)
    token = sessions_on(engine, clock).open(ring.check_id(key_id)[1])
    # only the hash is stored, with the key's id: the token itself is nowhere in the table
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.ui_sessions)).all()
    assert [(r.id_sha256, r.key_id, r.role) for r in rows] == [
        (session_hash(token), key_id, "analyst")
    ]
    assert token not in repr(rows)
    # another server (its own cache) finds it in the database
    other = sessions_on(engine, clock)
    principal, key = other.check(other.load(token), ring)
    assert (principal.subject, principal.role, key.id) == (key_id, "analyst", key_id)


def test_a_session_expires_and_never_outlives_its_key(engine: sa.Engine, clock: Clock) -> None:
    sessions = sessions_on(engine, clock, ttl_s=HOUR)
    long_lived = analyst_key(engine)
    token = sessions.open(keys(engine).check_id(long_lived)[1])
    clock.now = START + HOUR - 1
    assert sessions.check(sessions.load(token), keys(engine))[0].subject == long_lived
    clock.now = START + HOUR
    with pytest.raises(Unauthenticated) as expired:
        sessions.check(sessions.load(token), keys(engine))
    assert expired.value.code == "session_expired"

    # a key that expires in half a day (from the real clock): the session's expiry is capped
    # at the key's, whatever the session lifetime says
    short = analyst_key(engine, expires_in_days=0.5)
    key = keys(engine).check_id(short)[1]
    assert key.expires_at is not None
    clock.now = key.expires_at - 10
    capped = sessions_on(engine, clock, ttl_s=30 * 24 * HOUR).open(key)
    record = sessions.load(capped)
    assert record is not None and record.expires_at.timestamp() == pytest.approx(key.expires_at)


def test_logout_ends_the_session_everywhere(engine: sa.Engine, clock: Clock) -> None:
    key_id = analyst_key(engine)
    here, there = sessions_on(engine, clock), sessions_on(engine, clock)
    token = here.open(keys(engine).check_id(key_id)[1])
    there.check(there.load(token), keys(engine))  # cached on the other server now
    assert here.close(token) is True
    assert here.close(token) is False  # already ended
    with pytest.raises(Unauthenticated) as ended:
        here.check(here.load(token), keys(engine))
    assert ended.value.code == "session_ended"
    # the other server holds its cached row for cache_s only, then reads the end
    assert there.cached(token)[0] is True
    clock.ticks += there.cache_s
    assert there.cached(token) == (False, None)
    with pytest.raises(Unauthenticated):
        there.check(there.load(token), keys(engine))


def test_revoking_the_key_ends_its_sessions(engine: sa.Engine, clock: Clock) -> None:
    key_id = analyst_key(engine)
    other = analyst_key(engine)
    sessions = sessions_on(engine, clock)
    token = sessions.open(keys(engine).check_id(key_id)[1])
    kept = sessions.open(keys(engine).check_id(other)[1])
    KeyRepository(engine).revoke(key_id, actor="admin")
    # the row says so (the revocation's own transaction)
    record = sessions.load(token)
    assert record is not None and record.revoked_at is not None
    with pytest.raises(Unauthenticated) as refused:
        sessions.check(sessions.load(token), keys(engine))
    assert refused.value.code == "session_ended"
    assert sessions.check(sessions.load(kept), keys(engine))[0].subject == other
    assert [s.key_id for s in sessions.repo.live(other, now=datetime.now(UTC))] == [other]


def test_a_session_whose_key_was_revoked_is_refused_by_the_key_ring(
    engine: sa.Engine, clock: Clock
) -> None:
    key_id = analyst_key(engine)
    sessions = sessions_on(engine, clock)
    token = sessions.open(keys(engine).check_id(key_id)[1])
    row = sessions.load(token)  # read before the revocation, as a cache would hold it
    KeyRepository(engine).revoke(key_id, actor="admin")
    with pytest.raises(Unauthenticated) as refused:
        sessions.check(row, keys(engine))
    assert refused.value.code == "key_revoked"


def test_unknown_sessions_are_refused_and_expired_rows_are_swept(
    engine: sa.Engine, clock: Clock
) -> None:
    sessions = sessions_on(engine, clock, ttl_s=HOUR)
    with pytest.raises(Unauthenticated) as unknown:
        sessions.check(sessions.load("x" * 43), keys(engine))
    assert unknown.value.code == "session_ended"
    key_id = analyst_key(engine)
    key = keys(engine).check_id(key_id)[1]
    old = sessions.open(key)
    clock.now = START + 2 * HOUR
    sessions.open(key)  # opening one deletes those that expired
    assert sessions.load(old) is None
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(schema.ui_sessions)).scalar() == 1
        )
