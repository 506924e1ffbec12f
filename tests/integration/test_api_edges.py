"""Numbers no column can hold and a database that is away: coded answers at the door (422,
503), never a 500 and a traceback; and the leader's jobs log an outage once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.control.bandit import BanditController
from pasarela.control.canary import CanaryController
from pasarela.control.jobs import run_jobs
from pasarela.control.leader import Leadership
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from pasarela.storage.audit import AuditRepository
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.incidents import IncidentRepository
from pasarela.telemetry.incidents import IncidentWatch
from pasarela.telemetry.security_events import SecurityEvents
from pasarela.types import Condition
from tests.chaos.outages import proxied_postgres

pytestmark = pytest.mark.anyio

QUIET = {"controller": False, "incidents": False, "records": False}


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """An app on SQLite, then on PostgreSQL (where an INTEGER column holds 32 bits)."""
    app = create_app(Settings(home=tmp_path / "home", database_url=database_url, **QUIET))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


@pytest.mark.parametrize(
    ("method", "path", "words"),
    [
        ("GET", f"/admin/incidents/{2**64}", "incident_id must be an integer from 1 to 2147483647"),
        ("GET", f"/admin/incidents/{2**31}", "incident_id must be an integer from 1 to"),
        ("GET", "/admin/incidents/-1", "incident_id must be an integer from 1 to"),
        ("POST", f"/admin/incidents/{2**63}/acknowledge", "incident_id must be an integer"),
        ("GET", f"/admin/audit?since_seq={2**63}", "since_seq must be an integer from 1 to 9223"),
        ("GET", f"/admin/audit?since_seq={-(2**63) - 1}", "since_seq must be an integer from 1"),
        ("GET", "/admin/audit?since_seq=0", "since_seq must be an integer from 1"),
        ("GET", f"/admin/endpoints/e?revision={2**63}", "revision must be an integer from 1"),
    ],
)
async def test_integers_out_of_their_column_are_refused_at_the_door(
    client: httpx.AsyncClient, method: str, path: str, words: str
) -> None:
    reply = await client.request(method, path)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "out_of_range"
    assert words in reply.json()["error"]["message"]


async def test_in_range_ids_still_find_nothing_or_something(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"/admin/incidents/{2**31 - 1}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "incident_not_found"
    audit = await client.get(f"/admin/audit?since_seq={2**63 - 1}")
    assert audit.status_code == 200 and audit.json() == {"entries": []}
    undo = await client.post("/admin/endpoints/e/rollout/undo", json={"revision": 2**63})
    assert undo.status_code == 422 and undo.json()["error"]["code"] == "out_of_range"


@pytest.mark.parametrize("days", [1e9, 36_500.5, 0, -1])
async def test_a_key_expiry_beyond_a_century_is_refused(
    client: httpx.AsyncClient, days: float
) -> None:
    body = {"name": "forever", "role": "client", "expires_in_days": days}
    reply = await client.post("/admin/keys", json=body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"]["code"] == "out_of_range"
    assert "at most 36500" in reply.json()["error"]["message"]


@pytest.mark.parametrize("incident_id", ["²", "١", str(2**64), "9" * 5000, "0"])
async def test_the_incident_page_answers_404_for_ids_no_incident_has(
    client: httpx.AsyncClient, incident_id: str
) -> None:
    reply = await client.get(f"/ui/incidents/{incident_id}")
    assert reply.status_code == 404
    assert "Incident not found" in reply.text


async def test_admin_routes_answer_a_coded_503_while_the_database_is_away(
    postgres_url: str, tmp_path: Path
) -> None:
    proxy, url = proxied_postgres(postgres_url)
    app: PasarelaAPI = create_app(Settings(home=tmp_path / "home", database_url=url, **QUIET))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/admin/compliance")).status_code == 200
            proxy.down()
            try:
                for path in ("/admin/compliance", "/admin/incidents", "/admin/audit"):
                    reply = await client.get(path)
                    assert reply.status_code == 503, (path, reply.text)
                    assert reply.headers["retry-after"] == "5"
                    error = reply.json()["error"]
                    assert error["code"] == "database_unavailable"
                    assert "127.0.0.1" not in error["message"]  # no host, no statement
            finally:
                proxy.up()
            assert (await client.get("/admin/compliance")).status_code == 200
    proxy.down()


class CountingLeadership(Leadership):
    """Leadership that runs ``at[n]`` before its n-th check and stops the jobs after
    ``rounds`` checks: the test's timeline in rounds, not seconds."""

    def __init__(
        self, *args: object, rounds: int, stop: asyncio.Event, at: dict[int, Any] | None = None
    ) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.rounds = rounds
        self.stop = stop
        self.at = at or {}
        self.checks = 0

    def acquire(self) -> bool:
        self.checks += 1
        if self.checks in self.at:
            self.at[self.checks]()
        if self.checks >= self.rounds:
            self.stop.set()
        return super().acquire()


def job_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "pasarela.control.jobs"]


