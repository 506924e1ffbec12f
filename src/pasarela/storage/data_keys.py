"""Data keys in the SQL database, each wrapped by the master key (which is never stored here).

Adding a key makes it the active one, in one transaction with its audit entry and a
control-plane revision bump, so every server starts sealing with it at its next snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from pasarela.storage import audit, schema
from pasarela.storage.db import write


@dataclass(frozen=True, slots=True)
class DataKeyRecord:
    id: str
    wrapped: str
    active: bool
    created_at: datetime
    created_by: str


class DataKeyRepository:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def list(self) -> list[DataKeyRecord]:
        t = schema.data_keys
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t).order_by(t.c.created_at))
            return [
                DataKeyRecord(r.id, r.wrapped, bool(r.active), r.created_at, r.created_by)
                for r in rows
            ]

    def add(self, key_id: str, wrapped: str, *, actor: str) -> None:
        t = schema.data_keys
        with write(self.engine) as conn:
            conn.execute(t.update().values(active=False))
            conn.execute(
                t.insert().values(
                    id=key_id,
                    wrapped=wrapped,
                    active=True,
                    created_at=datetime.now(UTC),
                    created_by=actor,
                )
            )
            audit.append(conn, actor=actor, action="data_key.rotate", target=key_id, detail={})
            r = schema.control_revision
            conn.execute(r.update().where(r.c.id == 1).values(revision=r.c.revision + 1))
