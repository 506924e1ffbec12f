"""The ``single`` policy: every request goes to the endpoint's one target."""

from __future__ import annotations

import random
from collections.abc import Sequence

from pasarela.types import Decision, EndpointSpec, RequestContext, VersionId


class SinglePolicy:
    """Routes everything to the first (only) resolved target."""

    min_targets = 1
    max_targets = 1

    def decide(
        self,
        endpoint: EndpointSpec,
        versions: Sequence[VersionId],
        request: RequestContext,
        rng: random.Random,
    ) -> Decision:
        del endpoint, request, rng
        return Decision(version=versions[0], reason="single")
