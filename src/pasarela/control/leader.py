"""Leadership: of all the servers on one database, one runs the background jobs.

On PostgreSQL the leader holds a session advisory lock on a connection of its own (the lock
goes when the process or its connection dies); on SQLite, where every server shares one
machine, an exclusive lock on a file beside the database does the same.
"""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from pasarela.errors import StorageUnavailable
from pasarela.private_files import private_dir
from pasarela.storage.db import SCHEMA_KEY, storage_errors

_LOCK_ID = 0x7061_736C  # "pasl"; not the migration lock's key (storage.db)


class Leadership:
    """Try to become the leader without waiting; ``release`` lets another take over.

    Example::

        leader = Leadership(engine, home / "leader.lock")
        if leader.acquire(): ...
    """

    def __init__(self, engine: sa.Engine, lock_file: Path) -> None:
        self.engine = engine
        self.lock_file = lock_file
        self._connection: sa.Connection | None = None
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def acquire(self) -> bool:
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            connection = self.engine.connect()
            got = connection.execute(
                sa.text(f"SELECT pg_try_advisory_lock(:key, {SCHEMA_KEY})"), {"key": _LOCK_ID}
            ).scalar_one()
            connection.commit()
            if got:
                self._connection = connection
            else:
                connection.close()
            return bool(got)
        private_dir(self.lock_file.parent)
        handle = self.lock_file.open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._connection is not None:
            # a connection that is gone has lost its lock already: closing it is all that is left
            with contextlib.suppress(StorageUnavailable), storage_errors():
                self._connection.execute(
                    sa.text(f"SELECT pg_advisory_unlock(:key, {SCHEMA_KEY})"), {"key": _LOCK_ID}
                )
            self._connection.close()
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
