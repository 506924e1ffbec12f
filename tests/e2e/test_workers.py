"""Several worker processes: /metrics adds up every worker's requests."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import Trained, row
from tests.e2e.conftest import PASARELA, Server, free_port, pasarela_env, prepare_home

pytestmark = pytest.mark.e2e


def test_metrics_sum_over_workers(tmp_path: Path, trained: Trained) -> None:
    home = tmp_path / "home"
    prepare_home(home, trained)
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(PASARELA), "serve", "--port", str(port), "--workers", "2"],
            env=pasarela_env(home),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(port, process, log_path)
    try:
        server.wait_ready()
        for _ in range(60):  # a new connection each time, so both workers take some
            reply = httpx.post(
                f"{server.url}/v1/endpoints/cancer/predict",
                json={"inputs": [row(trained)]},
                timeout=10,
            )
            assert reply.status_code == 200
        text = httpx.get(f"{server.url}/metrics", timeout=10).text
        writers = {p.name.rsplit("_", 1)[-1] for p in (home / "metrics").glob("counter_*.db")}
        assert len(writers) >= 2, writers  # both worker processes keep counters
        totals = re.findall(
            r'^pasarela_requests_total\{[^}]*endpoint="cancer"[^}]*\} (\S+)$', text, re.MULTILINE
        )
        assert totals, text[:2000]
        assert sum(float(t) for t in totals) == 60.0
    finally:
        server.stop()