async def test_the_jobs_log_one_line_per_outage(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Canary and bandit ticks failing every round while the database is away: one warning
    when it goes, one line when it is back, no traceback."""
    proxy, url = proxied_postgres(postgres_url)
    settings = Settings(home=tmp_path / "home", database_url=url)
    registry = open_registry(settings)
    ticks = [CanaryController(registry).tick, BanditController(registry).tick]
    stop = asyncio.Event()
    # Leader from round 1 by a file lock (PostgreSQL's advisory lock is one per server, and
    # other tests' servers may hold it); the database goes at round 3 and is back at round 9.
    timeline = {3: proxy.down, 9: proxy.up}
    lock_engine = create_engine(f"sqlite:///{tmp_path / 'leader.db'}")
    leader = CountingLeadership(
        lock_engine, tmp_path / "leader.lock", rounds=12, stop=stop, at=timeline
    )
    try:
        with caplog.at_level(logging.INFO, logger="pasarela.control.jobs"):
            await run_jobs(ticks, 0.001, stop, leader)
    finally:
        registry.engine.dispose()
        lock_engine.dispose()
        proxy.down()
    lines = job_lines(caplog)
    assert all(r.exc_info is None for r in lines)
    assert [r.levelname for r in lines] == ["WARNING", "INFO"], [r.getMessage() for r in lines]
    assert "CanaryController.tick failed, the database is unavailable" in lines[0].getMessage()
    assert "the database is back" in lines[1].getMessage()


async def test_an_unreachable_leadership_check_logs_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    stop = asyncio.Event()
    leader = CountingLeadership(engine, tmp_path / "leader.lock", rounds=5, stop=stop)
    ran: list[int] = []
    with caplog.at_level(logging.INFO, logger="pasarela.control.jobs"):
        await run_jobs([lambda: ran.append(1)], 0.001, stop, leader)
    engine.dispose()
    lines = job_lines(caplog)
    assert leader.checks == 5 and ran == []
    assert [(r.levelname, r.exc_info) for r in lines] == [("WARNING", None)]
    assert "leadership check" in lines[0].getMessage()


def test_security_events_kept_through_an_outage_log_no_actor(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SQLAlchemy's text of a failed INSERT carries its parameters: the actors (key ids)."""
    events = SecurityEvents(AuditRepository(create_engine("sqlite://")))
    events.record("pk_secret01", "request.denied", "GET /admin/keys", "forbidden")

    def locked(items: object) -> None:
        raise sa.exc.OperationalError(
            "INSERT INTO audit_log (actor) VALUES (?)", ("pk_secret01",), Exception("locked")
        )

    assert "pk_secret01" in str(sa.exc.OperationalError("x", ("pk_secret01",), Exception()))
    with caplog.at_level(logging.WARNING, logger="pasarela.telemetry.security_events"):
        assert events.flush(write=locked) == 0
    (line,) = [r.getMessage() for r in caplog.records]
    assert line == "security events not written yet (1 kept): locked"


async def test_the_snapshot_poll_logs_one_line_per_outage(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A poll every 10 ms against a database that is away: one warning, then one line when it
    is back (it was a warning per poll)."""
    proxy, url = proxied_postgres(postgres_url)
    settings = Settings(home=tmp_path / "home", database_url=url, snapshot_poll_s=0.01, **QUIET)
    app = create_app(settings)
    polls = 0
    try:
        with caplog.at_level(logging.INFO, logger="pasarela.serving.dataplane"):
            async with app.router.lifespan_context(app):
                dataplane = app.state.dataplane
                refresh = dataplane.refresh

                async def counted() -> None:
                    nonlocal polls
                    polls += 1
                    await refresh()

                dataplane.refresh = counted
                proxy.down()
                while polls < 10:  # the polls fail while the database is away
                    await asyncio.sleep(0.01)
                proxy.up()
                back = polls
                while polls < back + 10:
                    await asyncio.sleep(0.01)
    finally:
        proxy.down()
    lines = [r for r in caplog.records if "snapshot refresh" in r.getMessage()]
    assert [r.levelname for r in lines] == ["WARNING", "INFO"], [r.getMessage() for r in lines]
    assert "still serving revision" in lines[0].getMessage()
    assert lines[1].getMessage() == "snapshot refresh works again"


async def test_the_incident_watch_logs_one_line_per_outage(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    proxy, url = proxied_postgres(postgres_url)
    engine = create_engine(url)
    upgrade(engine)
    ticks = 0
    stop = asyncio.Event()

    def local() -> list[Condition]:
        """Called once per tick: the test's timeline, in ticks."""
        nonlocal ticks
        ticks += 1
        if ticks == 3:
            proxy.down()
        if ticks == 12:
            proxy.up()
        if ticks == 16:
            stop.set()
        return []

    watch = IncidentWatch(
        IncidentRepository(engine), local, dict, [], clear_s=60, canary_hold_s=900
    )
    try:
        with caplog.at_level(logging.INFO, logger="pasarela.telemetry.incidents"):
            await watch.run(stop, 0.001)
    finally:
        proxy.down()
        engine.dispose()
    lines = [r for r in caplog.records if r.name == "pasarela.telemetry.incidents"]
    assert [r.levelname for r in lines] == ["WARNING", "INFO"], [r.getMessage() for r in lines]
    assert lines[0].getMessage().startswith("incident watch: report failed (")
    assert lines[1].getMessage() == "incident watch: reporting again"
