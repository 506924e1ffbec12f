"""Policies pick the version that answers each request. Decision logic is pure.

A policy kind is a class with an ``Options`` model (its manifest section, validated) and a
constructor ``(options, versions, state)``: ``versions`` maps each target reference to the
version it resolved to, ``state`` is the endpoint's rollout state (the canary's current weight).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pasarela.plugins import PluginRegistry
from pasarela.routing.base import PolicyOptions
from pasarela.types import JSON, Policy, VersionId

policies = PluginRegistry(
    "pasarela.policies",
    {
        "single": "pasarela.routing.single:SinglePolicy",
        "blue_green": "pasarela.routing.blue_green:BlueGreenPolicy",
        "canary": "pasarela.routing.canary:CanaryPolicy",
        "flags": "pasarela.routing.flags:FlagsPolicy",
        "experiment": "pasarela.routing.experiment:ExperimentPolicy",
        "bandit": "pasarela.routing.bandit:BanditPolicy",
    },
)


def policy_options(kind: str, options: Mapping[str, JSON]) -> PolicyOptions:
    """Validate a policy section; raises ``pydantic.ValidationError`` naming the fields."""
    model: type[PolicyOptions] = policies.get(kind).Options
    return model.model_validate(options)


def build_policy(
    kind: str,
    options: Mapping[str, JSON],
    versions: Mapping[str, VersionId],
    state: Mapping[str, JSON] | None = None,
) -> Policy:
    """A ready policy for one snapshot."""
    cls: Any = policies.get(kind)
    policy: Policy = cls(cls.Options.model_validate(options), versions, state or {})
    return policy
