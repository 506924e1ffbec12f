"""The size guards: how much a request may carry, checked before anything reads it.

Two layers, both cheap and both before the schema guard and the detectors:

- ``BodyLimit`` (every route, ``PASARELA_MAX_BODY_BYTES``): a body whose declared length is
  over the limit is refused before a byte of it is read, and one that turns out longer while it
  streams in is cut off there: memory never holds more than the limit (413
  ``payload_too_large``). The prediction routes read their body themselves; every other route
  reads it through ``BodyLimit.wrap``.
- ``SizeLimits`` (per endpoint, the manifest's ``guards.size``): at most ``max_rows`` rows in one
  request and ``max_chars`` characters in any one string of them (422 ``too_many_rows`` /
  ``text_too_long``). A model's cost grows with its batch and an LLM's with its prompt: the
  limits keep one caller from buying a whole worker's time with one request, and keep the
  detectors' cost per request bounded.

```yaml
guards:
  size: {max_rows: 100, max_chars: 8000}
```
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.types import Message, Receive

from pasarela.errors import InvalidInput, InvalidRequest
from pasarela.spec import SizeSpec

__all__ = ["BodyLimit", "SizeConfig", "SizeLimits"]


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The largest request body any route reads, in bytes."""

    max_bytes: int

    def check_declared(self, content_length: str | None) -> None:
        """Refuse a body by its ``Content-Length`` before reading it."""
        if content_length is not None and content_length.isdigit():
            self.check_read(int(content_length))

    def check_read(self, size: int) -> None:
        """Refuse a body once ``size`` bytes of it are over the limit."""
        if size > self.max_bytes:
            raise InvalidRequest(
                f"the body exceeds {self.max_bytes} bytes", code="payload_too_large"
            )

    def wrap(self, receive: Receive) -> Receive:
        """``receive`` that refuses the body once it grows over the limit: for routes that
        read their body through a framework (``await request.body()``)."""
        size = 0

        async def limited() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                self.check_read(size)
            return message

        return limited


SizeConfig = SizeSpec
"""An endpoint's ``guards.size`` section (``spec.SizeSpec``)."""


@dataclass(frozen=True, slots=True)
class SizeLimits:
    """An endpoint's limits on what one request carries (``SizeConfig``, checked).

    >>> limits = SizeLimits(max_rows=2, max_chars=5)
    >>> limits.check([{"text": "short"}, ["ok", 1]])
    >>> limits.check([{"text": "too long"}])
    Traceback (most recent call last):
    ...
    pasarela.errors.InvalidInput: inputs[0].text has 8 characters; this endpoint takes at most 5
    """

    max_rows: int | None = None
    max_chars: int | None = None

    @classmethod
    def of(cls, config: SizeConfig | None) -> SizeLimits | None:
        if config is None or (config.max_rows is None and config.max_chars is None):
            return None
        return cls(config.max_rows, config.max_chars)

    def check(self, inputs: Sequence[Any]) -> None:
        """InvalidInput naming the first row or string over a limit."""
        if self.max_rows is not None and len(inputs) > self.max_rows:
            raise InvalidInput(
                f"the request has {len(inputs)} rows; this endpoint takes at most "
                f"{self.max_rows} per request",
                code="too_many_rows",
            )
        if self.max_chars is not None:
            for i, row in enumerate(inputs):
                self._check_strings(row, f"inputs[{i}]")

    def _check_strings(self, value: Any, path: str) -> None:
        limit = self.max_chars
        assert limit is not None
        if isinstance(value, str):
            if len(value) > limit:
                raise InvalidInput(
                    f"{path} has {len(value)} characters; this endpoint takes at most {limit}",
                    code="text_too_long",
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, _NESTED):
                    self._check_strings(item, f"{path}.{key}")
        elif isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, _NESTED):
                    self._check_strings(item, f"{path}[{n}]")


_NESTED = (str, list, dict)
