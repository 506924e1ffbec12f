"""The canary state machine, driven by hand: what each verdict does to the state."""

from __future__ import annotations

from typing import Any

import numpy as np

from pasarela.control.apply import initial_canary_state
from pasarela.control.canary import advance, due_at
from pasarela.control.manifest import parse_document
from pasarela.routing import policy_options
from pasarela.routing.canary import CanaryOptions
from pasarela.stats.canary import VersionWindow
from pasarela.types import EndpointSpec

RNG = np.random.default_rng(3)


def canary(**options: Any) -> tuple[EndpointSpec, CanaryOptions]:
    spec = parse_document(
        {
            "name": "c",
            "policy": {
                "type": "canary",
                "baseline": "m@1",
                "candidate": "m@2",
                "interval": "1m",
                "min_requests": 50,
                **options,
            },
        }
    )
    parsed = policy_options("canary", spec.options)
    assert isinstance(parsed, CanaryOptions)
    return spec, parsed


def window(requests: int, error_rate: float = 0.01, median_s: float = 0.02) -> VersionWindow:
    errors = round(requests * error_rate)
    latencies = (median_s * RNG.lognormal(0.0, 0.3, size=requests)).tolist()
    return VersionWindow(requests, errors, latencies)


def test_a_fresh_canary_starts_at_its_first_step_and_is_due_one_interval_later() -> None:
    spec, options = canary()
    state = initial_canary_state(spec, now=1000.0)
    assert state["phase"] == "progressing" and state["step"] == 0 and state["weight"] == 5.0
    assert due_at(options, state) == 1060.0


def test_passing_steps_climb_to_promotion() -> None:
    spec, options = canary()
    state: dict[str, Any] = initial_canary_state(spec, now=0.0)
    seen = []
    now = 0.0
    for _ in range(3):
        now = due_at(options, state)
        move = advance(options, state, now, window(400), window(4000))
        seen.append((move.event, move.state["weight"]))
        state = move.state
    assert seen == [("step", 20.0), ("step", 50.0), ("promote", 100.0)]
    assert state["phase"] == "promoted" and state["ended_at"] == now
    assert "checks" in move.detail and move.detail["action"] == "promote"


def test_a_worse_candidate_rolls_back_with_the_numbers_behind_it() -> None:
    spec, options = canary()
    state = initial_canary_state(spec, now=0.0)
    move = advance(options, state, 60.0, window(400, error_rate=0.08), window(4000, 0.01))
    assert move.event == "rollback"
    assert move.state["phase"] == "rolled_back" and move.state["weight"] == 0.0
    failing = [c for c in move.detail["checks"] if c["status"] == "fail"]
    assert failing and failing[0]["name"] == "error_rate_vs_baseline"
    assert failing[0]["p_value"] < failing[0]["alpha"]
    assert move.state["reason"] == move.detail["summary"]


def test_too_little_data_holds_and_is_judged_again_one_interval_later() -> None:
    spec, options = canary()
    state = initial_canary_state(spec, now=0.0)
    move = advance(options, state, 60.0, window(10), window(4000))
    assert move.event == "hold"
    assert move.state["phase"] == "progressing" and move.state["step"] == 0
    assert due_at(options, move.state) == 120.0


def test_the_progress_deadline_turns_a_long_wait_into_a_rollback() -> None:
    spec, options = canary(progress_deadline="5m")
    state = initial_canary_state(spec, now=0.0)
    assert advance(options, state, 240.0, window(0), window(4000)).event == "hold"
    move = advance(options, state, 300.0, window(0), window(4000))
    assert move.event == "rollback"
    assert move.state["reason"].startswith("no verdict after 5m")


def test_two_step_canary_promotes_after_one_judged_step() -> None:
    spec, options = canary(steps=[50, 100])
    state = initial_canary_state(spec, now=0.0)
    assert advance(options, state, 60.0, window(400), window(400)).event == "promote"


def test_a_step_waiting_for_feedback_holds_even_if_a_comparison_fails_meanwhile() -> None:
    feedback_gate = {"kind": "reward", "stat": "mean", "min_count": 10}
    spec, options = canary(gates={"feedback": [feedback_gate]})
    state = initial_canary_state(spec, now=0.0)
    move = advance(options, state, 60.0, window(400, error_rate=0.08), window(4000, 0.01))
    statuses = {c["name"]: c["status"] for c in move.detail["checks"]}
    assert statuses["error_rate_vs_baseline"] == "fail"
    assert "wait" in statuses.values()
    assert move.event == "hold"  # judged once, when the step has all its data


def test_a_failing_threshold_is_a_test_too_and_waits_for_the_step_like_a_comparison() -> None:
    # issue 15: a threshold is judged on a confidence bound and spends a share of alpha, so it
    # gets one look per step like the comparisons: while feedback is missing the step holds
    feedback_gate = {"kind": "reward", "stat": "mean", "min_count": 10}
    spec, options = canary(gates={"feedback": [feedback_gate], "max_error_rate": 0.05})
    state = initial_canary_state(spec, now=0.0)
    move = advance(options, state, 60.0, window(400, error_rate=0.12), window(4000, 0.01))
    statuses = {c["name"]: c["status"] for c in move.detail["checks"]}
    assert statuses["error_rate"] == "fail"
    assert move.event == "hold"
    # with every check's data in, the same threshold rolls the canary back
    no_feedback_gate, options = canary(gates={"max_error_rate": 0.05})
    state = initial_canary_state(no_feedback_gate, now=0.0)
    move = advance(options, state, 60.0, window(400, error_rate=0.12), window(4000, 0.01))
    assert move.event == "rollback"
