"""PostgreSQL goes away for 30 s under load: no prediction fails, and once it is back every
answered request has its record."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from pasarela.control.endpoints import put_endpoint
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from pasarela.storage.db import create_engine
from pasarela.storage.telemetry import TelemetryRepository
from tests.chaos.outages import proxied_postgres
from tests.conftest import Trained, row
from tests.e2e.conftest import pasarela_env, running_server, wait_for

pytestmark = pytest.mark.e2e

OUTAGE_S = 30


def test_predictions_ride_through_a_database_outage(
    tmp_path: Path, trained: Trained, postgres_url: str
) -> None:
    proxy, proxied = proxied_postgres(postgres_url)
    home = tmp_path / "home"
    registry = open_registry(Settings(home=home, database_url=proxied))
    registry.register_estimator("cancer", trained.model, train_data=trained.frame, target="target")
    put_endpoint(registry, "cancer", ["cancer@1"])
    registry.engine.dispose()

    env = pasarela_env(home, PASARELA_DATABASE_URL=proxied)
    answered: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    with running_server(env, tmp_path / "server.log") as server:

        def load() -> None:
            with httpx.Client(base_url=server.url, timeout=10) as http:
                while not stop.is_set():
                    try:
                        reply = http.post(
                            "/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]}
                        )
                    except httpx.HTTPError as exc:
                        with lock:
                            failures.append(repr(exc))
                        continue
                    with lock:
                        if reply.status_code == 200:
                            answered.append(reply.json()["request_id"])
                        else:
                            failures.append(reply.text)
                    time.sleep(0.005)

        threads = [threading.Thread(target=load) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        proxy.down()
        down_at = len(answered)
        rss_at_start = _rss_mib(server.process.pid)
        time.sleep(OUTAGE_S)
        during = len(answered) - down_at
        rss_growth = _rss_mib(server.process.pid) - rss_at_start
        proxy.up()
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(10)
        assert failures == []
        assert during > 100  # the server kept answering while the database was gone
        assert "cannot store records" in server.log()  # the writer did see the outage
        # Thousands of records (~1 KiB each) waited during the outage, on disk, not in memory.
        assert rss_growth < 5, f"the server grew {rss_growth:.1f} MiB during the outage"

        engine = create_engine(postgres_url)
        repo = TelemetryRepository(engine)
        try:
            stored = wait_for(
                lambda: repo.count_records("cancer"), lambda n: n >= len(answered), timeout_s=120
            )
            assert stored == len(answered)
            assert {r["request_id"] for r in _all(engine)} == set(answered)
        finally:
            engine.dispose()
    proxy.down()


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def _all(engine: sa.Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(sa.text("SELECT request_id FROM prediction_records"))
        ]
