"""What every policy shares: its options model and the reference type its targets use."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

VersionRef = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][\w.\-]*(@[\w.\-]+)?$")
]
"""``model@3``, ``model@alias`` or ``model`` (latest)."""


class PolicyOptions(BaseModel):
    """A policy's section of an endpoint manifest. Unknown fields are errors, so a typo never
    passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def targets(self) -> tuple[str, ...]:
        """Every version reference the policy routes to, in its own order."""
        raise NotImplementedError
