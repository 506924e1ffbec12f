"""The canary controller: judges each running canary once per interval and moves it.

``advance`` is the whole state machine, pure (options, state, clock reading and the step's data
in; the next state and the history event out), so a simulation drives exactly what production
runs. ``CanaryController`` does the I/O around it: it reads each step's window from the request
records, writes the new state (which the data plane picks up through its snapshot) and, on
promotion, moves the promotion alias to the candidate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pasarela.errors import Conflict, PasarelaError
from pasarela.registry.service import Registry, parse_ref
from pasarela.routing import policy_options
from pasarela.routing.canary import CanaryOptions, duration_s
from pasarela.spec import GatesSpec
from pasarela.stats.canary import (
    FeedbackGate,
    FeedbackSummary,
    Gates,
    Verdict,
    VersionWindow,
    judge,
)
from pasarela.storage.windows import version_window
from pasarela.types import VersionId

log = logging.getLogger(__name__)

ACTOR = "canary-controller"


@dataclass(frozen=True, slots=True)
class Move:
    """What one judgement does: the next state and the event that records why."""

    state: dict[str, Any]
    event: str
    """``step`` (next weight), ``promote``, ``rollback`` or ``hold``."""
    detail: dict[str, Any]


def judged_gates(spec: GatesSpec) -> Gates:
    """A canary's ``gates`` section as the judge takes them."""
    data = spec.model_dump(exclude={"feedback"})
    return Gates(**data, feedback=tuple(FeedbackGate(**f.model_dump()) for f in spec.feedback))


def due_at(options: CanaryOptions, state: Mapping[str, Any]) -> float:
    """When the current step is next judged: one interval after it started or was last held."""
    last = max(float(state["step_started_at"]), float(state.get("judged_at", 0.0)))
    return last + options.interval_s


def advance(
    options: CanaryOptions,
    state: Mapping[str, Any],
    now: float,
    candidate: VersionWindow,
    baseline: VersionWindow,
) -> Move:
    """Judge the current step on its window and say where the canary goes next."""
    step = int(state["step"])
    verdict = judge(
        candidate,
        baseline,
        judged_gates(options.gates),
        min_requests=options.min_requests,
        alpha=options.alpha,
        looks=options.judged_steps,
    )
    detail: dict[str, Any] = {"step": step, "weight": options.steps[step], **verdict.to_json()}
    action = verdict.action
    if action == "rollback" and _comparisons_only(verdict):
        # A step still waiting for some data (feedback, say) is judged again later on more
        # data; rolling back now on a test (a comparison or a threshold's confidence bound)
        # would be one more look than the Bonferroni split accounts for.
        action = "hold"
    if action == "rollback":
        return _end(state, "rolled_back", now, verdict.summary, "rollback", detail)
    if action == "hold":
        waited = now - float(state["step_started_at"])
        deadline = options.progress_deadline
        if deadline is not None and waited >= duration_s(deadline):
            reason = f"no verdict after {deadline}: {verdict.summary}"
            detail["summary"] = reason
            return _end(state, "rolled_back", now, reason, "rollback", detail)
        return Move({**state, "judged_at": now}, "hold", detail)
    if step + 1 >= options.judged_steps:
        return _end(state, "promoted", now, verdict.summary, "promote", detail)
    following = {
        **state,
        "step": step + 1,
        "weight": options.steps[step + 1],
        "step_started_at": now,
        "judged_at": 0.0,
    }
    return Move(following, "step", {**detail, "next_weight": options.steps[step + 1]})


def _comparisons_only(verdict: Verdict) -> bool:
    """The verdict waits for something, and every failing check is a test (a comparison or a
    threshold's confidence bound, each with a p-value spent from the Bonferroni budget)."""
    statuses = {c.status for c in verdict.checks}
    failing = [c for c in verdict.checks if c.status == "fail"]
    return "wait" in statuses and all(c.p_value is not None for c in failing)


def _end(
    state: Mapping[str, Any],
    phase: str,
    now: float,
    reason: str,
    event: str,
    detail: dict[str, Any],
) -> Move:
    weight = 100.0 if phase == "promoted" else 0.0
    ended = {**state, "phase": phase, "weight": weight, "reason": reason, "ended_at": now}
    return Move(ended, event, detail)


class CanaryController:
    """Runs every canary in the ``progressing`` phase; one per deployment (the leader).

    Example::

        controller = CanaryController(registry)
        controller.tick()  # judge what is due now
    """

    def __init__(
        self,
        registry: Registry,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.clock = clock

    def tick(self) -> list[Move]:
        """Judge every canary that is due; returns the moves made. Blocking (database I/O)."""
        moves = []
        states = self.registry.rollouts.states()
        for spec in self.registry.endpoints.all():
            state = states.get(spec.name)
            if spec.policy != "canary" or not state or state.get("phase") != "progressing":
                continue
            try:
                move = self._judge(spec.name, spec.options, state)
            except Conflict:
                continue  # someone paused or aborted it meanwhile: their move stands
            except PasarelaError as exc:
                log.error("canary %s not judged: %s", spec.name, exc.message)
                continue
            if move is not None:
                moves.append(move)
        return moves

    def _judge(
        self, name: str, raw_options: Mapping[str, Any], state: dict[str, Any]
    ) -> Move | None:
        options = policy_options("canary", raw_options)
        assert isinstance(options, CanaryOptions)
        now = self.clock()
        if now < due_at(options, state):
            return None
        baseline = self._resolve(options.baseline)
        candidate = self._resolve(options.candidate)
        since = float(state["step_started_at"])
        move = advance(
            options,
            state,
            now,
            self._window(name, candidate, since, now),
            self._window(name, baseline, since, now),
        )
        if move.event == "promote" and options.promote_alias:
            self.registry.aliases.move(
                candidate.model, options.promote_alias, candidate.version, actor=ACTOR
            )
            move.detail["alias"] = f"{candidate.model}@{options.promote_alias} → {candidate}"
        self.registry.rollouts.update(
            name,
            move.state,
            generation=int(state["generation"]),
            actor=ACTOR,
            event=move.event,
            detail=move.detail,
        )
        log.info("canary %s: %s (%s)", name, move.event, move.detail.get("summary", ""))
        return move

    def _window(self, name: str, version: VersionId, since: float, until: float) -> VersionWindow:
        data = version_window(
            self.registry.engine,
            name,
            version.model,
            version.version,
            since,
            until,
            codec=self.registry.payloads,
        )
        return VersionWindow(
            data.requests,
            data.errors,
            data.latencies_s,
            {kind: FeedbackSummary(*sums) for kind, sums in data.feedback.items()},
        )

    def _resolve(self, ref: str) -> VersionId:
        return self.registry.aliases.resolve(*parse_ref(ref)).id
