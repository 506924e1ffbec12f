"""``pasarela demo``: the first thing a newcomer runs.

Trains two versions of a classifier on scikit-learn's bundled breast-cancer data, registers them
with signatures and baselines, points ``champion`` at the better one, creates an endpoint, serves
it and sends sample traffic. Then it applies two canary endpoints from a manifest, as
``pasarela apply -f`` does: v1 → v2, which promotes itself, and the champion → a model that
fails a fifth of its batches, which rolls itself back; it sends both traffic until they end and
prints each one's history (``demo/canary.py``). Then a small A/B experiment, v1 against v2,
with simulated users who complete their task more often on v2, and its report
(``demo/experiment.py``). Last come the URLs, a ready-to-paste ``curl`` and the audit log's
verification.

The install is closed, as in production: before serving, the demo makes sure it has an admin
key and a client key saved in its home (``demo/security.py``), and every request it sends
carries the client key.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import orjson
import pandas as pd
import skops.io
import uvicorn
from rich.progress import Progress

from pasarela.api.app import create_app
from pasarela.cli.common import actor, console, print_copyable, registry, settings
from pasarela.control.endpoints import put_endpoint
from pasarela.demo.canary import (
    CANARIES,
    GOOD_CANARY,
    apply_canaries,
    print_canary,
    register_flaky,
    run_canaries,
)
from pasarela.demo.experiment import (
    EXPERIMENT,
    EXPERIMENT_ENDPOINT,
    print_experiment,
    run_experiment,
)
from pasarela.demo.names import ENDPOINT, MODEL
from pasarela.demo.security import audit_summary, ensure_keys
from pasarela.errors import ConfigurationError
from pasarela.registry.service import Registry

__all__ = ["run_demo"]


def _split() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series[Any], pd.Series[Any]]:
    """Train and test parts of the bundled breast-cancer data, the same on every run."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    data = load_breast_cancer(as_frame=True)
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.25, random_state=7, stratify=data.target
    )
    return x_train, x_test, y_train, y_test


def _train(
    registry: Registry,
    progress: Progress,
    x_train: pd.DataFrame,
    x_test: pd.DataFrame,
    y_train: pd.Series[Any],
    y_test: pd.Series[Any],
) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    existing = registry.versions.of(MODEL) if MODEL in registry.versions.models() else []
    if len(existing) >= 2:
        console.print(f"[dim]{MODEL} already has {len(existing)} versions; reusing them[/]")
        return
    task = progress.add_task("training and registering two versions", total=2)
    train_frame = x_train.assign(target=y_train)
    for strength in (0.01, 1.0):  # v1 strongly regularised, v2 less: v2 should win
        model = make_pipeline(StandardScaler(), LogisticRegression(C=strength, max_iter=1000))
        model.fit(x_train, y_train)
        accuracy = float(model.score(x_test, y_test))
        # skops, not joblib: loading it runs no code, so no --trust-pickle is needed
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{MODEL}.skops"
            skops.io.dump(model, path)
            registry.register(
                MODEL,
                artifact=path,
                train_data=train_frame,
                target="target",
                metrics={"accuracy": round(accuracy, 4)},
                params={"C": strength, "algorithm": "logistic_regression"},
                tags={"dataset": "sklearn.load_breast_cancer"},
                actor=actor(),
            )
        progress.advance(task)


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0


