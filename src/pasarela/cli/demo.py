"""``pasarela demo``: the first thing a newcomer runs.

Trains two versions of a classifier on scikit-learn's bundled breast-cancer data, registers them
with signatures and baselines, points ``champion`` at the better one, creates an endpoint, serves
it and sends sample traffic. Then it applies two canary endpoints from a manifest, as
``pasarela apply -f`` does: v1 → v2, which promotes itself, and the champion → a model that
fails a fifth of its batches, which rolls itself back; it sends both traffic until they end and
prints each one's history. Then a small A/B experiment, v1 against v2, with simulated users who
complete their task more often on v2, and its report. Last come the URLs and a ready-to-paste
``curl``.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pandas as pd
import uvicorn
from rich.panel import Panel
from rich.progress import Progress
from rich.table import Table

from pasarela.api.app import create_app
from pasarela.cli.common import actor, console, registry, settings
from pasarela.control.apply import apply_specs
from pasarela.control.endpoints import put_endpoint
from pasarela.control.experiment_report import experiment_report
from pasarela.control.experiments import get_experiment
from pasarela.control.experiments import start as start_experiment
from pasarela.control.manifest import parse_manifests
from pasarela.errors import ConfigurationError, NotFound
from pasarela.registry.service import Registry
from pasarela.routing.experiment import ExperimentOptions, ExperimentPolicy, reason_for
from pasarela.testing import FlakyModel
from pasarela.types import RequestContext, VersionId

MODEL = "breast-cancer"
ENDPOINT = "breast-cancer"
FLAKY_MODEL = "breast-cancer-flaky"
GOOD_CANARY = "breast-cancer-canary"
FLAKY_CANARY = "breast-cancer-flaky"
CANARIES = (GOOD_CANARY, FLAKY_CANARY)
CANARY_TIMEOUT_S = 60.0
ENDED = ("promoted", "rolled_back")
EXPERIMENT_ENDPOINT = "breast-cancer-experiment"
EXPERIMENT = "breast-cancer-v2"
EXPERIMENT_UNITS = 400
COMPLETION = {"variant:control": 0.35, "variant:treatment": 0.55}
"""The simulated users' chance to complete their task on each variant: a real difference, so
the report has something to find."""
EXPERIMENT_TIMEOUT_S = 15.0


class FlakyBreastCancerModel(FlakyModel):
    """The demo's bad candidate: it sums the features (it is no classifier) and fails 20 % of
    its batches. Seeded, so every run fails the same batches; seed 2 because its first draw is
    a success, so registration's one smoke batch passes, as it would for a model that breaks
    only under traffic."""

    rate = 0.2

    def __init__(self) -> None:
        super().__init__()
        self.rng = random.Random(2)


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

    existing = registry.repo.list_versions(MODEL) if MODEL in registry.repo.list_models() else []
    if len(existing) >= 2:
        console.print(f"[dim]{MODEL} already has {len(existing)} versions; reusing them[/]")
        return
    task = progress.add_task("training and registering two versions", total=2)
    train_frame = x_train.assign(target=y_train)
    for strength in (0.01, 1.0):  # v1 strongly regularised, v2 less: v2 should win
        model = make_pipeline(StandardScaler(), LogisticRegression(C=strength, max_iter=1000))
        model.fit(x_train, y_train)
        accuracy = float(model.score(x_test, y_test))
        registry.register_estimator(
            MODEL,
            model,
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
        raise ConfigurationError(f"port {port} on {host} is taken; run: pasarela demo --port 8001")
    reg = registry()
    with Progress(console=console, transient=True) as progress:
        x_train, x_test, y_train, y_test = _split()
        _train(reg, progress, x_train, x_test, y_train, y_test)
        flaky = _register_flaky(reg, x_train)
        versions = reg.repo.list_versions(MODEL)
        best = max(versions, key=lambda v: v.metrics.get("accuracy", 0.0))
        if reg.repo.aliases(MODEL).get("champion") != best.version:
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
        correct, latencies = _send_traffic(base, rows, labels, requests, progress)
        applied_at = _apply_canaries(reg, config.home, flaky)
        states = _run_canaries(reg, base, rows, progress)
        report, took = _run_experiment(reg, config.home, base, rows, progress)

    for name in CANARIES:
        _print_canary(reg, name, states.get(name), applied_at)
    _print_experiment(report, took)
    sample = config.home / "demo-request.json"
    sample.write_bytes(orjson.dumps({"inputs": [rows[0]]}, option=orjson.OPT_INDENT_2))
    console.print(
        Panel.fit(
            f"[bold]{ENDPOINT}[/] serves {MODEL}@{best.version} (champion, accuracy "
            f"{best.metrics.get('accuracy')})\n"
            f"sent {requests} requests: {correct}/{requests} correct, "
            f"median latency {sorted(latencies)[len(latencies) // 2] * 1000:.1f} ms\n\n"
            f"predict   {base}/v1/endpoints/{ENDPOINT}/predict\n"
            f"v2 infer  {base}/v2/models/{ENDPOINT}/infer\n"
            f"dashboard {base}/ui\n"
            f"metrics   {base}/metrics\n"
            f"API docs  {base}/docs\n"
            f"canaries  pasarela rollout status {GOOD_CANARY}\n"
            f"report    pasarela experiments report {EXPERIMENT}\n\n"
            f"curl -s {base}/v1/endpoints/{ENDPOINT}/predict \\\n"
            f"  -H 'content-type: application/json' -d @{sample}",
            title="pasarela demo",
        )
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
        target=_keep_traffic, args=(base, rows, labels, stop), name="demo-traffic", daemon=True
    )
    traffic.start()
    try:
        while thread.is_alive():
            thread.join(timeout=0.5)
    except KeyboardInterrupt:
        stop.set()
        server.should_exit = True
        thread.join(timeout=10)


def _register_flaky(registry: Registry, features: pd.DataFrame) -> str:
    """The flaky candidate's reference, registered on the first run and reused after."""
    if FLAKY_MODEL in registry.repo.list_models():
        versions = registry.repo.list_versions(FLAKY_MODEL)
        if versions:
            return f"{FLAKY_MODEL}@{versions[-1].version}"
    version = registry.register(
        FLAKY_MODEL,
        kind="python",
        entrypoint="pasarela.cli.demo:FlakyBreastCancerModel",
        train_data=features,  # for the signature: it takes the classifier's 30 features
        tags={"purpose": "a canary candidate that fails 20 % of its batches"},
        actor=actor(),
    )
    return f"{FLAKY_MODEL}@{version.version}"


