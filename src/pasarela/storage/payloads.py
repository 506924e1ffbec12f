"""How readers of stored payloads open them: a ``Decode`` turns what a record holds (maybe an
envelope sealed at rest, see ``security/crypto.py``) into the plain inputs or outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Decode = Callable[[Any], Any]


def as_stored(payload: Any) -> Any:
    """The default ``Decode``: payloads stored in the clear (encryption off, or tests)."""
    return payload
