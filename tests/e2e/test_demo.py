"""``pasarela demo --no-serve``: the first command a newcomer runs, in an empty directory."""

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

    second = ok(run_cli(*demo, env=env, cwd=tmp_path))
    assert "reusing" in second
    assert "curl" in second
    assert predict_url in second

    registry = open_registry(Settings(home=home, database_url=None), migrate=False)
    try:
        versions = registry.repo.list_versions("breast-cancer")
        assert [v.version for v in versions] == [1, 2]
        best = max(versions, key=lambda v: v.metrics["accuracy"])
        assert registry.repo.aliases("breast-cancer") == {"champion": best.version}
        assert [e.name for e in registry.repo.list_endpoints()] == ["breast-cancer"]
    finally:
        registry.repo.engine.dispose()
