"""Leadership on PostgreSQL when its connection dies under it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pasarela.control.leader import Leadership
from pasarela.storage.db import create_engine


@pytest.fixture
def engine(postgres_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


def test_a_leader_whose_connection_died_lets_go_quietly(engine: sa.Engine, tmp_path: Path) -> None:
    """The lock went with the connection; releasing it cannot fail the jobs loop (storage
    translates the driver's error, the leader ignores it) and another server leads."""
    first = Leadership(engine, tmp_path / "leader.lock")
    second = Leadership(engine, tmp_path / "leader.lock")
    try:
        assert first.acquire() and not second.acquire()
        assert first._connection is not None
        pid = first._connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as admin:
            # waits (up to 5 s) until the backend is gone, so the release below meets it dead
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        first.release()  # the unlock fails on the dead connection: no error escapes
        assert not first.held
        assert second.acquire()
    finally:
        first.release()
        second.release()
