"""SIGTERM on a real ``pasarela serve``: readiness turns false first while requests are still
answered, the requests in flight when it stops accepting finish with their answers, and the
process exits cleanly; no acknowledged request is lost."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import httpx
import pytest

from pasarela.control.endpoints import put_endpoint
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from tests.e2e.conftest import ACTOR, assert_clean_exit, pasarela_env, start_server, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def slow_home(tmp_path: Path) -> Path:
    """``slow@1`` (SlowModel: 0.8 s a batch) behind the endpoint ``slow``."""
    home = tmp_path / "home"
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        registry.register("slow", entrypoint="pasarela.testing:SlowModel", actor=ACTOR)
        put_endpoint(registry, "slow", ["slow@1"], actor=ACTOR)
    finally:
        registry.engine.dispose()
    return home


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_turns_readiness_false_then_drains_what_is_in_flight(
    slow_home: Path, tmp_path: Path, workers: int
) -> None:
    env = pasarela_env(slow_home, PASARELA_SHUTDOWN_DELAY_S="1.5", PASARELA_TEST_DELAY_S="0.8")
    server = start_server(env, tmp_path / "server.log", "--workers", str(workers))
    server.wait_ready()
    answers: list[httpx.Response | Exception] = []

    def call() -> None:
        try:
            answers.append(
                httpx.post(
                    f"{server.url}/v1/endpoints/slow/predict",
                    json={"inputs": [[1, 2]]},
                    timeout=10,
                )
            )
        except httpx.HTTPError as exc:
            answers.append(exc)

    if workers > 1:  # every worker must be up, not just the first to answer
        for _ in range(4 * workers):
            assert httpx.get(f"{server.url}/readyz").status_code == 200
    server.process.send_signal(signal.SIGTERM)  # with workers: to the supervisor
    # The supervisor passes the signal on within half a second (its loop's period).
    wait_for(lambda: httpx.get(f"{server.url}/readyz").json(), lambda r: r["status"] != "ready")
    # draining: not ready any more (whichever worker answers), but still answering
    for _ in range(2 * workers):
        assert httpx.get(f"{server.url}/readyz").json() == {"status": "draining"}
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    callers = [threading.Thread(target=call) for _ in range(3)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(15)
    status = server.process.wait(15)
    # every request sent while draining got its answer, though the batch outlived the delay
    assert [a.status_code if isinstance(a, httpx.Response) else a for a in answers] == [200] * 3
    assert all(a.json()["outputs"] == [3] for a in answers if isinstance(a, httpx.Response))
    assert_clean_exit(server, status)
    assert server.log().count("readiness is false") == workers
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/healthz")
