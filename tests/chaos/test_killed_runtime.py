"""Chaos on a real ``pasarela serve`` under steady load: the primary model runs in a child
process of its own (``isolation: process``) and that child is killed with SIGKILL, as the
kernel's OOM killer or a segfault would end it. The clients must not notice: the batch in
flight fails at once, is retried, then the fallback answers; a new child replaces the dead
one and the primary serves again.

The model children are found in ``/proc``: the server's children started by multiprocessing's
``spawn``. The primary's is the first started (versions load in order: the policy's target,
then the fallback chain)."""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pasarela.control.apply import apply_specs
from pasarela.control.manifest import parse_manifests
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from tests.chaos.client_load import Load, steady_load
from tests.conftest import Trained
from tests.e2e.conftest import ACTOR, Server, pasarela_env, running_server, wait_for

pytestmark = pytest.mark.e2e

MANIFEST = """\
name: scores
policy: {type: single, target: primary@1}
isolation: process
retries: {attempts: 2, base_s: 0.02, max_s: 0.5}
timeout_s: 3
attempt_timeout_s: 0.5
breaker: {consecutive_failures: 3, open_s: 1, probes: 2}
fallback: [backup@1]
"""


def model_children(parent: int) -> list[int]:
    """The ``spawn`` children of ``parent`` (not its resource tracker), oldest first."""
    found: list[tuple[int, int]] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # after the command: state, ppid, …; the start time is the 22nd field of the line
        if int(fields[1]) == parent and b"spawn_main" in cmdline and fields[0] != "Z":
            found.append((int(fields[19]), int(entry.name)))
    return [pid for _, pid in sorted(found)]


@pytest.fixture
def server(tmp_path: Path, trained: Trained) -> Iterator[Server]:
    home = tmp_path / "home"
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        for name in ("primary", "backup"):
            registry.register_estimator(
                name, trained.model, train_data=trained.frame, target="target", actor=ACTOR
            )
        apply_specs(registry, parse_manifests(MANIFEST), actor=ACTOR)
    finally:
        registry.engine.dispose()
    with running_server(pasarela_env(home), tmp_path / "server.log") as running:
        yield running


@pytest.fixture
def load(server: Server, trained: Trained) -> Iterator[Load]:
    row = [float(v) for v in trained.features.iloc[0]]
    with steady_load(f"{server.url}/v1/endpoints/scores/predict", row) as load:
        yield load


def retries(server: Server) -> float:
    text = httpx.get(f"{server.url}/metrics").text
    found = re.findall(r'^pasarela_retries_total\{[^}]*model="primary"[^}]*\} (\S+)$', text, re.M)
    return sum(float(v) for v in found)


def test_a_killed_model_process_is_replaced_and_the_clients_never_notice(
    server: Server, load: Load
) -> None:
    children = model_children(server.process.pid)
    assert len(children) == 2, children  # the primary's child and the fallback's
    primary, backup = children
    wait_for(lambda: len(load.calls), lambda n: n >= 40)
    assert {c.served_by for c in load.calls} == {"primary"}

    os.kill(primary, signal.SIGKILL)
    killed = time.monotonic()
    replaced = wait_for(
        lambda: model_children(server.process.pid),
        lambda pids: len(pids) == 2 and primary not in pids,
        timeout_s=30,
    )
    assert primary not in replaced and backup in replaced, (primary, replaced)
    # the primary serves again (its breaker's probes find the new child loaded)
    wait_for(
        lambda: load.after(killed),
        lambda s: sum(c.served_by == "primary" for c in s[len(s) // 2 :]) >= 20,
        timeout_s=30,
    )
    load.stop.set()
    seen = load.after(killed)
    back = min(c.ended for c in seen if c.served_by == "primary" and c.ended > killed)
    fallbacks = sum(c.served_by.startswith("fallback") for c in seen)
    retried = retries(server)
    print(
        f"\nkilled pid {primary}; new pid {next(p for p in replaced if p != backup)}; "
        f"primary answering again {back - killed:.2f} s after the kill; "
        f"{fallbacks} answers by the fallback meanwhile; {retried:g} retried model calls"
    )
    statuses = Counter(c.status for c in load.calls)
    assert set(statuses) == {200}, statuses  # not one failed client request
    assert "primary" in {c.served_by for c in seen}
    assert "Traceback" not in server.log(), server.log()