def _canary_manifest(flaky: str) -> str:
    gates = """\
  interval: 2s          # each step runs at least this long before it is judged
  min_requests: 30      # per version and step; fewer is "wait", never "pass"
  promote_alias: null   # promotion moves traffic only: champion already points at v2
  gates:
    max_error_rate: 0.05      # threshold on the candidate
    error_rate_tolerance: 0.01  # vs the baseline: fail when worse by more than 1 pp, significantly
    latency_tolerance: 0.5    # median latency may be 50 % worse: laptop latency is noisy
"""
    return f"""\
name: {GOOD_CANARY}
description: "pasarela demo: breast-cancer v2 takes over from v1"
policy:
  type: canary
  baseline: {MODEL}@1
  candidate: {MODEL}@2
  steps: [10, 50, 100]  # percent of traffic to the candidate
{gates}---
name: {FLAKY_CANARY}
description: "pasarela demo: a model that fails 20 % of its batches tries to replace the champion"
policy:
  type: canary
  baseline: {MODEL}@champion
  candidate: {flaky}
  steps: [10, 50, 100]
{gates}"""


def _apply_canaries(registry: Registry, home: Path, flaky: str) -> float:
    """Apply the demo's canary manifest through ``pasarela apply``'s code path and show it;
    returns when the canaries started."""
    text = _canary_manifest(flaky)
    path = home / "demo-canaries.yaml"
    path.write_text(text)
    specs = parse_manifests(text, str(path))
    # A canary that already ended is "unchanged" when applied again and would not start over,
    # so a second run deletes the previous run's canary endpoints first (a recorded change).
    for name in CANARIES:
        try:
            registry.repo.delete_endpoint(name, actor=actor())
        except NotFound:
            continue
        console.print(
            f"[dim]deleted the previous run's endpoint {name}, to start its canary over[/]"
        )
    console.print(f"\n[bold]pasarela apply -f {path}[/]")
    console.print(text, markup=False, highlight=False)
    applied_at = time.time()
    for change in apply_specs(registry, specs, actor=actor()):
        console.print(
            f"endpoint [bold]{change.endpoint}[/] {change.action} (revision {change.revision})"
        )
    return applied_at


