"""Creating and changing endpoints, checked before they reach the database."""

from __future__ import annotations

import re

from pasarela.errors import InvalidRequest
from pasarela.registry.service import Registry, parse_ref
from pasarela.routing import create_policy
from pasarela.types import BatchingConfig, EndpointSpec

_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,99}$")


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
    """Create or replace an endpoint after checking its name, policy and targets.

    Example::

        put_endpoint(registry, "churn", ["churn@champion"])
    """
    if not _NAME.match(name):
        raise InvalidRequest(
            f"endpoint name {name!r} must be 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    implementation = create_policy(policy)
    low = getattr(implementation, "min_targets", 1)
    high = getattr(implementation, "max_targets", None)
    if len(targets) < low or (high is not None and len(targets) > high):
        wanted = str(low) if high == low else f"{low}..{high or 'n'}"
        raise InvalidRequest(f"policy {policy!r} takes {wanted} target(s), got {len(targets)}")
    for target in targets:
        registry.repo.resolve(*parse_ref(target))  # raises NotFound naming what is missing
    if batching is not None and (batching.max_batch_size < 1 or batching.max_queue < 1):
        raise InvalidRequest("max_batch_size and max_queue must be at least 1")
    spec = EndpointSpec(
        name=name,
        policy=policy,
        targets=tuple(targets),
        batching=batching,
        timeout_s=timeout_s,
        description=description,
    )
    registry.repo.put_endpoint(spec, actor=actor)
    return spec
