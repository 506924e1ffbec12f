"""How a rollout's history reads in a terminal: one row per event, each verdict with the numbers
of every check. ``pasarela rollout status`` and the demo's canaries print the same rows."""

from __future__ import annotations

from typing import Any

from rich.table import Table


def step_of(detail: dict[str, Any]) -> str:
    """The 1-based step an event happened at ("" when it names none)."""
    return str(int(detail["step"]) + 1) if "step" in detail else ""


def weight_of(kind: str, detail: dict[str, Any]) -> str:
    """The candidate's weight at the event and, when it moved, where it went."""
    if "weight" not in detail:
        return ""
    weight = f"{detail['weight']:g} %"
    if "next_weight" in detail:
        weight += f" → {detail['next_weight']:g} %"
    elif kind in ("promote", "rollback"):
        weight += f" → {100 if kind == 'promote' else 0} %"
    return weight


def verdict_of(kind: str, detail: dict[str, Any]) -> str:
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


def events_table(events: list[dict[str, Any]], *, title: str | None = None) -> Table:
    """Every event of ``events`` (``RolloutRepository.events``), oldest first."""
    table = Table(
        "at", "event", "step", "weight", "verdict", "by", title=title, title_justify="left"
    )
    for event in events:
        detail = event["detail"]
        table.add_row(
            event["at"][:19].replace("T", " "),
            event["kind"],
            step_of(detail),
            weight_of(event["kind"], detail),
            verdict_of(event["kind"], detail),
            event["actor"],
        )
    return table
