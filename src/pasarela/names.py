"""What a model or endpoint name may be: one definition, read by the name columns
(``storage/schema.py``), the manifest's ``name`` field and the registry's check.

Names end up in URLs (``/v1/endpoints/<name>/predict``, ``/v2/models/<name>``), in references
(``churn@3``), in file and metric names and in logs, so they are plain: 1 to ``NAME_MAX_LENGTH``
letters, digits, ``_``, ``-`` and single dots, starting with a letter or a digit. That keeps out
``/``, ``@``, ``..``, spaces and control characters. The pattern has no look-around, so that
pydantic's regex engine takes it as it is.

Example::

    check_name("churn-v2", "model")  # returns "churn-v2"
    check_name("../etc", "model")    # raises InvalidRequest (code invalid_name)
"""

from __future__ import annotations

import re

from pasarela.errors import InvalidRequest

__all__ = ["NAME_MAX_LENGTH", "NAME_PATTERN", "check_name"]

NAME_MAX_LENGTH = 200
"""The length of the ``models.name`` and ``endpoints.name`` columns, and the most a name has."""
NAME_PATTERN = r"^[A-Za-z0-9](?:\.?[A-Za-z0-9_-])*$"
"""Every dot is followed by another character: no ``..``, no trailing dot."""
NAME_RULE = (
    f"1 to {NAME_MAX_LENGTH} letters, digits, '_', '-' and single '.', "
    "starting with a letter or a digit"
)

_NAME = re.compile(NAME_PATTERN)


def check_name(value: str, what: str) -> str:
    """``value`` if it is a valid name; else ``InvalidRequest`` (code ``invalid_name``) that
    quotes at most its first 40 characters, escaped."""
    if 0 < len(value) <= NAME_MAX_LENGTH and _NAME.fullmatch(value):
        return value
    shown = ascii(value[:40]) + ("…" if len(value) > 40 else "")
    raise InvalidRequest(
        f"{what} name {shown} ({len(value)} characters) is not valid: {NAME_RULE}",
        code="invalid_name",
    )
