"""``pasarela demo``'s two canaries, applied from a manifest as ``pasarela apply -f`` does.

v1 → v2, which promotes itself, and the champion → a model that fails a fifth of its batches,
which rolls itself back. The demo sends both traffic until they end (the canary controller
inside the demo's server judges and moves them) and prints each one's history.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
from rich.progress import Progress
from rich.table import Table

from pasarela.cli.common import actor, console, print_copyable
from pasarela.cli.rollout_view import step_of, verdict_of, weight_of
from pasarela.control.apply import apply_specs
from pasarela.control.manifest import parse_manifests
from pasarela.demo.names import MODEL
from pasarela.errors import NotFound
from pasarela.registry.service import Registry

FLAKY_MODEL = "breast-cancer-flaky"
GOOD_CANARY = "breast-cancer-canary"
FLAKY_CANARY = "breast-cancer-flaky"
CANARIES = (GOOD_CANARY, FLAKY_CANARY)
CANARY_TIMEOUT_S = 60.0
ENDED = ("promoted", "rolled_back")


def register_flaky(registry: Registry, features: pd.DataFrame) -> str:
    """The flaky candidate's reference, registered on the first run and reused after."""
    if FLAKY_MODEL in registry.versions.models():
        versions = registry.versions.of(FLAKY_MODEL)
        if versions:
            return f"{FLAKY_MODEL}@{versions[-1].version}"
    version = registry.register(
        FLAKY_MODEL,
        kind="python",
        entrypoint="pasarela.demo.flaky:FlakyBreastCancerModel",
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
    tail_latency_tolerance: 0.5  # and the p99 too, for the same reason
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


def apply_canaries(registry: Registry, home: Path, flaky: str) -> float:
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
            registry.endpoints.delete(name, actor=actor())
        except NotFound:
            continue
        console.print(
            f"[dim]deleted the previous run's endpoint {name}, to start its canary over[/]"
        )
    console.print()
    print_copyable(f"pasarela apply -f {path}")
    print_copyable(text)
    applied_at = time.time()
    for change in apply_specs(registry, specs, actor=actor()):
        console.print(
            f"endpoint [bold]{change.endpoint}[/] {change.action} (revision {change.revision})"
        )
    return applied_at


def run_canaries(
    registry: Registry,
    base: str,
    headers: Mapping[str, str],
    rows: list[dict[str, Any]],
    progress: Progress,
) -> dict[str, dict[str, Any]]:
    """Steady traffic to every canary, sent with ``headers`` (the client key's), until it
    ends or CANARY_TIMEOUT_S passes; the canary controller inside the server judges and moves
    them. Returns their last states."""
    tasks = {name: progress.add_task(name, total=None) for name in CANARIES}
    sent = dict.fromkeys(CANARIES, 0)
    stops = {name: threading.Event() for name in CANARIES}
    senders = [
        threading.Thread(
            target=_canary_traffic,
            args=(base, headers, name, rows, stops[name], sent),
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
            states = registry.rollouts.states()
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
    return registry.rollouts.states()


def _canary_traffic(
    base: str,
    headers: Mapping[str, str],
    name: str,
    rows: list[dict[str, Any]],
    stop: threading.Event,
    sent: dict[str, int],
) -> None:
    """Requests back to back to endpoint ``name`` until ``stop``."""
    rng = random.Random(name)
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
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


def print_canary(
    registry: Registry, name: str, state: dict[str, Any] | None, applied_at: float
) -> None:
    """The canary's history since it was last applied, then its outcome on one line."""
    events = registry.rollouts.events(name)
    starts = [i for i, event in enumerate(events) if event["kind"] == "start"]
    table = Table(
        "event", "step", "weight", "verdict", title=f"canary {name}", title_justify="left"
    )
    for event in events[starts[-1] if starts else 0 :]:
        detail = event["detail"]
        table.add_row(
            event["kind"],
            step_of(detail),
            weight_of(event["kind"], detail),
            verdict_of(event["kind"], detail),
        )
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
