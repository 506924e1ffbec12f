"""The binary tensor data extension of the Open Inference Protocol, as Triton and KServe define
it (triton-inference-server/server ``docs/protocol/extension_binary_data.md``); tritonclient uses
it by default.

A request with ``Inference-Header-Content-Length: n`` carries its JSON inference request in the
first ``n`` bytes of the body and then the raw bytes of every input that declares
``parameters.binary_data_size``, in the order of ``inputs``. A reply does the same for the
outputs asked for with ``parameters.binary_data: true`` (or all of them, with the request's
``parameters.binary_data_output: true``; an output's own setting wins). Values are little-endian,
row-major, without padding: BOOL is one byte (0 or 1), a BYTES element is a 4-byte length and
then its bytes.

Every size the client states is checked against the bytes it sent before anything is read or
allocated (the header length against the body, each ``binary_data_size`` against what is left,
the shape's element count against the size), so a lying size is a coded 400, never a 500 and
never a large allocation. JSON requests never come here: the hot path looks for the header.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from pasarela.errors import InvalidInput, InvalidRequest

HEADER = "inference-header-content-length"
"""The request and reply header giving the length of the JSON part (lower-case, as ASGI has
it)."""

INVALID_HEADER_LENGTH = "invalid_inference_header_length"
INVALID_BINARY_DATA = "invalid_binary_data"

# The widest header value we parse: 19 digits already exceed any body the size limit lets in,
# and int() of a long digit string costs quadratic time.
_MAX_HEADER_DIGITS = 19
_LENGTH = struct.Struct("<I")  # the length prefix of a BYTES element
_FIXED: dict[str, np.dtype[Any]] = {
    name: np.dtype(code)
    for name, code in {
        "BOOL": "u1",
        "UINT8": "u1",
        "UINT16": "<u2",
        "UINT32": "<u4",
        "UINT64": "<u8",
        "INT8": "i1",
        "INT16": "<i2",
        "INT32": "<i4",
        "INT64": "<i8",
        "FP16": "<f2",
        "FP32": "<f4",
        "FP64": "<f8",
    }.items()
}


def parse_request(body: bytes, header_length: str) -> Any:
    """The inference request in ``body``, each binary input's values put under ``data`` as if
    it had come as JSON; ``header_length`` is the ``Inference-Header-Content-Length`` value."""
    length = _header_length(header_length, len(body))
    try:
        request = orjson.loads(body[:length])
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(
            f"the inference header (the first {length} bytes) is not valid JSON: {exc}",
            code="invalid_json",
        ) from None
    rest = memoryview(body)[length:]
    used = 0
    inputs = request.get("inputs") if isinstance(request, dict) else None
    for i, tensor in enumerate(inputs if isinstance(inputs, list) else ()):
        size = _binary_size(tensor, i)
        if size is None:
            continue
        if size > len(rest) - used:
            raise InvalidRequest(
                f"inputs[{i}] declares {size} bytes of binary data but only "
                f"{len(rest) - used} bytes are left in the body",
                code=INVALID_BINARY_DATA,
            )
        if "data" in tensor:
            raise InvalidRequest(
                f"inputs[{i}] has both 'data' and parameters.binary_data_size; send one",
                code=INVALID_BINARY_DATA,
            )
        tensor["data"] = _decode(tensor, rest[used : used + size], i)
        used += size
    if used != len(rest):
        raise InvalidRequest(
            f"{len(rest) - used} bytes follow the inference header that no input's "
            "parameters.binary_data_size accounts for",
            code=INVALID_BINARY_DATA,
        )
    return request


def _header_length(value: str, body_size: int) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= _MAX_HEADER_DIGITS):
        raise InvalidRequest(
            "Inference-Header-Content-Length must be a whole number of bytes",
            code=INVALID_HEADER_LENGTH,
        )
    length = int(text)
    if not 0 < length <= body_size:
        raise InvalidRequest(
            f"Inference-Header-Content-Length is {length} but the body has {body_size} bytes; "
            "it must be the length of the JSON inference header, between 1 and the body's",
            code=INVALID_HEADER_LENGTH,
        )
    return length


def _binary_size(tensor: Any, i: int) -> int | None:
    """The input's ``binary_data_size``; None when it comes as JSON."""
    if not isinstance(tensor, dict):
        return None  # decode_inputs names the problem
    parameters = tensor.get("parameters")
    if parameters is None:
        return None
    if not isinstance(parameters, dict):
        raise InvalidRequest(f"inputs[{i}].parameters must be an object")
    size = parameters.get("binary_data_size")
    if size is None:
        return None
    if type(size) is not int or size < 0:
        raise InvalidRequest(
            f"inputs[{i}].parameters.binary_data_size must be a non-negative integer",
            code=INVALID_BINARY_DATA,
        )
    return size


