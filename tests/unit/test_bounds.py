"""One definition of the bounds: the door's limits are the columns' sizes (issue 14, item 1)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pasarela import bounds
from pasarela.storage import schema


def length(table: sa.Table, column: str) -> int | None:
    kind = table.c[column].type
    assert isinstance(kind, sa.String)
    return kind.length


def test_record_columns_are_sized_by_the_door_bounds() -> None:
    records = schema.prediction_records
    assert length(records, "unit_id") == bounds.MAX_ID_CHARS
    assert length(records, "subject_id") == bounds.MAX_ID_CHARS
    assert length(records, "correlation_id") == bounds.MAX_CORRELATION_ID_CHARS
    assert length(records, "caller") == bounds.MAX_CALLER_CHARS
    assert length(records, "request_id") == bounds.MAX_RECORD_KEY_CHARS
    assert length(records, "shadow_of") == bounds.MAX_RECORD_KEY_CHARS
    # a shadow's key: a server id, "~", a model name at its column's size, "@", a version
    shadow_key = 32 + 1 + (length(schema.models, "name") or 0) + 1 + 10
    assert shadow_key <= bounds.MAX_RECORD_KEY_CHARS


def test_ids_are_refused_over_their_limit_or_with_control_characters() -> None:
    assert bounds.check_id("X-Unit-Id", "u" * 200, 200) == "u" * 200
    with pytest.raises(ValueError, match="X-Unit-Id must be at most 200 characters"):
        bounds.check_id("X-Unit-Id", "u" * 201, 200)
    for bad in ("a\x00b", "a\nb", "a\x7fb"):
        with pytest.raises(ValueError, match="control characters"):
            bounds.check_id("X-Unit-Id", bad, 200)
