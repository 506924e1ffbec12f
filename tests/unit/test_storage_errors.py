"""SQLAlchemy's errors stop at storage: ``storage_errors`` raises ``StorageUnavailable`` in their
place, with the driver's first line and never the statement's parameters."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import typer
from fastapi import FastAPI

import pasarela
from pasarela.api.app import _install_error_handlers
from pasarela.cli.common import reports_errors
from pasarela.errors import DataRejected, StorageUnavailable, Unavailable
from pasarela.storage.db import create_engine, storage_error, storage_errors
from pasarela.storage.incidents import IncidentRepository
from pasarela.types import Condition


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    """A database with no tables: every query of pasarela's fails as a missing schema does."""
    return create_engine(f"sqlite:///{tmp_path / 'empty.db'}")


def failing_insert(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_log (actor) VALUES (:actor)"), {"actor": "pk_0s"})


def test_a_database_error_becomes_storage_unavailable_with_the_drivers_line(
    engine: sa.Engine,
) -> None:
    with pytest.raises(StorageUnavailable) as caught, storage_errors():
        failing_insert(engine)
    error = caught.value
    assert error.message == "no such table: audit_log"
    assert error.code == "database_error" and error.retry_after == 5
    assert isinstance(error, Unavailable)
    assert isinstance(error.__cause__, sa.exc.OperationalError)
    assert "pk_0s" not in str(error) and "INSERT" not in str(error)


def test_as_a_decorator_it_translates_each_call(engine: sa.Engine) -> None:
    calls = []

    @storage_errors()
    def store(n: int) -> None:
        calls.append(n)
        failing_insert(engine)

    for n in (1, 2):
        with pytest.raises(StorageUnavailable):
            store(n)
    assert calls == [1, 2]


def test_other_errors_pass_through_untouched() -> None:
    rejected = DataRejected("the database refused a record")
    with pytest.raises(DataRejected) as caught, storage_errors():
        raise rejected
    assert caught.value is rejected
    with pytest.raises(KeyError), storage_errors():
        raise KeyError("not the database's")
    assert storage_error(KeyError("x")) is None


def test_storage_error_translates_one_escaped_error() -> None:
    found = storage_error(sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused")))
    assert isinstance(found, StorageUnavailable) and found.message == "connection refused"


def test_the_incident_repository_raises_our_error_when_the_database_fails(
    engine: sa.Engine,
) -> None:
    repo = IncidentRepository(engine)
    seen = [Condition("endpoint:e", "errors", "P2", "error rate 50 %")]
    with pytest.raises(StorageUnavailable, match="no such table"):
        repo.observe(seen, datetime.now(UTC), clear_s=60)


def test_the_cli_reports_an_escaped_database_error_on_one_line(
    engine: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    @reports_errors
    def command() -> None:
        failing_insert(engine)

    with pytest.raises(typer.Exit) as exited:
        command()
    assert exited.value.exit_code == 1
    err = capsys.readouterr().err
    assert err.strip() == "error [database_error] no such table: audit_log"


@pytest.mark.anyio
async def test_the_api_answers_it_as_an_unreachable_database_naming_no_host() -> None:
    app = FastAPI()
    _install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise StorageUnavailable("connection to server at 10.0.0.7 failed")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        reply = await client.get("/boom")
    assert reply.status_code == 503 and reply.headers["retry-after"] == "5"
    error = reply.json()["error"]
    assert error["code"] == "database_unavailable" and "10.0.0.7" not in reply.text


KEPT: dict[str, str] = {}
"""Modules outside ``storage/`` that still name SQLAlchemy's error base, each with why."""


def test_nothing_above_storage_catches_sqlalchemys_errors() -> None:
    root = Path(pasarela.__file__).parent
    naming = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("storage/"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
            if name == "SQLAlchemyError" or (
                isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy.exc"
            ):
                naming.add(relative)
    assert naming == set(KEPT)
