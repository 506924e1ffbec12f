"""What a policy's decision costs per request, in microseconds (``python
benchmarks/decision_cost.py``): the single policy, an experiment with and without a unit id,
a bandit. Compare with the time a request takes (``make bench``)."""

from __future__ import annotations

import random
import timeit
from typing import Any

from pasarela.routing import build_policy
from pasarela.types import RequestContext, VersionId

VERSIONS = {"m@1": VersionId("m", 1), "m@2": VersionId("m", 2)}
EXPERIMENT: dict[str, Any] = {
    "experiment": "e",
    "variants": [
        {"name": "control", "target": "m@1", "weight": 50},
        {"name": "treatment", "target": "m@2", "weight": 50},
    ],
    "primary_metric": {"kind": "reward"},
}
BANDIT: dict[str, Any] = {"arms": [{"name": "a", "target": "m@1"}, {"name": "b", "target": "m@2"}]}


def main(n: int = 200_000) -> None:
    rng = random.Random(1)
    with_unit = RequestContext("r", "e", unit_id="user-123")
    without = RequestContext("r", "e")
    cases = [
        ("single", build_policy("single", {"target": "m@1"}, VERSIONS), without),
        (
            "experiment, unit id",
            build_policy("experiment", EXPERIMENT, VERSIONS, {"phase": "running"}),
            with_unit,
        ),
        (
            "experiment, no unit id",
            build_policy("experiment", EXPERIMENT, VERSIONS, {"phase": "running"}),
            without,
        ),
        (
            "bandit",
            build_policy("bandit", BANDIT, VERSIONS, {"allocation": {"a": 0.3, "b": 0.7}}),
            without,
        ),
    ]
    print("| policy | µs per decision |\n|---|---:|")
    for name, policy, request in cases:
        seconds = timeit.timeit(lambda: policy.decide(request, rng), number=n)  # noqa: B023
        print(f"| {name} | {seconds / n * 1e6:.2f} |")


if __name__ == "__main__":
    main()