def _run_canaries(
    registry: Registry, base: str, rows: list[dict[str, Any]], progress: Progress
) -> dict[str, dict[str, Any]]:
    """Steady traffic to every canary until it ends or CANARY_TIMEOUT_S passes; the canary
    controller inside the server judges and moves them. Returns their last states."""
    tasks = {name: progress.add_task(name, total=None) for name in CANARIES}
    sent = dict.fromkeys(CANARIES, 0)
    stops = {name: threading.Event() for name in CANARIES}
    senders = [
        threading.Thread(
            target=_canary_traffic,
            args=(base, name, rows, stops[name], sent),
            name=f"demo-traffic-{name}",
            daemon=True,
        )
        for name in CANARIES
    ]
    for sender in senders:
        sender.start()
    deadline = time.monotonic() + CANARY_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            states = registry.repo.rollout_states()
            for name in CANARIES:
                state = states.get(name)
                progress.update(tasks[name], description=_progress(name, state, sent[name]))
                if state is not None and state["phase"] in ENDED:
                    stops[name].set()
            if all(stop.is_set() for stop in stops.values()):
                break
            time.sleep(0.25)
    finally:
        for stop in stops.values():
            stop.set()
        for sender in senders:
            sender.join(timeout=10)
        for task in tasks.values():
            progress.remove_task(task)
    return registry.repo.rollout_states()


def _canary_traffic(
    base: str,
    name: str,
    rows: list[dict[str, Any]],
    stop: threading.Event,
    sent: dict[str, int],
) -> None:
    """Requests back to back to endpoint ``name`` until ``stop``."""
    rng = random.Random(name)
    with httpx.Client(base_url=base, timeout=10) as client:
        while not stop.is_set():
            row = rows[rng.randrange(len(rows))]
            try:
                reply = client.post(f"/v1/endpoints/{name}/predict", json={"inputs": [row]})
            except httpx.HTTPError:
                continue
            # 404: the server has not picked the endpoint up yet; the flaky candidate's
            # failures come back as 502 model_error, which is the point
            if reply.status_code != 404:
                sent[name] += 1


def _progress(name: str, state: dict[str, Any] | None, sent: int) -> str:
    if state is None:
        return f"{name}: starting"
    return (
        f"{name}: {state['phase']}, candidate at {state['weight']:g} % "
        f"(step {int(state['step']) + 1}), {sent} requests sent"
    )


def _print_canary(
    registry: Registry, name: str, state: dict[str, Any] | None, applied_at: float
) -> None:
    """The canary's history since it was last applied, then its outcome on one line."""
    events = registry.repo.rollout_events(name)
    starts = [i for i, event in enumerate(events) if event["kind"] == "start"]
    table = Table(
        "event", "step", "weight", "verdict", title=f"canary {name}", title_justify="left"
    )
    for event in events[starts[-1] if starts else 0 :]:
        detail = event["detail"]
        step = str(int(detail.get("step", 0)) + 1)
        weight = f"{detail.get('weight', 0):g} %"
        if "next_weight" in detail:
            weight += f" → {detail['next_weight']:g} %"
        elif event["kind"] in ("promote", "rollback"):
            weight += f" → {100 if event['kind'] == 'promote' else 0} %"
        table.add_row(event["kind"], step, weight, _verdict(event["kind"], detail))
    console.print(table)
    phase = state["phase"] if state else "missing"
    if phase == "promoted":
        outcome = f"promoted: {state['candidate'] if state else ''} takes all traffic"
    elif phase == "rolled_back":
        outcome = f"rolled back ({state['reason'] if state else ''}): the baseline takes it all"
    else:
        outcome = f"still {phase}"
    took = ((state.get("ended_at") if state else None) or time.time()) - applied_at
    console.print(f"canary [bold]{name}[/]: {outcome} ({took:.1f} s)\n")


