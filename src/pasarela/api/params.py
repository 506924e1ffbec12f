"""Numbers in paths, queries and small bodies, bounded at the door by the columns they are
looked up in: a value no row can have is a coded 422, never a database error (a 500)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pasarela.errors import InvalidInput
from pasarela.storage.column_ranges import integer_max


def bounded_id(value: int, column: sa.Column[Any], name: str) -> int:
    """``value`` if it is a positive integer ``column`` can hold; InvalidInput
    (``out_of_range``) naming ``name`` and the range otherwise.

    >>> bounded_id(7, schema.incidents.c.id, "incident_id")
    7
    """
    top = integer_max(column)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise InvalidInput(f"{name} must be an integer from 1 to {top}", code="out_of_range")
    return value
