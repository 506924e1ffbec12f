"""Engine creation and migrations for SQLite (embedded) and PostgreSQL (shared)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from pasarela.errors import ConfigurationError, Unavailable

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).parent / "migrations"


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url``; SQLite files get WAL mode, foreign keys and a busy timeout."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if url.startswith("sqlite"):
            database = sa.make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(
                url, connect_args={"timeout": 30}, json_serializer=_json_dumps
            )
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return sa.create_engine(url, pool_pre_ping=True, json_serializer=_json_dumps)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigurationError(f"cannot use database URL: {exc}") from exc


@contextmanager
def write(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE): a
    read-then-write transaction could otherwise race another writer to the same rows."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def database_problem(exc: BaseException) -> str:
    """The driver's first line about a database error (``connection refused …``), for one-line
    logs and messages: SQLAlchemy's own text adds the statement and a link."""
    cause = getattr(exc, "orig", None) or exc
    return (str(cause).splitlines() or [type(cause).__name__])[0]


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


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision``. Idempotent, and safe when several processes start
    at once on the same database: they take turns (a file lock for SQLite, an advisory lock for
    PostgreSQL), and the later ones find nothing left to do."""
    from alembic import command

    with _migration_lock(engine):
        command.upgrade(alembic_config(engine), revision)


@contextmanager
def _migration_lock(engine: sa.Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
                conn.commit()
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def current_revision(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
