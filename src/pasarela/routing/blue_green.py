"""The ``blue_green`` policy: two versions loaded and warm, one live.

``pasarela rollout switch`` swaps ``active`` and ``standby`` in the endpoint (a recorded,
revertable change); both stay loaded, so switching back is as instant as switching.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from pasarela.routing.base import PolicyOptions, VersionRef
from pasarela.types import JSON, Decision, RequestContext, VersionId


class SmokeOptions(PolicyOptions):
    """Requests sent to the standby before a switch; any failure refuses the switch."""

    inputs: list[Any] = Field(min_length=1)
    """Rows in the endpoint's request format (objects by feature name, or lists)."""


class BlueGreenOptions(PolicyOptions):
    type: Literal["blue_green"] = "blue_green"
    active: VersionRef
    standby: VersionRef
    smoke: SmokeOptions | None = None

    @model_validator(mode="after")
    def _distinct(self) -> BlueGreenOptions:
        if self.active == self.standby:
            raise ValueError("active and standby must be different versions")
        return self

    def targets(self) -> tuple[str, ...]:
        return (self.active, self.standby)


class BlueGreenPolicy:
    """Routes everything to the active version."""

    Options = BlueGreenOptions

    def __init__(
        self,
        options: BlueGreenOptions,
        versions: Mapping[str, VersionId],
        state: Mapping[str, JSON],
    ) -> None:
        del state
        self._decision = Decision(versions[options.active], "active")

    def decide(self, request: RequestContext, rng: random.Random) -> Decision:
        del request, rng
        return self._decision
