"""API keys in the SQL database: created, listed, revoked; only the secret's SHA-256 is kept.

Every change bumps the control-plane revision (servers pick the new key set up with their
next snapshot) and appends an audit entry in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa

from pasarela.errors import NotFound
from pasarela.storage import audit, schema
from pasarela.storage.db import write
from pasarela.storage.sessions import revoke_for_key

KeyState = Literal["active", "expired", "revoked"]


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A stored key, without its secret."""

    id: str
    secret_sha256: str
    name: str
    role: str
    endpoints: tuple[str, ...] | None
    rate_limit: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime | None = None) -> KeyState:
        """Whether the key opens doors ``now``: revoked wins over expired (revocation is the
        deliberate act); expired from ``expires_at`` on, the instant ``KeyRing.check`` starts
        refusing it. A key made with ``expires_in_days=1`` reads ``"expired"`` a day later."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and (now or datetime.now(UTC)) >= self.expires_at:
            return "expired"
        return "active"

    def to_json(self, now: datetime | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "endpoints": None if self.endpoints is None else list(self.endpoints),
            "rate_limit": self.rate_limit,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "state": self.state(now),
        }


class KeyRepository:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def add(self, record: KeyRecord) -> None:
        with write(self.engine) as conn:
            conn.execute(
                schema.api_keys.insert().values(
                    id=record.id,
                    secret_sha256=record.secret_sha256,
                    name=record.name,
                    role=record.role,
                    endpoints=None if record.endpoints is None else list(record.endpoints),
                    rate_limit=record.rate_limit,
                    created_by=record.created_by,
                    created_at=record.created_at,
                    expires_at=record.expires_at,
                    revoked_at=None,
                )
            )
            audit.append(
                conn,
                actor=record.created_by,
                action="key.create",
                target=record.id,
                detail={
                    "name": record.name,
                    "role": record.role,
                    "endpoints": record.endpoints,
                    "expires_at": record.expires_at.isoformat() if record.expires_at else None,
                },
            )
            _bump(conn)

    def get(self, key_id: str) -> KeyRecord:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(schema.api_keys).where(schema.api_keys.c.id == key_id)
            ).first()
        if row is None:
            raise NotFound(f"no key {key_id!r}", code="key_not_found")
        return _record(row)

    def list(self) -> list[KeyRecord]:
        t = schema.api_keys
        with self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(sa.select(t).order_by(t.c.created_at))]

    def count(self) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(sa.func.count()).select_from(schema.api_keys))
            return int(found.scalar_one())

    def revoke(self, key_id: str, *, actor: str) -> KeyRecord:
        t = schema.api_keys
        with write(self.engine) as conn:
            row = conn.execute(sa.select(t).where(t.c.id == key_id)).first()
            if row is None:
                raise NotFound(f"no key {key_id!r}", code="key_not_found")
            if row.revoked_at is None:
                conn.execute(t.update().where(t.c.id == key_id).values(revoked_at=_now()))
                revoke_for_key(conn, key_id, _now())  # its dashboard sessions end with it
                audit.append(conn, actor=actor, action="key.revoke", target=key_id, detail={})
                _bump(conn)
            row = conn.execute(sa.select(t).where(t.c.id == key_id)).one()
        return _record(row)


def _bump(conn: sa.Connection) -> None:
    r = schema.control_revision
    conn.execute(r.update().where(r.c.id == 1).values(revision=r.c.revision + 1))


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; they were written in UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _record(row: Any) -> KeyRecord:
    return KeyRecord(
        id=row.id,
        secret_sha256=row.secret_sha256,
        name=row.name,
        role=row.role,
        endpoints=None if row.endpoints is None else tuple(row.endpoints),
        rate_limit=row.rate_limit,
        created_by=row.created_by,
        created_at=_utc(row.created_at) or _now(),
        expires_at=_utc(row.expires_at),
        revoked_at=_utc(row.revoked_at),
    )
