"""The size guards: a body over the limit refused before it is read whole, an endpoint's row and
string limits named in the error."""

from __future__ import annotations

import pytest

from pasarela.errors import InvalidInput, InvalidRequest
from pasarela.guards.config import parse
from pasarela.guards.size import BodyLimit, SizeLimits

pytestmark = pytest.mark.anyio


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    limit = BodyLimit(1024)
    limit.check_declared("1024")
    limit.check_declared(None)
    limit.check_declared("not-a-number")  # the server's own parser refuses it later
    with pytest.raises(InvalidRequest) as caught:
        limit.check_declared("1025")
    assert caught.value.code == "payload_too_large"


async def test_a_streamed_body_is_cut_off_at_the_limit() -> None:
    chunks = [{"type": "http.request", "body": b"x" * 600, "more_body": True}] * 3
    served = iter(chunks)
    received = 0

    async def receive() -> dict[str, object]:
        nonlocal received
        received += 1
        return next(served)

    limited = BodyLimit(1024).wrap(receive)
    await limited()
    with pytest.raises(InvalidRequest) as caught:
        await limited()
    assert caught.value.code == "payload_too_large"
    assert received == 2  # the third chunk is never asked for


def test_rows_and_strings_over_the_endpoint_limits_are_named() -> None:
    limits = SizeLimits.of(parse({"size": {"max_rows": 2, "max_chars": 10}}).size)
    assert limits is not None
    limits.check([[1.0, 2.0], {"text": "ten chars!", "tags": ["ok"]}])
    with pytest.raises(InvalidInput) as caught:
        limits.check([[1.0], [2.0], [3.0]])
    assert caught.value.code == "too_many_rows" and "3 rows" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        limits.check([[1.0], {"doc": {"pages": ["short", "x" * 11]}}])
    assert caught.value.code == "text_too_long"
    assert "inputs[1].doc.pages[1] has 11 characters" in caught.value.message


def test_no_limits_means_no_check_and_bad_limits_are_refused() -> None:
    assert SizeLimits.of(parse({}).size) is None
    assert SizeLimits.of(parse({"size": {}}).size) is None
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        parse({"size": {"max_rows": 0}})
    with pytest.raises(ValueError, match="Extra inputs"):
        parse({"size": {"max_bytes": 10}})
