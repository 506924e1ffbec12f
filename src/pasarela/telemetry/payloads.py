"""The one seam payloads pass through before they are stored anywhere (journal or database):
redaction and encryption plug in here."""

from __future__ import annotations

from typing import Any, Protocol


class PayloadCodec(Protocol):
    """Turns a request's inputs and outputs into what may be stored."""

    def encode(self, inputs: Any, outputs: Any) -> tuple[Any, Any]: ...


class PlainPayloadCodec:
    """Stores payloads as they are."""

    def encode(self, inputs: Any, outputs: Any) -> tuple[Any, Any]:
        return inputs, outputs


class SealingPayloadCodec:
    """Seals inputs and outputs (each on its own) with the install's active data key."""

    def __init__(self, cipher: Sealer) -> None:
        self.cipher = cipher

    def encode(self, inputs: Any, outputs: Any) -> tuple[Any, Any]:
        seal = self.cipher.seal
        return (
            None if inputs is None else seal(inputs),
            None if outputs is None else seal(outputs),
        )


class Sealer(Protocol):
    def seal(self, value: Any) -> Any: ...