def run_demo(*, port: int, requests: int, serve_forever: bool) -> None:
    # The canaries' steps last seconds here, so the server looks for changes (the controller
    # for due steps, the data plane for new weights) four times a second; and the controller
    # runs whatever PASARELA_CONTROLLER says, or the canaries would never move.
    config = settings().model_copy(
        update={
            "port": port,
            "controller": True,
            "controller_poll_s": 0.25,
            "snapshot_poll_s": 0.25,
        }
    )
    host = config.host
    if not _port_free(host, port):
        raise ConfigurationError(
            f"port {port} on {host} is taken; choose another: pasarela demo --port {port + 1} "
            f"(or PASARELA_PORT={port + 1}, or make demo PORT={port + 1})"
        )
    # The demo keeps its keys and sample request in the home, which the database does not
    # create when it lives elsewhere (PASARELA_DATABASE_URL).
    config.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    reg = registry()
    # Closed, as in production: the keys exist before the server takes its first snapshot, so
    # from its first request on it answers nothing but the health checks without one.
    keys = ensure_keys(reg.engine, config.home, (ENDPOINT, *CANARIES, EXPERIMENT_ENDPOINT))
    client = keys.client_headers()
    with Progress(console=console, transient=True) as progress:
        x_train, x_test, y_train, y_test = _split()
        _train(reg, progress, x_train, x_test, y_train, y_test)
        flaky = register_flaky(reg, x_train)
        versions = reg.versions.of(MODEL)
        best = max(versions, key=lambda v: v.metrics.get("accuracy", 0.0))
        if reg.aliases.of(MODEL).get("champion") != best.version:
            reg.set_alias(MODEL, "champion", best.version, actor=actor())
        put_endpoint(reg, ENDPOINT, [f"{MODEL}@champion"], actor=actor())

        server = uvicorn.Server(
            uvicorn.Config(
                create_app(config), host=host, port=port, log_level="warning", access_log=False
            )
        )
        thread = threading.Thread(target=server.run, name="pasarela-server", daemon=True)
        thread.start()
        base = f"http://{host}:{port}"
        _wait_ready(base)
        rows: list[dict[str, Any]] = [
            {str(k): v for k, v in r.items()} for r in x_test.to_dict(orient="records")
        ]
        labels = y_test.tolist()
        correct, latencies = _send_traffic(base, client, rows, labels, requests, progress)
        applied_at = apply_canaries(reg, config.home, flaky)
        states = run_canaries(reg, base, client, rows, progress)
        report, took = run_experiment(reg, config.home, base, client, rows, progress)

    for name in CANARIES:
        print_canary(reg, name, states.get(name), applied_at)
    print_experiment(report, took)
    sample = config.home / "demo-request.json"
    sample.write_bytes(orjson.dumps({"inputs": [rows[0]]}, option=orjson.OPT_INDENT_2))
    audit = audit_summary(reg.engine)
    console.print(
        f"\n[bold]{ENDPOINT}[/] serves {MODEL}@{best.version} (champion, accuracy "
        f"{best.metrics.get('accuracy')})\n"
        f"sent {requests} requests: {correct}/{requests} correct, "
        f"median latency {sorted(latencies)[len(latencies) // 2] * 1000:.1f} ms\n"
    )
    # Plain lines, never wrapped or boxed: they are copied into a browser, a shell, a script.
    print_copyable(
        f"predict   {base}/v1/endpoints/{ENDPOINT}/predict\n"
        f"v2 infer  {base}/v2/models/{ENDPOINT}/infer\n"
        f"dashboard {base}/ui: sign in at /ui/login with the admin key in {keys.admin_file}\n"
        f"metrics   {base}/metrics (admin key)\n"
        f"API docs  {base}/docs (admin key)\n"
        f"canaries  pasarela rollout status {GOOD_CANARY}\n"
        f"report    pasarela experiments report {EXPERIMENT}\n"
        f"audit     {audit} (pasarela audit verify)\n"
    )
    hint = command_hint()
    if hint:
        print_copyable(hint)
    print_copyable(
        f"predictions and feedback take the client key, {keys.client_file}:\n"
        f"curl -s {base}/v1/endpoints/{ENDPOINT}/predict "
        f'-H "Authorization: Bearer $(cat {keys.client_file})" '
        f"-H 'content-type: application/json' -d @{sample}\n"
    )
    if not serve_forever:
        server.should_exit = True
        thread.join(timeout=10)
        return
    console.print(
        "serving, with a little traffic and feedback every second so the numbers move "
        f"(pasarela stats {ENDPOINT}); press Ctrl-C to stop"
    )
    stop = threading.Event()
    traffic = threading.Thread(
        target=_keep_traffic,
        args=(base, client, rows, labels, stop),
        name="demo-traffic",
        daemon=True,
    )
    traffic.start()
    try:
        while thread.is_alive():
            thread.join(timeout=0.5)
    except KeyboardInterrupt:
        stop.set()
        server.should_exit = True
        thread.join(timeout=10)


def command_hint() -> str | None:
    """How to run ``pasarela`` when the shell would not find it: ``make demo`` installs it in
    ``.venv/bin``, which is on nobody's PATH until the virtualenv is activated."""
    bin_dir = Path(sys.executable).parent
    installed = bin_dir / "pasarela"
    found = shutil.which("pasarela")
    if found is not None and Path(found).resolve() == installed.resolve():
        return None
    shown = os.path.relpath(bin_dir)
    if shown.startswith(".."):
        shown = str(bin_dir)
    if (bin_dir / "activate").is_file():
        return (
            f"the pasarela command is in {shown}, not on your PATH; in your shell run\n"
            f"source {shown}/activate\n"
            f"(or type {shown}/pasarela wherever these lines say pasarela)\n"
        )
    return f"the pasarela command is in {shown}, not on your PATH: add {shown} to PATH\n"


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise ConfigurationError(f"the demo server at {base} did not become ready in 30 s")


def _keep_traffic(
    base: str,
    headers: Mapping[str, str],
    rows: list[dict[str, Any]],
    labels: list[int],
    stop: threading.Event,
) -> None:
    """A few requests a second, each followed by its true label and whether the user was
    satisfied, until ``stop``: the stats and metrics stay alive while someone looks."""
    rng = random.Random(7)
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        while not stop.wait(rng.uniform(0.1, 0.5)):
            i = rng.randrange(len(rows))
            try:
                reply = client.post(f"/v1/endpoints/{ENDPOINT}/predict", json={"inputs": [rows[i]]})
                request_id = reply.json()["request_id"]
                correct = reply.json()["outputs"][0]["label"] == labels[i]
                client.post(
                    "/v1/feedback",
                    json={
                        "request_id": request_id,
                        "label": labels[i],
                        "task_completed": correct and rng.random() < 0.9,
                        "rating": rng.choice([4, 5]) if correct else rng.choice([1, 2, 3]),
                    },
                )
            except (httpx.HTTPError, KeyError, ValueError):
                continue  # the server is stopping


def _send_traffic(
    base: str,
    headers: Mapping[str, str],
    rows: list[dict[str, Any]],
    labels: list[int],
    count: int,
    progress: Progress,
) -> tuple[int, list[float]]:
    task = progress.add_task("sending sample traffic", total=count)
    correct = 0
    latencies: list[float] = []
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for i in range(count):
            row, label = rows[i % len(rows)], labels[i % len(labels)]
            started = time.perf_counter()
            reply = client.post(f"/v1/endpoints/{ENDPOINT}/predict", json={"inputs": [row]})
            latencies.append(time.perf_counter() - started)
            reply.raise_for_status()
            correct += int(reply.json()["outputs"][0]["label"] == label)
            progress.advance(task)
    return correct, latencies
