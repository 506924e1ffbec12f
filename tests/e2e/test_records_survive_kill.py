"""Kill the server with SIGKILL under load, start it again: every request that was answered 2xx
has its record."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from pasarela.settings import Settings
from pasarela.storage.db import create_engine
from pasarela.storage.telemetry import TelemetryRepository
from tests.conftest import Trained, row
from tests.e2e.conftest import pasarela_env, prepare_home, start_server, wait_for

pytestmark = pytest.mark.e2e


def test_answered_requests_keep_their_records_through_sigkill(
    tmp_path: Path, trained: Trained
) -> None:
    home = tmp_path / "home"
    prepare_home(home, trained)
    env = pasarela_env(home)
    server = start_server(env, tmp_path / "first.log")
    server.wait_ready()
    answered: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()
    body = {"inputs": [row(trained)]}

    def load() -> None:
        with httpx.Client(base_url=server.url, timeout=5) as http:
            while not stop.is_set():
                try:
                    reply = http.post("/v1/endpoints/cancer/predict", json=body)
                except httpx.HTTPError:
                    continue  # in flight at the kill: never answered, so nothing is owed
                if reply.status_code == 200:
                    with lock:
                        answered.append(reply.json()["request_id"])

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(answered), lambda n: n >= 1500, timeout_s=60)
    server.process.send_signal(signal.SIGKILL)  # no shutdown, no drain
    server.process.wait(10)
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(10)
    assert len(answered) >= 1500

    restarted = start_server(env, tmp_path / "second.log")
    restarted.wait_ready()
    engine = create_engine(Settings(home=home).resolved_database_url)
    repo = TelemetryRepository(engine)
    try:
        stored = wait_for(
            lambda: repo.count_records("cancer"), lambda n: n >= len(answered), timeout_s=60
        )
        assert stored >= len(answered)
        missing = [rid for rid in answered if repo.get_record(rid) is None]
        assert missing == [], f"{len(missing)} answered requests have no record"
    finally:
        restarted.stop()
        engine.dispose()
