"""The ``single`` policy: every request goes to the endpoint's one target."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Literal

from pasarela.routing.base import PolicyOptions, VersionRef
from pasarela.types import JSON, Decision, RequestContext, VersionId


class SingleOptions(PolicyOptions):
    type: Literal["single"] = "single"
    target: VersionRef

    def targets(self) -> tuple[str, ...]:
        return (self.target,)


class SinglePolicy:
    """Routes everything to the one target."""

    Options = SingleOptions

    def __init__(
        self, options: SingleOptions, versions: Mapping[str, VersionId], state: Mapping[str, JSON]
    ) -> None:
        del state
        self._decision = Decision(versions[options.target], "single")

    def decide(self, request: RequestContext, rng: random.Random) -> Decision:
        del request, rng
        return self._decision
