"""The control plane's write transaction and its change counter.

Every change to versions, aliases, endpoints or rollouts runs in one ``control_change``
transaction, which also bumps ``control_revision``: serving processes notice any change with a
single cheap read of that counter (``read_revision``). Repositories of different nouns that
must commit together (an endpoint applied with its rollout state) share the connection it
yields.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa

from pasarela.storage import schema
from pasarela.storage.db import write


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@contextmanager
def control_change(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction (``storage.db.write``) that bumps the change counter as it ends.

    Example::

        with control_change(engine) as conn:
            conn.execute(schema.endpoints.delete().where(...))
    """
    with write(engine) as conn:
        yield conn
        bump_revision(conn)


def bump_revision(conn: sa.Connection) -> None:
    r = schema.control_revision
    conn.execute(r.update().where(r.c.id == 1).values(revision=r.c.revision + 1))


def read_revision(engine: sa.Engine) -> int:
    """A number that grows with every control-plane change."""
    r = schema.control_revision
    with engine.connect() as conn:
        return int(conn.execute(sa.select(r.c.revision).where(r.c.id == 1)).scalar_one())