def _decode(tensor: dict[str, Any], raw: memoryview, i: int) -> list[Any]:
    """The tensor's values, flat and row-major, from exactly ``raw``."""
    shape, datatype = tensor.get("shape"), tensor.get("datatype")
    if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
        raise InvalidRequest(f"inputs[{i}].shape must be a list of non-negative integers")
    count = math.prod(shape)
    if datatype == "BYTES":
        return _decode_bytes(raw, count, i)
    dtype = _FIXED.get(datatype) if isinstance(datatype, str) else None
    if dtype is None:
        raise InvalidRequest(f"inputs[{i}].datatype {datatype!r} is not supported")
    if len(raw) != count * dtype.itemsize:
        raise InvalidRequest(
            f"inputs[{i}] has {len(raw)} bytes of binary data but shape {shape} of {datatype} "
            f"takes {count * dtype.itemsize}",
            code=INVALID_BINARY_DATA,
        )
    array = np.frombuffer(raw, dtype=dtype)
    if datatype == "BOOL":
        if (array > 1).any():
            raise InvalidInput(f"inputs[{i}] holds a BOOL byte other than 0 or 1")
        return array.astype(bool).tolist()  # type: ignore[no-any-return]
    # JSON cannot carry NaN or infinity; binary input is held to the same values.
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise InvalidInput(f"inputs[{i}] holds NaN or infinity")
    return array.tolist()  # type: ignore[no-any-return]


def _decode_bytes(raw: memoryview, count: int, i: int) -> list[Any]:
    # Each element takes at least its 4-byte length: a shape asking for more elements than
    # that cannot be true, and is refused before looping over it.
    if count > len(raw) // _LENGTH.size:
        raise InvalidRequest(
            f"inputs[{i}] needs {count} BYTES elements but {len(raw)} bytes hold at most "
            f"{len(raw) // _LENGTH.size}",
            code=INVALID_BINARY_DATA,
        )
    values: list[Any] = []
    offset = 0
    for k in range(count):
        if len(raw) - offset < _LENGTH.size:
            raise InvalidRequest(
                f"inputs[{i}] ends inside the length of element {k}", code=INVALID_BINARY_DATA
            )
        (size,) = _LENGTH.unpack_from(raw, offset)
        offset += _LENGTH.size
        if size > len(raw) - offset:
            raise InvalidRequest(
                f"inputs[{i}] element {k} declares {size} bytes but only {len(raw) - offset} "
                "are left",
                code=INVALID_BINARY_DATA,
            )
        try:
            values.append(str(raw[offset : offset + size], "utf-8"))
        except UnicodeDecodeError:
            raise InvalidInput(f"inputs[{i}] element {k} is not UTF-8 text") from None
        offset += size
    if offset != len(raw):
        raise InvalidRequest(
            f"inputs[{i}] has {len(raw) - offset} bytes after its {count} elements",
            code=INVALID_BINARY_DATA,
        )
    return values


def binary_outputs(request: Mapping[str, Any], names: Sequence[str]) -> frozenset[str]:
    """Which of the requested output ``names`` the client wants as binary data; called after
    ``v2.requested_outputs``, which checked that ``outputs`` is a list of objects."""
    parameters = request.get("parameters")
    outputs = request.get("outputs") or ()
    if parameters is None and not any("parameters" in output for output in outputs):
        return _NOTHING  # a plain JSON request: the hot path's common case, kept cheap
    everything = False
    if parameters is not None:
        if not isinstance(parameters, Mapping):
            raise InvalidRequest("'parameters' must be an object")
        everything = _flag(parameters, "binary_data_output", "parameters")
    wanted = set(names) if everything else set()
    for j, output in enumerate(outputs):
        own = output.get("parameters")  # requested_outputs checked it is an object
        if own is None:
            continue
        if not isinstance(own, Mapping):
            raise InvalidRequest(f"outputs[{j}].parameters must be an object")
        if "binary_data" in own:
            if _flag(own, "binary_data", f"outputs[{j}].parameters"):
                wanted.add(output["name"])
            else:
                wanted.discard(output["name"])
    return frozenset(wanted)


_NOTHING: frozenset[str] = frozenset()


def _flag(parameters: Mapping[str, Any], name: str, where: str) -> bool:
    value = parameters.get(name, False)
    if not isinstance(value, bool):
        raise InvalidRequest(f"{where}.{name} must be true or false")
    return value


@dataclass(frozen=True, slots=True)
class BinaryReply:
    """An inference reply with binary outputs: ``body`` is the JSON header (``header_length``
    bytes) followed by the outputs' bytes."""

    body: bytes
    header_length: int

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return [(HEADER.encode(), str(self.header_length).encode())]


def encode_reply(reply: dict[str, Any], binary: frozenset[str]) -> BinaryReply:
    """``reply`` with the outputs named in ``binary`` moved out of the JSON into raw bytes."""
    chunks: list[bytes] = []
    for tensor in reply["outputs"]:
        if tensor["name"] not in binary:
            continue
        raw = _encode(tensor["datatype"], tensor["data"])
        if raw is None:
            continue  # values the datatype cannot hold in binary stay JSON, which can
        del tensor["data"]
        tensor["parameters"] = {"binary_data_size": len(raw)}
        chunks.append(raw)
    header = orjson.dumps(reply)
    return BinaryReply(header + b"".join(chunks), len(header))


def _encode(datatype: str, values: list[Any]) -> bytes | None:
    if datatype == "BYTES":
        parts: list[bytes] = []
        for value in values:
            text = value.encode() if isinstance(value, str) else orjson.dumps(value)
            parts += (_LENGTH.pack(len(text)), text)
        return b"".join(parts)
    try:
        return np.asarray(values, dtype=_FIXED[datatype]).tobytes()
    except (OverflowError, TypeError, ValueError):
        return None
