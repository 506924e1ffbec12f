"""``pasarela apply``, ``get endpoint``, ``rollout …`` and ``shadow report``."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from pasarela.cli.common import actor, console, registry, reports_errors
from pasarela.cli.rollout_view import events_table
from pasarela.errors import InvalidRequest

get_app = typer.Typer(help="Print what is declared.", no_args_is_help=True)
rollout_app = typer.Typer(help="Drive and inspect rollouts.", no_args_is_help=True)
shadow_app = typer.Typer(help="Shadow traffic.", no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="Endpoint name")]


@reports_errors
def apply(
    files: Annotated[
        list[Path], typer.Option("--file", "-f", help="Manifest (YAML); '-' reads stdin")
    ],
) -> None:
    """Create or update endpoints from manifests; unchanged ones stay as they are."""
    from pasarela.control.apply import apply_specs
    from pasarela.control.manifest import parse_manifests
    from pasarela.safe_yaml import read_yaml_text

    specs = []
    for path in files:
        if str(path) == "-":
            specs += parse_manifests(read_yaml_text(sys.stdin.buffer, "<stdin>"), "<stdin>")
            continue
        if not path.is_file():
            raise InvalidRequest(f"{path} does not exist")
        with path.open("rb") as stream:
            specs += parse_manifests(read_yaml_text(stream, str(path)), str(path))
    for change in apply_specs(registry(), specs, actor=actor()):
        revision = f" (revision {change.revision})" if change.revision else ""
        console.print(f"endpoint [bold]{change.endpoint}[/] {change.action}{revision}")
        if change.diff:
            console.print(change.diff, markup=False, highlight=False, end="")


@get_app.command("endpoint")
@reports_errors
def get_endpoint(
    name: Name,
    output: Annotated[str, typer.Option("--output", "-o", help="yaml or json")] = "yaml",
    revision: Annotated[int | None, typer.Option(help="An earlier revision")] = None,
) -> None:
    """Print an endpoint's manifest, ready to edit and apply."""
    from pasarela.control.manifest import to_yaml
    from pasarela.control.rollouts import spec_of

    spec = spec_of(registry(), name, revision)
    if output == "yaml":
        print(to_yaml(spec), end="")
    elif output == "json":
        print(json.dumps(spec.to_manifest(), indent=2))
    else:
        raise InvalidRequest("--output is yaml or json")


@rollout_app.command("status")
@reports_errors
def status(
    name: Name,
    output: Annotated[str, typer.Option("--output", "-o", help="table or json")] = "table",
) -> None:
    """The rollout's phase and weight, every verdict with its numbers, and the revisions."""
    from pasarela.control.rollouts import rollout_status

    if output not in ("table", "json"):
        raise InvalidRequest("--output is table or json")
    found = rollout_status(registry(), name)
    if output == "json":
        print(json.dumps(found, indent=2))
        return
    console.print(
        f"endpoint [bold]{name}[/] ({found['policy']}: {', '.join(found['targets'])})",
        highlight=False,
    )
    console.print(_phase_line(found), highlight=False)
    if found["history"]:
        console.print(events_table(found["history"], title="history"))
    revisions = Table("revision", "action", "by", "at", title="revisions", title_justify="left")
    for r in found["revisions"]:
        revisions.add_row(str(r["revision"]), r["action"], r["actor"], r["at"][:19])
    console.print(revisions)


def _phase_line(found: dict[str, Any]) -> str:
    state = found["state"]
    if not found["live"]:
        line = f"phase [bold]{found['phase']}[/]: {found['policy']}, no rollout running"
        if state:  # e.g. undone from a rolled-back canary to a single version
            line += f" (the last one ended {state['phase']})"
        return line
    line = f"phase [bold]{found['phase']}[/]"
    if "weight" in state:
        line += f", candidate weight {state['weight']:g} %"
        if "step" in state and state["phase"] in ("progressing", "paused"):
            line += f" (step {int(state['step']) + 1})"
    elif "allocation" in state:
        shares = ", ".join(f"{arm} {share:.1%}" for arm, share in state["allocation"].items())
        line += f", allocation {shares}"
    if state.get("reason"):
        line += f" — {state['reason']}"
    return line


