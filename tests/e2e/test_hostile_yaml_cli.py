"""``pasarela apply -f`` on hostile YAML, as a user's shell runs it: refused with one coded line,
in the memory of any other CLI call (the probe's alias bomb took 1.45 GB before the safe reader)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import PASARELA, pasarela_env
from tests.yaml_bombs import alias_bomb

MAX_RSS_MIB = 600
"""A CLI call importing pasarela peaks near 180 MiB; the bomb, expanded, needed gigabytes."""
KILL_AFTER_S = 120.0
"""Only so that a regression fails instead of hanging the suite; not what is tested."""


MEASURE = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss)); sys.exit(code)"
)
"""Runs the CLI from a small Python process and writes the CLI's peak RSS (KiB). Measured from
the test process itself, the peak would include the test process's own size: Linux counts a
child's memory at fork, and a long test run makes that hundreds of MiB."""


def test_an_alias_bomb_is_refused_by_the_cli_with_bounded_memory(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(alias_bomb())
    stderr, peak = tmp_path / "stderr.txt", tmp_path / "peak.txt"
    with stderr.open("w") as err:
        child = subprocess.Popen(
            [sys.executable, "-c", MEASURE, str(peak), str(PASARELA), "apply", "-f", "bomb.yaml"],
            env=pasarela_env(tmp_path / "home"),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
        try:
            child.wait(KILL_AFTER_S)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    message = stderr.read_text()
    assert child.returncode == 1, message
    assert message.startswith("error [yaml_too_complex] bomb.yaml:"), message
    assert "Traceback" not in message
    peak_kib = int(peak.read_text())
    assert peak_kib < MAX_RSS_MIB * 1024, f"peak {peak_kib // 1024} MiB"
