"""The shortest way to an endpoint: one target, no manifest file."""

from __future__ import annotations

from typing import Any

from pasarela.control.apply import apply_specs
from pasarela.control.manifest import parse_document
from pasarela.registry.service import Registry
from pasarela.types import BatchingConfig, EndpointSpec


def put_endpoint(
    registry: Registry,
    name: str,
    targets: list[str],
    *,
    policy: str = "single",
    batching: BatchingConfig | None = None,
    timeout_s: float | None = None,
    description: str = "",
    actor: str = "local",
) -> EndpointSpec:
    """Create or replace a ``single`` endpoint serving ``targets[0]``; checked and recorded as
    ``pasarela apply`` would.

    Example::

        put_endpoint(registry, "churn", ["churn@champion"])
    """
    document: dict[str, Any] = {
        "name": name,
        "description": description,
        "policy": {"type": policy, **({"target": targets[0]} if len(targets) == 1 else {})},
        "timeout_s": timeout_s,
    }
    if batching is not None:
        document["batching"] = {
            "max_batch_size": batching.max_batch_size,
            "max_wait_ms": batching.max_wait_ms,
            "max_queue": batching.max_queue,
        }
    spec = parse_document(document)
    apply_specs(registry, [spec], actor=actor)
    return spec
