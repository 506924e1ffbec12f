"""Dashboard sessions in the SQL database, so every worker and server behind a load balancer
sees the same ones: created at sign-in, read by the gate, ended by logout, expiry or the key's
revocation. Only the SHA-256 of a session id is stored; the id itself lives in the browser's
cookie only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from pasarela.errors import Unavailable
from pasarela.storage import schema
from pasarela.storage.db import database_problem, write


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A stored session: whose key opened it, and until when it holds."""

    id_sha256: str
    key_id: str
    role: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@contextmanager
def _database() -> Iterator[None]:
    # Translated here so the gate never sees SQLAlchemy: a database outage is a coded 503.
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        raise Unavailable(
            f"the database is unavailable ({database_problem(exc)})", code="database_unavailable"
        ) from exc


class SessionRepository:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add(self, record: SessionRecord, *, now: datetime) -> None:
        """Store ``record``; sessions that expired before ``now`` are deleted on the way, so
        the table holds live sessions (and revoked ones until they would have expired)."""
        t = schema.ui_sessions
        with _database(), write(self.engine) as conn:
            conn.execute(t.delete().where(t.c.expires_at < now))
            conn.execute(
                t.insert().values(
                    id_sha256=record.id_sha256,
                    key_id=record.key_id,
                    role=record.role,
                    created_at=record.created_at,
                    expires_at=record.expires_at,
                    revoked_at=None,
                )
            )

    def get(self, id_sha256: str) -> SessionRecord | None:
        t = schema.ui_sessions
        with _database(), self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id_sha256 == id_sha256)).first()
        return None if row is None else _record(row)

    def revoke(self, id_sha256: str, *, now: datetime) -> bool:
        """End one session; True when it was live."""
        t = schema.ui_sessions
        with _database(), write(self.engine) as conn:
            done = conn.execute(
                t.update()
                .where(t.c.id_sha256 == id_sha256, t.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        return done.rowcount > 0

    def live(self, key_id: str, *, now: datetime) -> list[SessionRecord]:
        """The sessions of ``key_id`` that neither expired nor were revoked."""
        t = schema.ui_sessions
        query = sa.select(t).where(
            t.c.key_id == key_id, t.c.revoked_at.is_(None), t.c.expires_at > now
        )
        with _database(), self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(query)]


def revoke_for_key(conn: sa.Connection, key_id: str, now: datetime) -> None:
    """End every session of ``key_id``, inside the caller's transaction (the key's revocation)."""
    t = schema.ui_sessions
    conn.execute(
        t.update().where(t.c.key_id == key_id, t.c.revoked_at.is_(None)).values(revoked_at=now)
    )


def _utc(value: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were written in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _record(row: Any) -> SessionRecord:
    return SessionRecord(
        id_sha256=row.id_sha256,
        key_id=row.key_id,
        role=row.role,
        created_at=_utc(row.created_at),
        expires_at=_utc(row.expires_at),
        revoked_at=None if row.revoked_at is None else _utc(row.revoked_at),
    )
