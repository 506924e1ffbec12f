"""The bounds of every value a client sends that reaches storage: one definition, read by the
door (``api/hotpath.py`` refuses what exceeds them) and by the columns (``storage/schema.py``
and the migrations size them with the same numbers). A value the door let through therefore
always fits its column. Imports nothing of pasarela.

    >>> check_id("X-Subject-Id", "s" * 300, MAX_ID_CHARS)
    Traceback (most recent call last):
    ...
    ValueError: X-Subject-Id must be at most 200 characters (it has 300)
"""

from __future__ import annotations

MAX_ID_CHARS = 200
"""``X-Unit-Id`` / ``unit_id`` and ``X-Subject-Id``: the ``unit_id`` and ``subject_id``
columns of records."""

MAX_CORRELATION_ID_CHARS = 128
"""The client's own request id (``X-Request-Id``, a v2 request's ``id``), kept with the record
as its ``correlation_id``; the record's key is always made by the server."""

MAX_RECORD_KEY_CHARS = 256
"""A record's ``request_id`` column: a server-made id (32 hex characters), or a shadow call's
``<primary id>~<model>@<version>`` (model names are at most 200 characters)."""

MAX_CALLER_CHARS = 200
"""Who called (a key's id or a token's ``sub``), kept with each record as in the audit log."""

MAX_ATTRIBUTES_BYTES = 4096
"""``X-Attributes`` (and a body's ``attributes``), as JSON text: what flag rules target."""

MAX_REQUEST_TIMEOUT_S = 600.0
"""``X-Request-Timeout``: a caller's deadline is a number of seconds in (0, this]."""


def check_id(name: str, value: str, limit: int) -> str:
    """``value`` when it is a usable id for ``name``: at most ``limit`` characters, none of
    them a control character (PostgreSQL text refuses NUL, and logs and headers must not carry
    line breaks). ``ValueError`` naming ``name`` and the limit otherwise."""
    if len(value) > limit:
        raise ValueError(f"{name} must be at most {limit} characters (it has {len(value)})")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError(f"{name} must not hold control characters")
    return value