def _verdict(kind: str, detail: dict[str, Any]) -> str:
    """The verdict's summary and, for a judged step, every check with its numbers."""
    if kind == "start":
        return f"applied (revision {detail.get('revision')})"
    checks = detail.get("checks", [])
    if kind == "hold":  # every check waits on the same thing; the traffic check says what
        checks = [c for c in checks if c["name"] == "traffic"]
    lines = [detail.get("summary", "")]
    lines += [f"{c['status']:<4} {c['detail']}" for c in checks]
    if detail.get("alias"):
        lines.append(detail["alias"])
    return "\n".join(line for line in lines if line)


EXPERIMENT_MANIFEST = f"""\
name: {EXPERIMENT_ENDPOINT}
description: "pasarela demo: do users complete their task more often with v2 than with v1?"
policy:
  type: experiment
  experiment: {EXPERIMENT}
  hypothesis: users complete their task more often with v2
  salt: pasarela-demo   # a unit lands on the same variant on every run
  variants:
    - {{name: control, target: {MODEL}@1, weight: 50}}
    - {{name: treatment, target: {MODEL}@2, weight: 50}}
  primary_metric: {{kind: task_completed, stat: rate}}
  mde: 0.3              # plan to detect a 30 % relative change
"""


def _run_experiment(
    registry: Registry, home: Path, base: str, rows: list[dict[str, Any]], progress: Progress
) -> tuple[dict[str, Any], float]:
    """Apply the experiment as ``pasarela apply -f`` does, start it, send one request per
    simulated user with a ``task_completed`` feedback drawn at the variant's rate, and return
    the report once every feedback item is stored, with the seconds it all took."""
    began = time.monotonic()
    path = home / "demo-experiment.yaml"
    path.write_text(EXPERIMENT_MANIFEST)
    specs = parse_manifests(EXPERIMENT_MANIFEST, str(path))
    try:  # a stopped or finished experiment would not start again: start over
        registry.repo.delete_endpoint(EXPERIMENT_ENDPOINT, actor=actor())
        console.print(
            f"[dim]deleted the previous run's endpoint {EXPERIMENT_ENDPOINT}, "
            "to start its experiment over[/]"
        )
    except NotFound:
        pass
    console.print(f"\n[bold]pasarela apply -f {path}[/]")
    console.print(EXPERIMENT_MANIFEST, markup=False, highlight=False)
    for change in apply_specs(registry, specs, actor=actor()):
        console.print(
            f"endpoint [bold]{change.endpoint}[/] {change.action} (revision {change.revision})"
        )
    start_experiment(registry, EXPERIMENT, actor=actor())
    console.print(f"[bold]pasarela experiments start {EXPERIMENT}[/]")
    task = progress.add_task("running the experiment", total=EXPERIMENT_UNITS)
    deadline = time.monotonic() + EXPERIMENT_TIMEOUT_S
    rng = random.Random(11)
    with httpx.Client(base_url=base, timeout=10) as client:
        _wait_split(client, get_experiment(registry, EXPERIMENT).options, rows[0], deadline)
        feedback = []
        for i in range(EXPERIMENT_UNITS):
            reply = client.post(
                f"/v1/endpoints/{EXPERIMENT_ENDPOINT}/predict",
                json={"inputs": [rows[i % len(rows)]], "unit_id": f"demo-user-{i}"},
            )
            reply.raise_for_status()
            answer = reply.json()
            completed = rng.random() < COMPLETION[answer["reason"]]
            feedback.append({"request_id": answer["request_id"], "task_completed": completed})
            progress.advance(task)
        client.post("/v1/feedback", json=feedback).raise_for_status()
    try:
        while True:
            report = experiment_report(registry, EXPERIMENT)
            stored = sum(v["metrics"]["task_completed"]["n"] for v in report["variants"])
            if stored >= EXPERIMENT_UNITS or time.monotonic() > deadline:
                return report, time.monotonic() - began
            time.sleep(0.2)  # the record writer stores in batches
    finally:
        progress.remove_task(task)


