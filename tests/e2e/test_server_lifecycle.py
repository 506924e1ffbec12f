"""``pasarela serve`` as a process: it comes up ready, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import Trained, row
from tests.e2e.conftest import assert_clean_exit, pasarela_env, start_server

pytestmark = pytest.mark.e2e


def test_serve_answers_then_exits_cleanly_on_sigterm(
    api_home: Path, trained: Trained, tmp_path: Path
) -> None:
    server = start_server(pasarela_env(api_home), tmp_path / "server.log")
    try:
        server.wait_ready()
        assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
        ready = httpx.get(f"{server.url}/readyz").json()
        assert ready["status"] == "ready"
        assert isinstance(ready["revision"], int) and ready["revision"] > 0
        assert httpx.get(f"{server.url}/v1/endpoints").json() == {
            "endpoints": [
                {
                    "name": "cancer",
                    "policy": "single",
                    "targets": ["cancer@1"],
                    "versions": ["cancer@1"],
                    "shadows": [],
                    "rollout": None,
                    "status": "serving",
                    "error": None,
                }
            ]
        }
        reply = httpx.post(
            f"{server.url}/v1/endpoints/cancer/predict", json={"inputs": [row(trained)]}
        )
        assert reply.status_code == 200
        assert reply.json()["version"] == 1
    finally:
        status = server.stop()
    assert_clean_exit(server, status)
    assert "Finished server process" in server.log()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/healthz")
