"""Manual rollout actions: promote, abort, pause, resume (canary), switch (blue-green), undo
(any endpoint), and the status that shows where a rollout stands.

Every action is a recorded change: ``switch`` and ``undo`` write a new endpoint revision,
the canary actions move the rollout state and append to its history.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from pasarela.control.apply import apply_spec, diff
from pasarela.errors import Conflict, InvalidRequest, NotFound, PasarelaError
from pasarela.guards.schema import checker_for
from pasarela.registry.service import Registry
from pasarela.routing import policy_options
from pasarela.routing.blue_green import BlueGreenOptions
from pasarela.routing.canary import CanaryOptions
from pasarela.types import EndpointSpec

ACTIONS = ("promote", "abort", "pause", "resume", "switch", "undo")


def rollout_status(registry: Registry, name: str) -> dict[str, Any]:
    """The endpoint, its rollout state (canary), its history, and its revisions with what each
    changed (a unified diff of the manifests).

    ``phase`` is where the endpoint stands now: the rollout's phase while its policy is the one
    that rollout belongs to, else ``stable`` (an endpoint undone from a rolled-back canary to a
    single version is stable; its old state stays in ``state`` with ``live`` false)."""
    spec = registry.endpoints.get(name)
    state = registry.rollouts.states().get(name)
    revisions = registry.endpoints.revisions(name)
    live = state is not None and _belongs_to(state, spec.policy)
    return {
        "endpoint": name,
        "policy": spec.policy,
        "targets": list(spec.targets),
        "phase": state["phase"] if live and state is not None else "stable",
        "live": live,
        "state": state,
        "history": registry.rollouts.events(name),
        "revisions": [
            {
                "revision": r.revision,
                "action": r.action,
                "actor": r.actor,
                "at": r.at.isoformat(),
                "diff": diff(before.spec if before else None, r.spec),
            }
            for before, r in zip([None, *revisions], revisions, strict=False)
        ],
    }


def _belongs_to(state: dict[str, Any], policy: str) -> bool:
    """Whether a stored rollout state is the one ``policy`` runs (apply starts one per policy:
    a canary's has a weight, a bandit's an allocation, an experiment's names the experiment)."""
    if "weight" in state:
        return policy == "canary"
    if "allocation" in state:
        return policy == "bandit"
    if "experiment" in state:
        return policy == "experiment"
    return False


def run_action(
    registry: Registry, name: str, action: str, *, actor: str, revision: int | None = None
) -> dict[str, Any]:
    """Carry out one manual action on endpoint ``name``; returns what it did."""
    if action == "switch":
        return switch(registry, name, actor=actor)
    if action == "undo":
        return undo(registry, name, actor=actor, to_revision=revision)
    if action in ("promote", "abort", "pause", "resume"):
        return canary_action(registry, name, action, actor=actor)
    raise InvalidRequest(f"unknown rollout action {action!r}; one of {', '.join(ACTIONS)}")


def canary_action(registry: Registry, name: str, action: str, *, actor: str) -> dict[str, Any]:
    spec = registry.endpoints.get(name)
    if spec.policy != "canary":
        raise Conflict(f"endpoint {name!r} is {spec.policy}, not a canary", code="not_a_canary")
    options = policy_options("canary", spec.options)
    assert isinstance(options, CanaryOptions)
    state = registry.rollouts.states().get(name)
    if state is None:
        raise Conflict(f"endpoint {name!r} has no canary running", code="not_a_canary")
    phase = state["phase"]
    allowed = {
        "promote": ("progressing", "paused"),
        "abort": ("progressing", "paused"),
        "pause": ("progressing",),
        "resume": ("paused",),
    }[action]
    if phase not in allowed:
        raise Conflict(
            f"cannot {action} the canary of {name!r}: it is {phase}", code="rollout_state"
        )
    now = time.time()
    detail: dict[str, Any] = {"weight": state["weight"], "by": actor}
    if action == "promote":
        new = {**state, "phase": "promoted", "weight": 100.0, "ended_at": now}
        new["reason"] = f"promoted by {actor}"
        if options.promote_alias:
            candidate = registry.resolve(options.candidate)
            registry.aliases.move(
                candidate.model, options.promote_alias, candidate.version, actor=actor
            )
            detail["alias"] = f"{candidate.model}@{options.promote_alias} → {candidate.id}"
    elif action == "abort":
        new = {**state, "phase": "rolled_back", "weight": 0.0, "ended_at": now}
        new["reason"] = f"aborted by {actor}"
    elif action == "pause":
        new = {**state, "phase": "paused", "paused_at": now}
    else:
        # The paused time does not count: the step's window starts again now.
        new = {**state, "phase": "progressing", "step_started_at": now, "judged_at": 0.0}
    registry.rollouts.update(
        name, new, generation=int(state["generation"]), actor=actor, event=action, detail=detail
    )
    return {"endpoint": name, "action": action, "phase": new["phase"], "weight": new["weight"]}


def switch(registry: Registry, name: str, *, actor: str) -> dict[str, Any]:
    """Blue-green: the standby becomes active (after its smoke requests pass, if any)."""
    spec = registry.endpoints.get(name)
    if spec.policy != "blue_green":
        raise Conflict(f"endpoint {name!r} is {spec.policy}, not blue_green", code="not_blue_green")
    options = policy_options("blue_green", spec.options)
    assert isinstance(options, BlueGreenOptions)
    if options.smoke is not None:
        smoke(registry, options.standby, options.smoke.inputs)
    swapped = options.model_copy(update={"active": options.standby, "standby": options.active})
    new = replace(
        spec,
        options=swapped.model_dump(mode="json", exclude={"type"}),
        targets=swapped.targets(),
    )
    change = apply_spec(registry, new, actor=actor, action="switch")
    return {
        "endpoint": name,
        "action": "switch",
        "active": swapped.active,
        "standby": swapped.standby,
        "revision": change.revision,
    }


def smoke(registry: Registry, ref: str, inputs: list[Any]) -> None:
    """Run ``inputs`` through ``ref`` loaded on its own; Conflict(smoke_failed) if anything
    fails, so a broken standby never goes live."""
    version = registry.resolve(ref)
    try:
        runtime = registry.load(version)
        try:
            rows = checker_for(version.signature).check(inputs)
            outputs = runtime.predict_batch(rows)
        finally:
            runtime.unload()
    except PasarelaError as exc:
        raise Conflict(
            f"smoke requests to {ref} failed: {exc.message}", code="smoke_failed"
        ) from exc
    except Exception as exc:
        raise Conflict(f"smoke requests to {ref} failed: {exc!r}", code="smoke_failed") from exc
    if len(outputs) != len(rows):
        raise Conflict(
            f"smoke requests to {ref} failed: {len(rows)} rows gave {len(outputs)} answers",
            code="smoke_failed",
        )


def undo(
    registry: Registry, name: str, *, actor: str, to_revision: int | None = None
) -> dict[str, Any]:
    """Re-apply an earlier revision (by default the one before the latest) as a new one."""
    revisions = registry.endpoints.revisions(name)
    current = revisions[-1]
    if to_revision is None:
        if len(revisions) < 2:
            raise Conflict(f"endpoint {name!r} has no earlier revision", code="nothing_to_undo")
        target = revisions[-2]
    else:
        found = [r for r in revisions if r.revision == to_revision]
        if not found:
            raise NotFound(
                f"endpoint {name!r} has no revision {to_revision}", code="revision_not_found"
            )
        target = found[0]
    if target.spec is None:
        raise Conflict(
            f"revision {target.revision} of {name!r} deleted it; nothing to restore",
            code="nothing_to_undo",
        )
    change = apply_spec(registry, target.spec, actor=actor, action="undo")
    return {
        "endpoint": name,
        "action": "undo",
        "restored": target.revision,
        "revision": change.revision,
        "diff": diff(current.spec, target.spec),
    }


def spec_of(registry: Registry, name: str, revision: int | None = None) -> EndpointSpec:
    """The live spec, or the one of an earlier revision."""
    if revision is None:
        return registry.endpoints.get(name)
    for r in registry.endpoints.revisions(name):
        if r.revision == revision and r.spec is not None:
            return r.spec
    raise NotFound(f"endpoint {name!r} has no revision {revision}", code="revision_not_found")
