"""End-to-end helpers: real ``pasarela`` processes (CLI and ``pasarela serve``) on free ports.

Every process gets its own environment: the caller's ``PASARELA_*`` variables are dropped so a
developer's shell cannot leak into a test, the snapshot poll is fast (0.2 s) so control-plane
changes reach a running server quickly, and the first ``serve`` creates no admin key unless a
test asks for one.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from pasarela.control.endpoints import put_endpoint
from pasarela.control.workspace import open_registry
from pasarela.settings import Settings
from tests.conftest import Trained

PASARELA = Path(sys.executable).with_name("pasarela")
ACTOR = "e2e-tester"
# Waits, not measurements: each returns as soon as its condition holds, so they are generous
# enough for a machine busy with a parallel install (a 30 s readiness wait failed there once).
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 30.0
PICKUP_TIMEOUT_S = 30.0
"""How long a running server may take to serve a control-plane change (poll is 0.2 s)."""

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pasarela_env(home: Path | None, **extra: str) -> dict[str, str]:
    """The environment of a pasarela process: no inherited ``PASARELA_*``, wide terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASARELA_")}
    env.update(
        COLUMNS="200",
        PYTHONIOENCODING="utf-8",
        PASARELA_SNAPSHOT_POLL_S="0.2",
        # Stopping waits for nobody's load balancer here (test_graceful_shutdown sets it).
        PASARELA_SHUTDOWN_DELAY_S="0",
        PASARELA_ACTOR=ACTOR,
        # Most end-to-end tests are about something else than credentials; the ones about
        # security turn the first-serve admin key back on.
        PASARELA_BOOTSTRAP_ADMIN_KEY="false",
    )
    if home is not None:
        env["PASARELA_HOME"] = str(home)
    env.update(extra)
    return env


def run_cli(
    *args: str, env: Mapping[str, str], cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``pasarela ARGS…`` as a user runs it; never raises on a non-zero exit."""
    return subprocess.run(
        [str(PASARELA), *args],
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,  # no terminal anywhere: output as in CI, a pipe or a log
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def run_cli_concurrently(
    commands: Sequence[Sequence[str]], env: Mapping[str, str], cwd: Path | None = None
) -> list[subprocess.CompletedProcess[str]]:
    """Independent commands at once (each spends most of its time importing)."""
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        futures = [pool.submit(run_cli, *command, env=env, cwd=cwd) for command in commands]
        return [f.result() for f in futures]


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The stdout of a command that must have succeeded."""
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))} exited {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def table_rows(output: str) -> list[list[str]]:
    """The body rows of the rich tables in ``output``, as lists of stripped cells."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.lstrip().startswith("│")
    ]


def wait_for(
    probe: Callable[[], T], done: Callable[[T], bool], timeout_s: float = PICKUP_TIMEOUT_S
) -> T:
    """Call ``probe`` until ``done(result)`` or the timeout; the last result either way."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = probe()
        if done(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


@dataclass
class Server:
    """A ``pasarela serve`` process and where its output goes."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self) -> None:
        """Until ``GET /readyz`` answers 200; fails the test with the server's output if the
        process exits first or READY_TIMEOUT_S passes."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            status = self.process.poll()
            if status is not None:
                pytest.fail(
                    f"pasarela serve exited with {status} before it was ready; its output:\n"
                    f"{self.log()}"
                )
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"pasarela serve was not ready within {READY_TIMEOUT_S:.0f} s; its output:\n"
                    f"{self.log()}"
                )
            time.sleep(0.1)

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT_S; the exit status (idempotent)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)
        return self.process.returncode


