"""Engine creation and migrations for SQLite (embedded) and PostgreSQL (shared)."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa

from pasarela.errors import ConfigurationError, StorageUnavailable, Unavailable
from pasarela.private_files import PRIVATE_FILE_MODE, narrow, private_file

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).parent / "migrations"


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite files get WAL mode, foreign keys and a busy timeout.

    Its errors never carry their statement's parameters (``hide_parameters``): they hold
    subject ids and payloads, and error texts end up in logs."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if url.startswith("sqlite"):
            database = sa.make_url(url).database
            if database and database != ":memory:" and not database.startswith("file:"):
                # 0600 before SQLite opens it: its -wal, -shm and -journal copy its mode
                private_file(Path(database))
                for companion in ("-wal", "-shm", "-journal"):
                    narrow(Path(database + companion))
            engine = sa.create_engine(
                url,
                connect_args={"timeout": 30},
                json_serializer=_json_dumps,
                hide_parameters=True,
            )
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return sa.create_engine(
            url, pool_pre_ping=True, json_serializer=_json_dumps, hide_parameters=True
        )
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigurationError(f"cannot use database URL: {exc}") from exc


_AFTER_COMMIT = "pasarela.after_commit"


@contextmanager
def write(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE): a
    read-then-write transaction could otherwise race another writer to the same rows. What
    ``after_commit`` registered runs once it has committed."""
    callbacks: dict[str, Callable[[], None]] = {}
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        # conn.info outlives this checkout (it belongs to the pooled connection), and after
        # an outage conn.info may not be reachable any more: hold the dict itself
        info = conn.info
        info[_AFTER_COMMIT] = callbacks
        try:
            yield conn
        finally:
            info.pop(_AFTER_COMMIT, None)
    for callback in callbacks.values():
        callback()


def after_commit(conn: sa.Connection, key: str, callback: Callable[[], None]) -> bool:
    """Run ``callback`` once ``conn``'s ``write`` transaction has committed — never if it rolls
    back; a later callback under the same ``key`` replaces it. False (and nothing runs) when
    ``conn`` is not in a ``write`` transaction."""
    callbacks = conn.info.get(_AFTER_COMMIT)
    if callbacks is None:
        return False
    callbacks[key] = callback
    return True


def database_problem(exc: BaseException) -> str:
    """The driver's first line about a database error (``connection refused …``), for one-line
    logs and messages: SQLAlchemy's own text adds the statement and a link."""
    cause = getattr(exc, "orig", None) or exc
    return (str(cause).splitlines() or [type(cause).__name__])[0]


@contextmanager
def storage_errors() -> Iterator[None]:
    """SQLAlchemy's errors raised inside, as ``StorageUnavailable`` with the driver's first
    line: the boundary past which nothing above ``storage/`` sees SQLAlchemy (as httpx's
    ``map_httpcore_exceptions`` does for httpcore). Also a decorator. Example::

        @storage_errors()
        def observe(self, ...): ...

        with storage_errors():
            write(items)  # an injected storage function
    """
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        raise StorageUnavailable(database_problem(exc)) from exc


def storage_error(exc: BaseException) -> StorageUnavailable | None:
    """``exc`` as ``StorageUnavailable`` when it is the database's, else None: for a
    process's last-resort handler (the CLI's), which cannot wrap every storage call."""
    if isinstance(exc, sa.exc.SQLAlchemyError):
        return StorageUnavailable(database_problem(exc))
    return None


class OutageLog:
    """One warning when the database goes away and one line when it is back, however many
    polls fail in between (a poll a second would otherwise fill the log). Example::

        outage = OutageLog(log, "snapshot refresh works again")
        outage.failed("snapshot refresh failed (%s)", database_problem(exc))  # logged once
        outage.succeeded()  # logs "snapshot refresh works again" after a failure
    """

    def __init__(self, logger: logging.Logger, back: str) -> None:
        self.logger = logger
        self.back = back
        self.down = False

    def failed(self, message: str, *args: object) -> None:
        if not self.down:
            self.down = True
            self.logger.warning(message, *args)

    def succeeded(self) -> None:
        if self.down:
            self.down = False
            self.logger.info(self.back)


UNREACHABLE: tuple[type[sa.exc.SQLAlchemyError], ...] = (
    sa.exc.OperationalError,  # refused, cut, timed out; SQLite's "database is locked"
    sa.exc.InterfaceError,  # a connection the driver already knows is broken
    sa.exc.TimeoutError,  # no connection free in the pool
)
"""The database errors that mean "not now" rather than "not this": a retry may succeed."""


def unavailable(exc: BaseException) -> Unavailable:
    """What an ``UNREACHABLE`` error means to a caller: a coded, retryable refusal. The
    message names no host, statement or parameter (``database_problem`` is for the logs)."""
    return Unavailable(
        "the database is unavailable; retry shortly", code="database_unavailable", retry_after=5
    )


def upsert_insert(engine: sa.Engine | sa.Connection, table: sa.Table) -> Any:
    """An INSERT with ``on_conflict_do_nothing`` / ``on_conflict_do_update`` for the engine's
    dialect (SQLite and PostgreSQL spell them alike)."""
    # Imported here: the dialects cost every CLI command 50 ms that most never use.
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _json_dumps(value: Any) -> str:
    # orjson: records carry payloads, and the stdlib encoder is the writer's slowest step.
    return orjson.dumps(value).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(engine: sa.Engine) -> Config:
    from alembic.config import Config  # imported here: the record writer never migrates

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


# Any fixed number: the PostgreSQL advisory lock that serialises migrations across processes.
_MIGRATION_LOCK_KEY = 0x7061_7361

SCHEMA_KEY = "hashtext(current_schema())"
"""The second key of every advisory lock pasarela takes on PostgreSQL: deployments (and test
runs) that share a database in separate schemas never wait on each other's locks."""


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``. Idempotent, and safe when several processes start
    at once on the same database: they take turns (a file lock for SQLite, an advisory lock for
    PostgreSQL), and the later ones find nothing left to do."""
    if revision == "head" and at_head(engine):
        return  # the common case, e.g. every CLI command: no need to import Alembic (0.2 s)
    from alembic import command

    with _migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    """The newest migration's revision, read from the file names: each ``versions/NNNN_….py``
    declares ``revision = "NNNN"`` (a contract test holds
    them to it: test_head_check_reads_alembic_version_without_alembic)."""
    return max(p.name.partition("_")[0] for p in (_MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def at_head(engine: sa.Engine) -> bool:
    """Whether the schema is already at the newest migration (False when it has none yet)."""
    try:
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
            return list(stored) == [head_revision()]
    except sa.exc.DBAPIError:  # no alembic_version table: a new database
        return False


@contextmanager
def _migration_lock(engine: sa.Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(
                sa.text(f"SELECT pg_advisory_lock(:key, {SCHEMA_KEY})"),
                {"key": _MIGRATION_LOCK_KEY},
            )
            conn.commit()
            try:
                yield
            finally:
                conn.execute(
                    sa.text(f"SELECT pg_advisory_unlock(:key, {SCHEMA_KEY})"),
                    {"key": _MIGRATION_LOCK_KEY},
                )
                conn.commit()
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    fd = os.open(f"{database}.migrate-lock", os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def current_revision(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
