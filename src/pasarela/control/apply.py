"""Applying endpoint specs: check every reference, record the change, start rollouts.

Applying what is already there changes nothing (no new revision), so ``apply -f`` can run from
CI on every commit. A canary whose options changed starts over from its first step; an
experiment whose design changed goes back to draft.
"""

from __future__ import annotations

import difflib
import time
from dataclasses import dataclass
from typing import Any

from pasarela.control.bandit import initial_bandit_state
from pasarela.errors import NotFound
from pasarela.registry.service import Registry, parse_ref
from pasarela.routing import policy_options
from pasarela.routing.canary import CanaryOptions
from pasarela.types import EndpointSpec


@dataclass(frozen=True, slots=True)
class AppliedChange:
    """What applying one spec did: ``created``, ``updated`` or ``unchanged``."""

    endpoint: str
    action: str
    revision: int | None
    diff: str

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "action": self.action,
            "revision": self.revision,
            "diff": self.diff,
        }


def apply_specs(
    registry: Registry, specs: list[EndpointSpec], *, actor: str, action: str = "apply"
) -> list[AppliedChange]:
    """Check every spec first (all references resolve), then apply each one."""
    for spec in specs:
        check_references(registry, spec)
    return [apply_spec(registry, spec, actor=actor, action=action) for spec in specs]


def check_references(registry: Registry, spec: EndpointSpec) -> None:
    """Raise NotFound naming the first target or shadow that does not resolve."""
    shadows = spec.shadow.targets if spec.shadow else ()
    for ref in (*spec.targets, *shadows):
        try:
            registry.aliases.resolve(*parse_ref(ref))
        except NotFound as exc:
            raise NotFound(f"endpoint {spec.name!r}: {ref}: {exc.message}", code=exc.code) from exc


def apply_spec(
    registry: Registry, spec: EndpointSpec, *, actor: str, action: str = "apply"
) -> AppliedChange:
    endpoints = registry.endpoints
    try:
        previous: EndpointSpec | None = endpoints.get(spec.name)
    except NotFound:
        previous = None
    if previous == spec:
        return AppliedChange(spec.name, "unchanged", None, "")
    rollout = None
    starts_over = (
        previous is None or previous.policy != spec.policy or previous.options != spec.options
    )
    if spec.policy == "canary" and starts_over:
        rollout = initial_canary_state(spec)
    elif spec.policy == "bandit" and starts_over:
        rollout = initial_bandit_state(spec)
    elif spec.policy == "experiment" and starts_over:
        # A changed design is a new experiment: back to draft, started on purpose.
        rollout = {"phase": "draft", "experiment": spec.options["experiment"]}
    revision = endpoints.put(spec, actor=actor, action=action, rollout=rollout)
    return AppliedChange(
        spec.name, "created" if previous is None else "updated", revision, diff(previous, spec)
    )


def initial_canary_state(spec: EndpointSpec, now: float | None = None) -> dict[str, Any]:
    options = policy_options("canary", spec.options)
    assert isinstance(options, CanaryOptions)
    return {
        "phase": "progressing",
        "step": 0,
        "weight": options.steps[0],
        "step_started_at": time.time() if now is None else now,
        "baseline": options.baseline,
        "candidate": options.candidate,
    }


def diff(old: EndpointSpec | None, new: EndpointSpec | None) -> str:
    """A unified diff of two specs' manifests (YAML)."""
    from pasarela.control.manifest import to_yaml

    before = to_yaml(old).splitlines(keepends=True) if old else []
    after = to_yaml(new).splitlines(keepends=True) if new else []
    either = new or old
    name = either.name if either is not None else ""
    return "".join(difflib.unified_diff(before, after, f"{name} (before)", f"{name} (after)"))
