"""Policies pick the version that answers each request. Decision logic is pure."""

from __future__ import annotations

from pasarela.plugins import PluginRegistry
from pasarela.types import Policy

policies = PluginRegistry("pasarela.policies", {"single": "pasarela.routing.single:SinglePolicy"})


def create_policy(name: str) -> Policy:
    policy: Policy = policies.get(name)()
    return policy
