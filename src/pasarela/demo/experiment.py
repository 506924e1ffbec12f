"""``pasarela demo``'s A/B experiment: v1 against v2, with simulated users who complete their
task more often on v2, applied from a manifest as ``pasarela apply -f`` does, then its report.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from rich.progress import Progress
from rich.table import Table

from pasarela.cli.common import actor, console, print_copyable
from pasarela.control.apply import apply_specs
from pasarela.control.experiment_report import experiment_report
from pasarela.control.experiments import get_experiment
from pasarela.control.experiments import start as start_experiment
from pasarela.control.manifest import parse_manifests
from pasarela.demo.names import MODEL
from pasarela.errors import ConfigurationError, NotFound
from pasarela.registry.service import Registry
from pasarela.routing.experiment import ExperimentOptions, ExperimentPolicy, reason_for
from pasarela.types import RequestContext, VersionId

EXPERIMENT_ENDPOINT = "breast-cancer-experiment"
EXPERIMENT = "breast-cancer-v2"
EXPERIMENT_UNITS = 400
COMPLETION = {"variant:control": 0.35, "variant:treatment": 0.55}
"""The simulated users' chance to complete their task on each variant: a real difference, so
the report has something to find."""
EXPERIMENT_TIMEOUT_S = 15.0


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
  baseline: 0.35        # of v1's completion rate: the plan tunes the always-valid test
"""


def run_experiment(
    registry: Registry,
    home: Path,
    base: str,
    headers: Mapping[str, str],
    rows: list[dict[str, Any]],
    progress: Progress,
) -> tuple[dict[str, Any], float]:
    """Apply the experiment as ``pasarela apply -f`` does, start it, send one request per
    simulated user with a ``task_completed`` feedback drawn at the variant's rate (both with
    ``headers``, the client key's), and return the report once every feedback item is stored,
    with the seconds it all took."""
    began = time.monotonic()
    path = home / "demo-experiment.yaml"
    path.write_text(EXPERIMENT_MANIFEST)
    specs = parse_manifests(EXPERIMENT_MANIFEST, str(path))
    try:  # a stopped or finished experiment would not start again: start over
        registry.endpoints.delete(EXPERIMENT_ENDPOINT, actor=actor())
        console.print(
            f"[dim]deleted the previous run's endpoint {EXPERIMENT_ENDPOINT}, "
            "to start its experiment over[/]"
        )
    except NotFound:
        pass
    console.print()
    print_copyable(f"pasarela apply -f {path}")
    print_copyable(EXPERIMENT_MANIFEST)
    for change in apply_specs(registry, specs, actor=actor()):
        console.print(
            f"endpoint [bold]{change.endpoint}[/] {change.action} (revision {change.revision})"
        )
    start_experiment(registry, EXPERIMENT, actor=actor())
    print_copyable(f"pasarela experiments start {EXPERIMENT}")
    task = progress.add_task("running the experiment", total=EXPERIMENT_UNITS)
    deadline = time.monotonic() + EXPERIMENT_TIMEOUT_S
    rng = random.Random(11)
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
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


def print_experiment(report: dict[str, Any], took: float) -> None:
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
