"""What the rollout page shows, as plain data: where an endpoint's rollout stands (phase,
weight, step, why it ended), every verdict the canary judge gave with the numbers of each
check, the rollout's history and the endpoint's revisions. Pure: the route reads
``rollout_status`` and renders this."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from pasarela.ui.views import DASH, count, number, percent

CHECK_COLUMNS = (
    "Check",
    "Status",
    "Candidate",
    "Baseline",
    "Threshold",
    "Test",
    "p-value",
    "alpha",
    "Detail",
)


def _when(iso: str | None) -> str:
    return iso[:19].replace("T", " ") + " UTC" if iso else DASH


def _measure(check: str, value: float | None) -> str:
    """A check's number as people read it: rates in %, latencies in ms, traffic in requests
    (``stats/canary.py``'s ``Check`` holds rates as fractions and latencies in ms)."""
    if value is None:
        return DASH
    if check == "traffic":
        return count(int(value))
    if "latency" in check:
        return f"{value:,.1f} ms"
    if "error_rate" in check:
        return percent(value)
    return number(value, 3)


def _threshold(check: str, value: float | None) -> str:
    """A check's threshold: latency against the baseline (median or tail) is a relative
    tolerance (0.1: up to 10 % slower), the rest are in the unit of the check's values."""
    if value is not None and check in ("latency_vs_baseline", "tail_latency_vs_baseline"):
        return f"{value * 100:g}% slower"
    return _measure(check, value)


def _check_row(check: Mapping[str, Any]) -> dict[str, Any]:
    name = check["name"]
    p_value = check.get("p_value")
    alpha = check.get("alpha")
    return {
        "name": name,
        "status": check["status"],
        "cells": [
            name,
            check["status"],
            _measure(name, check.get("candidate")),
            _measure(name, check.get("baseline")),
            _threshold(name, check.get("threshold")),
            check.get("test") or DASH,
            DASH if p_value is None else f"{p_value:.3g}",
            DASH if alpha is None else f"{alpha:.3g}",
            check.get("detail") or "",
        ],
    }


def _weight(value: Any) -> str:
    return DASH if value is None else f"{float(value):g} %"


def _describe(kind: str, detail: Mapping[str, Any]) -> str:
    parts = []
    if "step" in detail:
        parts.append(f"step {int(detail['step']) + 1}")
    if "weight" in detail:
        parts.append(f"weight {_weight(detail['weight'])}")
    if "next_weight" in detail:
        parts.append(f"next {_weight(detail['next_weight'])}")
    for key in ("summary", "alias", "reason"):
        if detail.get(key):
            parts.append(str(detail[key]))
    return "; ".join(parts) or kind


def _state(state: Mapping[str, Any] | None) -> dict[str, Any]:
    if not state:  # a single or blue-green endpoint: nothing rolls out by itself
        state = {"phase": "none"}
    allocation = state.get("allocation") or {}
    return {
        "phase": str(state.get("phase", DASH)),
        "weight": _weight(state.get("weight")),
        "step": str(int(state["step"]) + 1) if "step" in state else DASH,
        "reason": state.get("reason"),
        "candidate": state.get("candidate"),
        "baseline": state.get("baseline"),
        "allocation": [f"{arm} {percent(share)}" for arm, share in allocation.items()],
    }


def rollout_view(status: Mapping[str, Any]) -> dict[str, Any]:
    """The rollout page of ``status`` (what ``control.rollouts.rollout_status`` returns)."""
    name = status["endpoint"]
    history = status["history"]
    verdicts = [
        {
            "id": event["id"],
            "at": _when(event["at"]),
            "kind": event["kind"],
            "step": str(int(event["detail"]["step"]) + 1) if "step" in event["detail"] else DASH,
            "weight": _weight(event["detail"].get("weight")),
            "action": event["detail"].get("action", event["kind"]),
            "summary": event["detail"].get("summary", ""),
            "checks": [_check_row(c) for c in event["detail"]["checks"]],
        }
        for event in reversed(history)
        if isinstance(event.get("detail"), dict) and "checks" in event["detail"]
    ]
    return {
        "endpoint": name,
        "endpoint_href": f"/ui/endpoints/{quote(name, safe='')}",
        "policy": status["policy"],
        "targets": ", ".join(status["targets"]),
        "state": _state(status["state"]),
        "check_columns": CHECK_COLUMNS,
        "verdicts": verdicts,
        "history": [
            {
                "at": _when(event["at"]),
                "kind": event["kind"],
                "actor": event["actor"],
                "detail": _describe(event["kind"], event.get("detail") or {}),
            }
            for event in reversed(history)
        ],
        "revisions": [
            {
                "revision": r["revision"],
                "action": r["action"],
                "actor": r["actor"],
                "at": _when(r["at"]),
                "diff": r["diff"],
            }
            for r in reversed(status["revisions"])
        ],
    }
