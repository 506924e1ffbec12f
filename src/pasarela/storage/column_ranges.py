"""The ranges a column can hold, so the door bounds client values by the same definitions the
storage uses (an id past 2^31 on an INTEGER column is refused as out of range, not sent to
the database to fail there). The client strings that reach records have their lengths in
``pasarela/bounds.py`` instead, a leaf module the door reads without SQLAlchemy."""

from __future__ import annotations

import sqlalchemy as sa

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def integer_max(column: sa.Column[int]) -> int:
    """The largest value ``column`` holds on every backend: PostgreSQL's INTEGER is 32 bits
    (SQLite's are all 64), BIGINT 64."""
    if isinstance(column.type, sa.BigInteger):
        return INT64_MAX
    if isinstance(column.type, sa.Integer):
        return INT32_MAX
    raise TypeError(f"{column} is not an integer column")


def text_max(column: sa.Column[str]) -> int:
    """The most characters ``column`` holds (a VARCHAR's length)."""
    length = getattr(column.type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{column} has no length")
    return length