def start_server(env: Mapping[str, str], log_path: Path, *options: str) -> Server:
    """``pasarela serve --port <free port> OPTIONS…`` with ``env``, started but maybe not
    ready yet."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(PASARELA), "serve", "--port", str(port), *options],
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Server(port, process, log_path)


def assert_clean_exit(server: Server, status: int) -> None:
    """The server shut down gracefully on SIGTERM: lifespan shutdown ran, no traceback, and it
    was not killed. uvicorn re-raises the signal after a graceful shutdown, so the status is
    -SIGTERM (0 with older uvicorn)."""
    log = server.log()
    assert status in (0, -signal.SIGTERM), f"exit status {status}; output:\n{log}"
    assert "Application shutdown complete." in log, log
    assert "Traceback" not in log, log


@contextmanager
def running_server(env: Mapping[str, str], log_path: Path) -> Iterator[Server]:
    """A ready ``pasarela serve``, stopped (SIGTERM, then SIGKILL) on exit."""
    server = start_server(env, log_path)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def prepare_home(home: Path, trained: Trained) -> None:
    """``cancer@1`` (the trained model, with its signature) behind the endpoint ``cancer``,
    set up in process: faster than the CLI, for tests about the HTTP API."""
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        registry.register_estimator(
            "cancer", trained.model, train_data=trained.frame, target="target", actor=ACTOR
        )
        put_endpoint(registry, "cancer", ["cancer@1"], actor=ACTOR)
    finally:
        registry.engine.dispose()


def row_sums_home(home: Path, versions: int) -> Path:
    """``home`` with ``sums@1`` … ``sums@<versions>`` (``pasarela.testing:row_sums``) and no
    endpoint: for tests about routing, where the model does not matter."""
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        for _ in range(versions):
            registry.register("sums", entrypoint="pasarela.testing:row_sums", actor=ACTOR)
    finally:
        registry.engine.dispose()
    return home


ERROR_LINE = re.compile(r"^error \[(?P<code>[a-z_]+)\] (?P<message>\S.*)$")


def error_problem(reply: httpx.Response, request_id: str | None = None) -> str | None:
    """What is wrong with ``reply`` as a client error (None when nothing): a 4xx status, a
    JSON body ``{"error": {"code", "message", "request_id"}}`` and no stack trace; when the
    request sent an X-Request-Id (``request_id``), a server-made ``request_id`` and the
    client's echoed as ``X-Correlation-Id``."""
    where = f"{reply.request.method} {reply.request.url.path} → {reply.status_code}"
    problem = _error_problem(reply, request_id)
    return None if problem is None else f"{where}: {problem}: {reply.text[:300]!r}"


def _error_problem(reply: httpx.Response, request_id: str | None) -> str | None:
    if not 400 <= reply.status_code < 500:
        return "not a 4xx status"
    if "Traceback" in reply.text or 'File "' in reply.text:
        return "a stack trace in the body"
    if not reply.headers.get("content-type", "").startswith("application/json"):
        return f"content-type {reply.headers.get('content-type')!r}"
    try:
        body = reply.json()
    except ValueError:
        return "not JSON"
    error = _error_fields(reply.request.url.path, body)
    if isinstance(error, str):
        return error
    if not isinstance(error["code"], str) or not re.fullmatch(r"[a-z_]+", error["code"]):
        return "error.code is not a snake_case string"
    if not isinstance(error["message"], str) or not error["message"]:
        return "error.message is empty"
    if not isinstance(error["request_id"], str) or not error["request_id"]:
        return "error.request_id is empty"
    if request_id is not None and error["request_id"] == request_id:
        return f"error.request_id is the client's X-Request-Id ({request_id}), not the server's"
    if request_id is not None and reply.headers.get("x-correlation-id") != request_id:
        return f"X-Correlation-Id does not echo the X-Request-Id sent ({request_id})"
    return None


def _error_fields(path: str, body: Any) -> dict[str, Any] | str:
    """code, message and request_id of an error body, or what is wrong with its shape."""
    if path == "/v2" or path.startswith("/v2/"):
        # the Open Inference Protocol's shape: the message under "error", code and id beside it
        if not isinstance(body, dict) or set(body) != {"error", "code", "request_id"}:
            return 'not {"error": "...", "code": ..., "request_id": ...}'
        if not isinstance(body["error"], str):
            return "error is not a string"
        return {"code": body["code"], "message": body["error"], "request_id": body["request_id"]}
    if not isinstance(body, dict) or list(body) != ["error"] or not isinstance(body["error"], dict):
        return 'not {"error": {...}}'
    error: dict[str, Any] = body["error"]
    if not {"code", "message", "request_id"} <= set(error):
        return "error lacks code, message or request_id"
    return error


def error_of(reply: httpx.Response, request_id: str | None = None) -> dict[str, Any]:
    """``{"code", "message", "request_id"}`` of a reply that must be a well-formed client
    error, whichever of the two shapes its route uses."""
    problem = error_problem(reply, request_id)
    assert problem is None, problem
    body: dict[str, Any] = reply.json()
    if isinstance(body["error"], str):
        return {"code": body["code"], "message": body["error"], "request_id": body["request_id"]}
    error: dict[str, Any] = body["error"]
    return error


@pytest.fixture(scope="module")
def api_home(tmp_path_factory: pytest.TempPathFactory, trained: Trained) -> Path:
    """A data directory where ``cancer@1`` is registered and served by the endpoint ``cancer``."""
    home = tmp_path_factory.mktemp("api") / "home"
    prepare_home(home, trained)
    return home