def _wait_split(
    client: httpx.Client, options: ExperimentOptions, row: dict[str, Any], deadline: float
) -> None:
    """Until the server serves the started experiment (it picks changes up within
    ``snapshot_poll_s``; a draft serves the control only). It asks for a unit that the running
    split sends to the treatment: one more treatment unit in the report, without feedback."""
    # the policy as the server will run it; only its reasons matter here, not the versions
    versions = {v.target: VersionId(MODEL, n) for n, v in enumerate(options.variants, 1)}
    running = ExperimentPolicy(options, versions, {"phase": "running"})
    treatment = reason_for(options.variants[1].name)

    def reason(unit: str) -> str:
        request = RequestContext(request_id="", endpoint=EXPERIMENT_ENDPOINT, unit_id=unit)
        return running.decide(request, random.Random()).reason

    probe = next(f"demo-probe-{n}" for n in range(1000) if reason(f"demo-probe-{n}") == treatment)
    while time.monotonic() < deadline:
        reply = client.post(
            f"/v1/endpoints/{EXPERIMENT_ENDPOINT}/predict",
            json={"inputs": [row], "unit_id": probe},
        )
        if reply.status_code == 200 and reply.json()["reason"] == treatment:
            return
        time.sleep(0.05)
    raise ConfigurationError(f"the demo server did not start {EXPERIMENT} in time")


def _print_experiment(report: dict[str, Any], took: float) -> None:
    """The report's variants, the sample-ratio check and the conclusions."""
    console.print(
        f"experiment [bold]{report['experiment']}[/] ({report['phase']}): "
        f"{report['hypothesis']}\n{EXPERIMENT_UNITS} simulated users, who complete their task "
        f"{COMPLETION['variant:control']:.0%} of the time on v1 and "
        f"{COMPLETION['variant:treatment']:.0%} on v2 ({took:.1f} s)"
    )
    table = Table("variant", "target", "units", "task completed")
    for variant in report["variants"]:
        completed = variant["metrics"]["task_completed"]
        rate = "—" if completed["mean"] is None else f"{completed['mean']:.1%}"
        table.add_row(variant["name"], variant["target"], str(variant["units"]), rate)
    console.print(table)
    ratio = report["sample_ratio"]
    console.print(
        f"sample ratio {'MISMATCH' if ratio['flagged'] else 'ok'} (p = {ratio['p_value']:.3g})",
        markup=False,
    )
    for line in report["conclusions"]:
        console.print(f"• {line}", markup=False, highlight=False)
    console.print()


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
    base: str, rows: list[dict[str, Any]], labels: list[int], stop: threading.Event
) -> None:
    """A few requests a second, each followed by its true label and whether the user was
    satisfied, until ``stop``: the stats and metrics stay alive while someone looks."""
    rng = random.Random(7)
    with httpx.Client(base_url=base, timeout=10) as client:
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
    base: str, rows: list[dict[str, Any]], labels: list[int], count: int, progress: Progress
) -> tuple[int, list[float]]:
    task = progress.add_task("sending sample traffic", total=count)
    correct = 0
    latencies: list[float] = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for i in range(count):
            row, label = rows[i % len(rows)], labels[i % len(labels)]
            started = time.perf_counter()
            reply = client.post(f"/v1/endpoints/{ENDPOINT}/predict", json={"inputs": [row]})
            latencies.append(time.perf_counter() - started)
            reply.raise_for_status()
            correct += int(reply.json()["outputs"][0]["label"] == label)
            progress.advance(task)
    return correct, latencies
