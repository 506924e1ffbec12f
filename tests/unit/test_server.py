"""``Server``: what a pasarela process runs, started and stopped in order, on real SQLite, a
real writer process and a real model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pasarela.api.app import create_app
from pasarela.control.endpoints import put_endpoint
from pasarela.control.workspace import open_registry
from pasarela.server import Server
from pasarela.settings import Settings
from pasarela.types import RequestContext

pytestmark = pytest.mark.anyio


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A home with ``sums@1`` served by the endpoint ``sums``."""
    settings = Settings(home=tmp_path / "home", snapshot_poll_s=0.2)
    registry = open_registry(settings)
    registry.register("sums", kind="python", entrypoint="pasarela.testing:row_sums")
    put_endpoint(registry, "sums", ["sums@1"])
    registry.engine.dispose()
    return settings


class Calls:
    """Wraps some methods of the server's pieces to note, in order, when each is called; the
    real method still runs."""

    def __init__(self, server: Server) -> None:
        self.order: list[str] = []
        assert server.writer is not None and server.journal is not None
        pieces: dict[str, tuple[Any, str]] = {
            "writer.start": (server.writer, "start"),
            "writer.stop": (server.writer, "stop"),
            "dataplane.start": (server.dataplane, "start"),
            "dataplane.stop": (server.dataplane, "stop"),
            "events.flush": (server.events, "flush"),
            "limiter.close": (server.limiter, "close"),
            "journal.close": (server.journal, "close"),
            "engine.dispose": (server.engine, "dispose"),
        }
        for name, (owner, method) in pieces.items():
            setattr(owner, method, self._noting(name, getattr(owner, method)))

    def _noting(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.order.append(name)
            return method(*args, **kwargs)

        return call

    def count(self, name: str) -> int:
        return self.order.count(name)


async def test_start_runs_writer_data_plane_then_jobs_and_stop_undoes_it_in_reverse(
    settings: Settings,
) -> None:
    server = Server(settings)
    calls = Calls(server)
    await server.start()
    try:
        assert calls.order == ["writer.start", "dataplane.start"]
        assert server.dataplane.ready
        assert server.writer is not None and server.writer.process is not None
        assert server.writer.process.returncode is None  # the writer process runs
        jobs = sorted(task.get_name() for task in server._jobs)
        assert jobs == ["controllers", "incident-watch", "security-events"]
        assert not any(task.done() for task in server._jobs)
        answer = await server.dataplane.predict(RequestContext("r1", "sums"), [[1, 2], [3, 4]])
        assert answer.outputs == [3.0, 7.0]
    finally:
        await server.stop()
    # Jobs first (the flush job's last flush), then the data plane, what it counted, the
    # limiter, the writer, the journal it reads, and the engine last.
    assert calls.order[2:] == [
        "events.flush",
        "dataplane.stop",
        "events.flush",
        "limiter.close",
        "writer.stop",
        "journal.close",
        "engine.dispose",
    ]
    assert all(task.done() for task in server._jobs)
    assert not server.dataplane.ready
    assert server.writer.process.returncode is not None


async def test_stop_after_a_failed_start_releases_what_had_started(settings: Settings) -> None:
    server = Server(settings)
    calls = Calls(server)
    real_start = server.dataplane.start

    async def broken_start() -> None:
        await real_start()  # loaded its models and started polling, then something failed
        raise RuntimeError("the data plane could not start")

    server.dataplane.start = broken_start  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="could not start"):
        await server.start()
    assert server._jobs == []  # the jobs never ran
    await server.stop()
    assert calls.order == [
        "writer.start",
        "dataplane.start",
        "dataplane.stop",
        "events.flush",
        "limiter.close",
        "writer.stop",
        "journal.close",
        "engine.dispose",
    ]
    assert server.writer is not None and server.writer.process is not None
    assert server.writer.process.returncode is not None  # no writer process left behind
    assert not server.dataplane.ready  # it had loaded its snapshot: stopped all the same


async def test_stop_before_the_writer_started_stops_no_data_plane(settings: Settings) -> None:
    server = Server(settings)
    calls = Calls(server)
    assert server.writer is not None

    async def broken_start() -> None:
        raise OSError("cannot spawn the writer")

    server.writer.start = broken_start  # type: ignore[method-assign]
    with pytest.raises(OSError, match="cannot spawn"):
        await server.start()
    await server.stop()
    assert "dataplane.stop" not in calls.order
    assert calls.order[-2:] == ["journal.close", "engine.dispose"]


async def test_a_second_stop_does_nothing(settings: Settings) -> None:
    server = Server(settings)
    calls = Calls(server)
    await server.start()
    await server.stop()
    stopped = list(calls.order)
    await server.stop()
    assert calls.order == stopped
    assert calls.count("engine.dispose") == 1 and calls.count("writer.stop") == 1


async def test_the_app_stops_its_server_when_the_start_fails(settings: Settings) -> None:
    app = create_app(settings)
    server: Server = app.state.server
    calls = Calls(server)

    async def broken_start() -> None:
        raise RuntimeError("no snapshot")

    server.dataplane.start = broken_start  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="no snapshot"):
        async with app.router.lifespan_context(app):
            pytest.fail("the app served without a data plane")
    assert calls.order[-1] == "engine.dispose" and "writer.stop" in calls.order


async def test_a_plain_server_without_records_or_jobs_starts_and_stops(
    settings: Settings,
) -> None:
    plain = settings.model_copy(update={"records": False, "controller": False, "incidents": False})
    server = Server(plain)
    assert server.writer is None and server.journal is None and server.recorder is None
    await server.start()
    try:
        assert [task.get_name() for task in server._jobs] == ["security-events"]
        answer = await server.dataplane.predict(RequestContext("r1", "sums"), [[1, 2]])
        assert answer.outputs == [3.0]
    finally:
        await server.stop()
    assert all(task.done() for task in server._jobs)
