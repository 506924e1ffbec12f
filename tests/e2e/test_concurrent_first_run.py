"""Several pasarela processes starting on a fresh data directory at the same moment, e.g. a
script that runs ``pasarela serve &`` and registers a model right away. Each one migrates the
database on start; they must not trip over each other."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import pasarela_env

pytestmark = pytest.mark.e2e

PROCESSES = 3

# `pasarela db upgrade`, through the real CLI entry point, started only once every process has
# finished importing: the slow imports would otherwise spread the processes apart in time.
RACER = """
import sys, time
from pathlib import Path
from pasarela.cli.main import app

barrier = Path(sys.argv[1])
(barrier / sys.argv[2]).touch()
while not (barrier / "go").exists():
    time.sleep(0.001)
sys.argv = ["pasarela", "db", "upgrade"]
app()
"""


def test_processes_migrating_a_fresh_home_at_once_all_succeed(tmp_path: Path) -> None:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = pasarela_env(tmp_path / "home")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(barrier), f"ready-{i}"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        for i in range(PROCESSES)
    ]
    deadline = time.monotonic() + 60
    while len(list(barrier.glob("ready-*"))) < PROCESSES and time.monotonic() < deadline:
        time.sleep(0.01)
    (barrier / "go").touch()
    outputs = [p.communicate(timeout=60)[0] for p in processes]
    statuses = [p.returncode for p in processes]
    report = "\n---\n".join(o[-2000:] for o in outputs)
    assert "Traceback" not in report, report
    assert statuses == [0] * PROCESSES, report
    assert all(o.strip().startswith("database at revision ") for o in outputs), report
