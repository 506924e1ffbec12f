"""``pasarela apply -f`` on hostile YAML, as a user's shell runs it: refused with one coded line,
in the memory of any other CLI call (the probe's alias bomb took 1.45 GB before the safe reader)."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

from tests.e2e.conftest import PASARELA, pasarela_env
from tests.yaml_bombs import alias_bomb

MAX_RSS_MIB = 600
"""A CLI call importing pasarela peaks near 180 MiB; the bomb, expanded, needed gigabytes."""
KILL_AFTER_S = 120.0
"""Only so that a regression fails instead of hanging the suite; not what is tested."""


def test_an_alias_bomb_is_refused_by_the_cli_with_bounded_memory(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(alias_bomb())
    stderr = tmp_path / "stderr.txt"
    with stderr.open("w") as err:
        child = subprocess.Popen(
            [str(PASARELA), "apply", "-f", "bomb.yaml"],
            env=pasarela_env(tmp_path / "home"),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        killer = threading.Timer(KILL_AFTER_S, child.kill)
        killer.start()
        try:
            # wait4, not wait: the child's own peak memory, not that of every child so far
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
    message = stderr.read_text()
    assert child.returncode == 1, message
    assert message.startswith("error [yaml_too_complex] bomb.yaml:"), message
    assert "Traceback" not in message
    assert usage.ru_maxrss < MAX_RSS_MIB * 1024, f"peak {usage.ru_maxrss // 1024} MiB"
