"""Chaos on a real ``pasarela serve`` whose request records wait in a small local journal (the
spool, ``PASARELA_SPOOL_MAX_BYTES`` = 1 MiB) while PostgreSQL is gone: big requests keep coming
until the journal is full, then the database comes back.

What the clients see (and what the test asserts):

- Every prediction is answered (200), before, during and after the outage, full journal or not:
  a record that does not fit is dropped, never the request.
- The server says so: one error when the journal fills, one warning with the number dropped
  when it has room again.
- The journal's directory never holds more than its bound.
- Once the database is back, every record that was journaled arrives in it, and so do the
  records of requests answered after the outage: the records stored are fewer than the
  requests answered by exactly the number the server says it dropped.

PostgreSQL is reached through a ``TcpProxy``: taking it down refuses new connections and cuts
the open ones, without touching the machine's database server.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from pasarela.control.apply import apply_specs
from pasarela.control.manifest import parse_manifests
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from pasarela.storage.db import create_engine
from pasarela.storage.telemetry import TelemetryRepository
from tests.chaos.outages import proxied_postgres
from tests.e2e.conftest import ACTOR, pasarela_env, running_server, wait_for

pytestmark = pytest.mark.e2e

SPOOL_MAX_BYTES = 1024 * 1024  # the smallest bound the settings accept
TEXT = "lorem ipsum " * 250  # 3 000 characters in; the echo model sends them back out
OUTAGE_REQUESTS = 600  # a record of ~11 KiB each: six times the bound
BOOKKEEPING_BYTES = 64  # the checkpoint ("SEGMENT OFFSET") and empty lock files
DROPPED = re.compile(r"(\d+) records were dropped while it was full")


def journal_bytes(root: Path) -> int:
    """Everything under the journal's directory, lock and checkpoint files included."""
    total = 0
    for path in root.rglob("*"):
        try:
            total += path.stat().st_size if path.is_file() else 0
        except FileNotFoundError:  # a spent segment the writer just deleted
            continue
    return total


def test_a_full_spool_drops_records_never_requests(tmp_path: Path, postgres_url: str) -> None:
    proxy, proxied = proxied_postgres(postgres_url)
    home = tmp_path / "home"
    registry = open_registry(Settings(home=home, database_url=proxied))
    try:
        registry.register("talker", entrypoint="pasarela.testing:echo", actor=ACTOR)
        manifest = "name: talker\npolicy: {type: single, target: talker@1}\n"
        apply_specs(registry, parse_manifests(manifest), actor=ACTOR)
    finally:
        registry.engine.dispose()

    env = pasarela_env(
        home, PASARELA_DATABASE_URL=proxied, PASARELA_SPOOL_MAX_BYTES=str(SPOOL_MAX_BYTES)
    )
    engine = create_engine(postgres_url)
    repo = TelemetryRepository(engine)
    statuses: Counter[int] = Counter()
    largest = 0
    sampling = threading.Event()

    def sample() -> None:
        nonlocal largest
        while not sampling.is_set():
            largest = max(largest, journal_bytes(home / "journal"))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    try:
        with (
            running_server(env, tmp_path / "server.log") as server,
            httpx.Client(base_url=server.url, timeout=10) as http,
        ):

            def predict() -> None:
                body = {"inputs": [[TEXT]]}
                statuses[http.post("/v1/endpoints/talker/predict", json=body).status_code] += 1

            def reported_drops() -> list[str]:
                """Answer one more request; the drop counts the server has logged."""
                predict()
                return DROPPED.findall(server.log())

            sampler.start()
            for _ in range(20):
                predict()
            assert wait_for(lambda: repo.count_records("talker"), lambda n: n >= 20) == 20

            proxy.down()
            for _ in range(OUTAGE_REQUESTS):
                predict()
            during = statuses[200] - 20
            assert "is full" in server.log()
            spooled = journal_bytes(home / "journal")

            proxy.up()
            # Requests after the outage are recorded again once the writer has emptied the
            # journal; the first one after it is below half its bound reports the drops.
            dropped_lines = wait_for(reported_drops, bool, timeout_s=60)
            assert dropped_lines, "the journal never had room again after the outage"
            answered = statuses[200]
            stored = wait_for(
                lambda: repo.count_records("talker"),
                lambda n: n >= answered - int(dropped_lines[0]),
                timeout_s=30,
            )
            time.sleep(1)  # nothing more arrives than what the journal held
            stored = repo.count_records("talker")
            log = server.log()
            metrics = http.get("/metrics").text
    finally:
        sampling.set()
        if sampler.is_alive():
            sampler.join()
        proxy.down()
        engine.dispose()

    dropped = int(dropped_lines[0])
    print(
        f"\nspool bound {SPOOL_MAX_BYTES} B; {during} requests answered with the database down, "
        f"{answered} in all {dict(statuses)}; journal at most {largest} B ({spooled} B when the "
        f"database came back); {dropped} records dropped, {stored} stored"
    )
    assert set(statuses) == {200}, statuses  # not one request failed for the full journal
    # the segments stay within the bound; the checkpoint's few bytes sit beside them
    assert largest <= SPOOL_MAX_BYTES + BOOKKEEPING_BYTES
    assert log.count("is full") == 1 and len(dropped_lines) == 1, log
    assert 0 < dropped < during
    assert stored == answered - dropped  # every journaled record arrived, and only those
    counted = [
        line for line in metrics.splitlines() if line.startswith("pasarela_records_dropped_total")
    ]
    assert counted == [f"pasarela_records_dropped_total {float(dropped)}"]  # what /metrics says