@rollout_app.command("history")
@reports_errors
def history(name: Name) -> None:
    """Every recorded change of the endpoint: who, when, and the diff of its manifest."""
    from pasarela.control.rollouts import rollout_status

    for r in rollout_status(registry(), name)["revisions"]:
        console.print(
            f"[bold]revision {r['revision']}[/] {r['action']} by {r['actor']} at {r['at']}"
        )
        console.print(r["diff"] or "(no change)\n", markup=False, highlight=False, end="")


def _action(name: str, action: str, revision: int | None = None) -> None:
    from pasarela.control.rollouts import run_action

    result = run_action(registry(), name, action, actor=actor(), revision=revision)
    console.print(_done(result), highlight=False)
    if result.get("diff"):
        console.print(result["diff"], markup=False, highlight=False, end="")


def _done(result: dict[str, Any]) -> str:
    """What an action did, as a sentence."""
    name = f"endpoint [bold]{result['endpoint']}[/]"
    if result["action"] == "undo":
        return f"{name}: revision {result['restored']} restored as revision {result['revision']}"
    if result["action"] == "switch":
        return (
            f"{name}: switched, {result['active']} is live, {result['standby']} on standby "
            f"(revision {result['revision']})"
        )
    return f"{name}: {result['phase']}, candidate weight {result['weight']:g} %"


@rollout_app.command("promote")
@reports_errors
def promote(name: Name) -> None:
    """Canary: send all traffic to the candidate now and move the promotion alias."""
    _action(name, "promote")


@rollout_app.command("abort")
@reports_errors
def abort(name: Name) -> None:
    """Canary: roll back to the baseline now."""
    _action(name, "abort")


@rollout_app.command("pause")
@reports_errors
def pause(name: Name) -> None:
    """Canary: hold the current weight; the controller leaves it alone."""
    _action(name, "pause")


@rollout_app.command("resume")
@reports_errors
def resume(name: Name) -> None:
    """Canary: carry on from the current step (its window starts again)."""
    _action(name, "resume")


@rollout_app.command("switch")
@reports_errors
def switch(name: Name) -> None:
    """Blue-green: make the standby live (after its smoke requests pass)."""
    _action(name, "switch")


@rollout_app.command("undo")
@reports_errors
def undo(
    name: Name,
    to_revision: Annotated[int | None, typer.Option(help="Restore this revision")] = None,
) -> None:
    """Restore the endpoint as it was before its last change (or at --to-revision)."""
    _action(name, "undo", to_revision)


@shadow_app.command("report")
@reports_errors
def report(
    name: Name,
    window: Annotated[str, typer.Option(help="How far back: 15m, 1h, 24h")] = "1h",
    output: Annotated[str, typer.Option("--output", "-o", help="table or json")] = "table",
) -> None:
    """How each shadow version compares with what served the same requests."""
    from pasarela.storage.windows import shadow_rows
    from pasarela.telemetry.aggregates import parse_window
    from pasarela.telemetry.shadows import shadow_report

    seconds = parse_window(window)
    reg = registry()
    reg.endpoints.get(name)
    found = shadow_report(name, seconds, shadow_rows(reg.engine, name, time.time() - seconds))
    if output == "json":
        print(json.dumps(found, indent=2))
        return
    since = datetime.fromtimestamp(time.time() - seconds, UTC).isoformat(timespec="seconds")
    table = Table(
        "shadow", "calls", "errors (Δ)", "agreement", "abs error p50/p95", "p50 ms (Δ)", "compute Δ"
    )
    for s in found["shadows"]:
        abs_error = s["abs_error"]
        table.add_row(
            s["version"],
            str(s["calls"]),
            f"{_pct(s['error_rate'])} ({_pct(s['error_rate_delta'], signed=True)})",
            _pct(s["agreement_rate"]),
            "—" if abs_error["p50"] is None else f"{abs_error['p50']:.4g} / {abs_error['p95']:.4g}",
            _ms(s["latency_ms"]["shadow"]["p50"], s["latency_p50_delta_ms"]),
            "—" if s["compute_delta_pct"] is None else f"{s['compute_delta_pct']:+.0f} %",
        )
    console.print(f"shadows of [bold]{name}[/] since {since}")
    console.print(table)


def _pct(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{100 * value:+.2f} %" if signed else f"{100 * value:.2f} %"


def _ms(value: float | None, delta: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} ({delta:+.1f})" if delta is not None else f"{value:.1f}"
