"""Open Inference Protocol v2 (KServe, Triton, MLServer): tensors in, tensors out.

Inputs are either one tensor ``[rows, features]`` or one tensor per feature (named after it,
shape ``[rows]`` or ``[rows, 1]``), as MLServer's pandas codec sends them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pasarela.api.v2_binary import INVALID_BINARY_DATA
from pasarela.errors import InvalidInput, InvalidRequest
from pasarela.guards.schema import json_excerpt
from pasarela.runtimes.outputs import dtype_of_values
from pasarela.serving.snapshot import LoadedVersion
from pasarela.types import DType

# The JSON values each tensor datatype may hold. Values are checked, never converted: "1.5" is
# not a number and true is not an integer, as on the v1 route.
_INTEGERS = ("UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64")
_ACCEPTS: dict[str, tuple[type, ...]] = {
    "BOOL": (bool,),
    "BYTES": (str,),
    **{t: (int,) for t in _INTEGERS},
    **{t: (float, int) for t in ("FP16", "FP32", "FP64")},
}
V2_TYPE: dict[DType, str] = {"float": "FP64", "int": "INT64", "bool": "BOOL", "str": "BYTES"}


def _flatten(data: Any) -> list[Any]:
    if not isinstance(data, list):
        return [data]
    if data and isinstance(data[0], list):
        return [v for item in data for v in _flatten(item)]
    return data


def _tensor_values(tensor: Mapping[str, Any], i: int) -> tuple[list[int], list[Any]]:
    if not isinstance(tensor, Mapping):
        raise InvalidRequest(f"inputs[{i}] must be an object with name, shape, datatype, data")
    for key in ("name", "shape", "datatype", "data"):
        if key not in tensor:
            parameters = tensor.get("parameters")
            if (
                key == "data"
                and isinstance(parameters, Mapping)
                and "binary_data_size" in parameters
            ):
                raise InvalidRequest(
                    f"inputs[{i}] has binary data but the request has no "
                    "Inference-Header-Content-Length header saying where it starts",
                    code=INVALID_BINARY_DATA,
                )
            raise InvalidRequest(f"inputs[{i}] lacks {key!r}")
    shape, datatype = tensor["shape"], tensor["datatype"]
    if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
        raise InvalidRequest(f"inputs[{i}].shape must be a list of non-negative integers")
    accepts = _ACCEPTS.get(datatype) if isinstance(datatype, str) else None
    if accepts is None:
        raise InvalidRequest(f"inputs[{i}].datatype {datatype!r} is not supported")
    values = _flatten(tensor["data"])
    if math.prod(shape) != len(values):
        raise InvalidInput(
            f"inputs[{i}] has {len(values)} values but its shape {shape} needs {math.prod(shape)}"
        )
    for value in values:
        if type(value) not in accepts:
            raise InvalidInput(
                f"inputs[{i}].data holds {type(value).__name__} {json_excerpt(value)}, "
                f"not a {datatype} value"
            )
    return shape, values


def decode_inputs(body: Any) -> list[Any]:
    """Request rows from a v2 inference request: one tensor is ``[rows, features]`` (or
    ``[features]``, one row); several tensors are columns named after features."""
    if not isinstance(body, Mapping) or not isinstance(body.get("inputs"), list):
        raise InvalidRequest("the body must be an object with an 'inputs' list of tensors")
    tensors: list[Any] = body["inputs"]
    if not tensors:
        raise InvalidRequest("'inputs' must hold at least one tensor")
    if len(tensors) == 1:
        shape, values = _tensor_values(tensors[0], 0)
        if len(shape) == 1:
            shape = [1, shape[0]]
        if len(shape) != 2:
            raise InvalidInput(f"inputs[0] must have shape [rows, features], not {shape}")
        rows, cols = shape
        return [values[r * cols : (r + 1) * cols] for r in range(rows)]
    columns: dict[str, list[Any]] = {}
    for i, tensor in enumerate(tensors):
        shape, values = _tensor_values(tensor, i)
        if len(shape) > 2 or (len(shape) == 2 and shape[1] != 1):
            raise InvalidInput(
                f"inputs[{i}] ({tensor['name']}) must have shape [rows] or [rows, 1]"
            )
        columns[str(tensor["name"])] = values
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise InvalidInput("every input tensor must have the same number of rows")
    names = list(columns)
    return [{n: columns[n][r] for n in names} for r in range(lengths.pop())]


def requested_outputs(body: Mapping[str, Any]) -> list[str]:
    outputs = body.get("outputs")
    if outputs is None:
        return ["predict"]
    if not isinstance(outputs, list) or not all(
        isinstance(o, Mapping) and isinstance(o.get("name"), str) for o in outputs
    ):
        raise InvalidRequest("'outputs' must be a list of objects with a 'name'")
    return [o["name"] for o in outputs]


def encode_outputs(outputs: Sequence[Any], names: Sequence[str]) -> list[dict[str, Any]]:
    """Per-row outputs as v2 tensors: ``predict`` (labels or values) and, for classifiers,
    ``predict_proba`` ``[rows, classes]``."""
    classified = bool(outputs) and isinstance(outputs[0], Mapping) and "label" in outputs[0]
    tensors = []
    for name in names:
        if name == "predict":
            values = [o["label"] for o in outputs] if classified else list(outputs)
            tensors.append(_tensor(name, values))
        elif name == "predict_proba" and classified:
            matrix = [list(o["probabilities"].values()) for o in outputs]
            width = len(matrix[0]) if matrix else 0
            tensors.append(
                {
                    "name": name,
                    "shape": [len(matrix), width],
                    "datatype": "FP64",
                    "data": [p for row in matrix for p in row],
                }
            )
        else:
            known = "predict, predict_proba" if classified else "predict"
            raise InvalidRequest(f"unknown output {name!r}; this model gives: {known}")
    return tensors


def _tensor(name: str, values: list[Any]) -> dict[str, Any]:
    nested = bool(values) and isinstance(values[0], list)
    width = len(values[0]) if nested else 1
    flat = [v for row in values for v in row] if nested else values
    return {"name": name, "shape": [len(values), width], "datatype": _datatype(flat), "data": flat}


def _datatype(values: Sequence[Any]) -> str:
    return V2_TYPE[dtype_of_values(values)]


def model_metadata(name: str, served: Sequence[LoadedVersion]) -> dict[str, Any]:
    """The v2 model metadata object for ``name`` (an endpoint or a model): the latest served
    version's signature as inputs and what its runtime says it returns as outputs."""
    latest = served[-1]
    signature = latest.version.signature
    inputs = (
        [
            {"name": f.name, "datatype": V2_TYPE[f.dtype], "shape": [-1, 1]}
            for f in signature.features
        ]
        if signature is not None
        else []
    )
    outputs = [
        {"name": o.name, "datatype": V2_TYPE[o.dtype], "shape": [-1, o.width or 1]}
        for o in latest.runtime.outputs
    ]
    return {
        "name": name,
        "versions": [str(s.version.version) for s in served],
        "platform": latest.version.kind,
        "inputs": inputs,
        "outputs": outputs,
    }
