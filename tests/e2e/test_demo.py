"""``pasarela demo --no-serve``: the first command a newcomer runs, in an empty directory.

Besides the tour it runs two canaries to their end: v1 → v2 promotes itself, the champion → a
model that fails 20 % of its batches rolls itself back; then an A/B experiment of v1 against v2
whose simulated users complete their task more often on v2. A second run starts all three over.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from tests.e2e.conftest import free_port, ok, pasarela_env, run_cli

pytestmark = pytest.mark.e2e

PROMOTED = "canary breast-cancer-canary: promoted: breast-cancer@2 takes all traffic"
ROLLED_BACK = re.compile(
    r"canary breast-cancer-flaky: rolled back \(failed: error_rate, error_rate_vs_baseline\)"
)


def assert_canaries_ended(output: str) -> None:
    assert "type: canary" in output  # the manifest it applied is shown
    assert PROMOTED in output, output
    assert ROLLED_BACK.search(output), output
    # each verdict shows its numbers: the flaky candidate's error rate against the baseline's
    assert re.search(r"candidate error rate \d+\.\d% vs baseline 0\.0% \(\+\d+", output), output


def assert_experiment_concluded(output: str) -> None:
    assert "type: experiment" in output  # the manifest it applied is shown
    assert "experiment breast-cancer-v2 (running)" in output, output
    assert "sample ratio ok" in output, output
    # seeded users at 35 % vs 55 %: the always-valid test finds the treatment better
    assert re.search(
        r"• treatment is better than the control on task_completed: \+0\.\d+ \(\+\d+\.\d%\); "
        r"always-valid p = \S+ < 0\.05",
        output,
    ), output


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_demo_tours_then_reuses_its_versions(tmp_path: Path) -> None:
    port = free_port()
    env = pasarela_env(None)  # no PASARELA_HOME: the demo works in ./.pasarela
    demo = ("demo", "--no-serve", "--port", str(port), "--requests", "30")
    predict_url = f"http://127.0.0.1:{port}/v1/endpoints/breast-cancer/predict"

    first = ok(run_cli(*demo, env=env, cwd=tmp_path))
    assert "curl" in first
    assert predict_url in first
    assert "reusing" not in first
    sent = re.search(r"sent 30 requests: (\d+)/30 correct", first)
    assert sent is not None, first
    assert int(sent[1]) >= 25  # the champion is a decent classifier
    assert port_is_free(port), "the demo server still listens after --no-serve"
    home = tmp_path / ".pasarela"
    assert (home / "pasarela.db").is_file()
    sample = json.loads((home / "demo-request.json").read_text())
    assert len(sample["inputs"]) == 1 and len(sample["inputs"][0]) == 30
    assert_canaries_ended(first)
    assert (home / "demo-canaries.yaml").is_file()
    assert_experiment_concluded(first)
    assert (home / "demo-experiment.yaml").is_file()

    second = ok(run_cli(*demo, env=env, cwd=tmp_path))
    assert "reusing" in second
    assert "curl" in second
    assert predict_url in second
    assert "deleted the previous run's endpoint breast-cancer-flaky" in second
    assert_canaries_ended(second)
    assert "deleted the previous run's endpoint breast-cancer-experiment" in second
    assert_experiment_concluded(second)

    registry = open_registry(Settings(home=home, database_url=None), migrate=False)
    try:
        versions = registry.repo.list_versions("breast-cancer")
        assert [v.version for v in versions] == [1, 2]
        best = max(versions, key=lambda v: v.metrics["accuracy"])
        assert registry.repo.aliases("breast-cancer") == {"champion": best.version}
        assert [e.name for e in registry.repo.list_endpoints()] == [
            "breast-cancer",
            "breast-cancer-canary",
            "breast-cancer-experiment",
            "breast-cancer-flaky",
        ]
        assert [v.version for v in registry.repo.list_versions("breast-cancer-flaky")] == [1]
        states = registry.repo.rollout_states()
        assert states["breast-cancer-canary"]["phase"] == "promoted"
        assert states["breast-cancer-canary"]["weight"] == 100
        assert states["breast-cancer-flaky"]["phase"] == "rolled_back"
        assert states["breast-cancer-flaky"]["weight"] == 0
        assert states["breast-cancer-experiment"]["phase"] == "running"
        for name, last in (
            ("breast-cancer-canary", "promote"),
            ("breast-cancer-flaky", "rollback"),
        ):
            kinds = [e["kind"] for e in registry.repo.rollout_events(name)]
            assert kinds.count("start") == 2, kinds  # the second run started it over
            assert kinds[-1] == last, kinds
    finally:
        registry.repo.engine.dispose()
