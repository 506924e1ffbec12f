"""The binary tensor data extension of the v2 protocol: bodies made by tritonclient's own
encoder parse to the values sent, replies decode with tritonclient's own decoder, and hostile
bodies (truncated, sizes that lie, header lengths beyond the body, negative, huge) get coded
400s before anything is read or allocated."""

from __future__ import annotations

import struct
from typing import Any

import numpy as np
import orjson
import pytest
import tritonclient.http as triton  # type: ignore[import-untyped]
from tritonclient.http._utils import _get_inference_request  # type: ignore[import-untyped]

from pasarela.api import v2_binary
from pasarela.api.v2_binary import (
    INVALID_BINARY_DATA,
    INVALID_HEADER_LENGTH,
    binary_outputs,
    encode_reply,
    parse_request,
)
from pasarela.errors import InvalidInput, InvalidRequest


def client_body(inputs: list[Any], outputs: list[Any] | None = None) -> tuple[bytes, str]:
    """The body and ``Inference-Header-Content-Length`` tritonclient sends for ``inputs``."""
    body, json_size = _get_inference_request(
        inputs=inputs,
        request_id="r-1",
        outputs=outputs,
        sequence_id=0,
        sequence_start=False,
        sequence_end=False,
        priority=0,
        timeout=None,
        custom_parameters=None,
    )
    assert json_size is not None, "tritonclient sent no binary data"
    return body, str(json_size)


def tensor(name: str, array: np.ndarray, datatype: str, binary: bool = True) -> Any:
    made = triton.InferInput(name, list(array.shape), datatype)
    return made.set_data_from_numpy(array, binary_data=binary)


def refused(body: bytes, length: str) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as raised:
        parse_request(body, length)
    return raised.value


def framed(inputs: list[dict[str, Any]], raw: bytes) -> tuple[bytes, str]:
    header = orjson.dumps({"inputs": inputs})
    return header + raw, str(len(header))


def fp64(shape: list[int], size: int) -> dict[str, Any]:
    return {
        "name": "x",
        "shape": shape,
        "datatype": "FP64",
        "parameters": {"binary_data_size": size},
    }


def test_every_datatype_tritonclient_sends_parses_to_its_values() -> None:
    matrix = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    words = np.array([["ñandú", ""], ["日本", "a\x00b"]], dtype=np.object_)
    sent = [
        tensor("f64", matrix, "FP64"),
        tensor("f32", np.array([0.5, -2.25], dtype=np.float32), "FP32"),
        tensor("i32", np.array([[-3], [2**31 - 1]], dtype=np.int32), "INT32"),
        tensor("u8", np.array([0, 255], dtype=np.uint8), "UINT8"),
        tensor("flag", np.array([True, False, True]), "BOOL"),
        tensor("text", words, "BYTES"),
        tensor("json", np.array([1.5, 2.5]), "FP64", binary=False),
    ]
    request = parse_request(*client_body(sent))
    data = {t["name"]: t["data"] for t in request["inputs"]}
    assert data["f64"] == matrix.reshape(-1).tolist()
    assert data["f32"] == [0.5, -2.25]
    assert data["i32"] == [-3, 2**31 - 1]
    assert data["u8"] == [0, 255]
    assert data["flag"] == [True, False, True]
    assert all(type(v) is bool for v in data["flag"])
    assert data["text"] == ["ñandú", "", "日本", "a\x00b"]
    assert data["json"] == [1.5, 2.5]
    assert request["id"] == "r-1"


def test_an_empty_binary_tensor_is_allowed() -> None:
    body, length = framed([fp64([0, 30], 0)], b"")
    assert parse_request(body, length)["inputs"][0]["data"] == []


@pytest.mark.parametrize(
    "value",
    ["", "abc", "-5", "+5", "1e3", "0x10", "12.0", "٣", "9" * 20, "9" * 5000, "0"],
)
def test_a_header_length_that_is_not_a_positive_number_is_refused(value: str) -> None:
    body, _ = framed([fp64([1], 8)], struct.pack("<d", 1.0))
    error = refused(body, value)
    assert error.code == INVALID_HEADER_LENGTH
    assert "Inference-Header-Content-Length" in error.message


def test_a_header_length_beyond_the_body_is_refused() -> None:
    body, _ = framed([fp64([1], 8)], struct.pack("<d", 1.0))
    error = refused(body, str(len(body) + 1))
    assert error.code == INVALID_HEADER_LENGTH
    assert str(len(body)) in error.message
    # the whole body as the header is allowed, then what follows the JSON is not JSON
    assert refused(body, str(len(body))).code == "invalid_json"


def test_a_header_length_that_cuts_the_json_is_refused() -> None:
    body, length = framed([fp64([1], 8)], struct.pack("<d", 1.0))
    assert refused(body, str(int(length) - 1)).code == "invalid_json"


@pytest.mark.parametrize("size", [-1, True, 1.5, "8", None, 2**62, 9])
def test_a_binary_size_that_is_not_what_follows_is_refused(size: Any) -> None:
    """Negative, not an integer, huge, more than the body holds, or none (then the bytes
    after the header belong to no input)."""
    inputs = [{"name": "x", "shape": [1], "datatype": "FP64", "parameters": {}}]
    inputs[0]["parameters"]["binary_data_size"] = size
    body, length = framed(inputs, struct.pack("<d", 1.0))
    assert refused(body, length).code == INVALID_BINARY_DATA


def test_a_truncated_body_is_refused() -> None:
    body, length = client_body([tensor("x", np.ones((4, 30)), "FP64")])
    for cut in (1, 8, 4 * 30 * 8):
        error = refused(body[:-cut], length)
        assert error.code == INVALID_BINARY_DATA
        assert "inputs[0] declares 960 bytes" in error.message


def test_bytes_after_the_tensors_are_refused() -> None:
    body, length = client_body([tensor("x", np.ones((1, 30)), "FP64")])
    error = refused(body + b"\x00", length)
    assert error.code == INVALID_BINARY_DATA
    assert "1 bytes follow" in error.message


@pytest.mark.parametrize(
    ("shape", "size"),
    [([1, 30], 8 * 29), ([1, 30], 8 * 31), ([2**40, 2**40], 8), ([2**62, 4], 8), ([3], 7)],
)
def test_a_size_that_does_not_match_the_shape_is_refused(shape: list[int], size: int) -> None:
    """Checked by arithmetic before anything is allocated, however large the shape says."""
    body, length = framed([fp64(shape, size)], b"\x00" * size)
    error = refused(body, length)
    assert error.code == INVALID_BINARY_DATA
    assert f"has {size} bytes" in error.message


@pytest.mark.parametrize("shape", [[-1, 30], [True, 8], "[1]", [1.0]])
def test_a_shape_that_is_not_non_negative_integers_is_refused(shape: Any) -> None:
    body, length = framed([fp64(shape, 8)], b"\x00" * 8)
    assert "shape" in refused(body, length).message


def test_data_and_binary_data_together_are_refused() -> None:
    inputs = [{**fp64([1], 8), "data": [1.0]}]
    body, length = framed(inputs, struct.pack("<d", 1.0))
    assert refused(body, length).code == INVALID_BINARY_DATA


def test_unsupported_datatypes_and_parameters_are_refused() -> None:
    body, length = framed([{**fp64([1], 2), "datatype": "BF16"}], b"\x00\x00")
    assert "BF16" in refused(body, length).message
    body, length = framed([{**fp64([1], 8), "parameters": [8]}], b"\x00" * 8)
    assert "parameters must be an object" in refused(body, length).message


def element(text: bytes, declared: int | None = None) -> bytes:
    return struct.pack("<I", len(text) if declared is None else declared) + text


@pytest.mark.parametrize(
    ("shape", "raw", "says"),
    [
        ([2**40], element(b"ab"), "at most 1"),  # more elements than 4-byte lengths fit
        ([2], element(b"abcdef") + b"\x01\x00", "ends inside the length of element 1"),
        ([1], element(b"ab", declared=2**32 - 1), "declares 4294967295 bytes"),
        ([1], element(b"ab", declared=3), "declares 3 bytes"),
        ([1], element(b"ab") + b"zz", "2 bytes after its 1 elements"),
    ],
)
def test_bytes_elements_whose_lengths_lie_are_refused(
    shape: list[int], raw: bytes, says: str
) -> None:
    inputs = [
        {"name": "t", "shape": shape, "datatype": "BYTES", "parameters": {"binary_data_size": 0}}
    ]
    inputs[0]["parameters"]["binary_data_size"] = len(raw)
    body, length = framed(inputs, raw)
    error = refused(body, length)
    assert error.code == INVALID_BINARY_DATA
    assert says in error.message


@pytest.mark.parametrize(
    ("datatype", "raw", "says"),
    [
        ("BYTES", element(b"\xff\xfe"), "not UTF-8"),
        ("BYTES", element("\ud800".encode("utf-8", "surrogatepass")), "not UTF-8"),
        ("BOOL", b"\x02", "other than 0 or 1"),
        ("FP64", struct.pack("<d", float("nan")), "NaN or infinity"),
        ("FP32", struct.pack("<f", float("-inf")), "NaN or infinity"),
        ("FP16", b"\x00\x7c", "NaN or infinity"),
    ],
)
def test_values_json_could_not_carry_are_invalid_input(
    datatype: str, raw: bytes, says: str
) -> None:
    inputs = [
        {"name": "t", "shape": [1], "datatype": datatype, "parameters": {"binary_data_size": 0}}
    ]
    inputs[0]["parameters"]["binary_data_size"] = len(raw)
    body, length = framed(inputs, raw)
    with pytest.raises(InvalidInput) as raised:
        parse_request(body, length)
    assert says in raised.value.message


def test_which_outputs_come_back_binary() -> None:
    names = ["predict", "predict_proba"]
    assert binary_outputs({}, names) == frozenset()
    everything = {"parameters": {"binary_data_output": True}}
    assert binary_outputs(everything, names) == frozenset(names)
    overridden = {
        **everything,
        "outputs": [{"name": "predict"}, {"name": "predict_proba", "parameters": {}}],
    }
    overridden["outputs"][1]["parameters"]["binary_data"] = False
    assert binary_outputs(overridden, names) == {"predict"}
    one = {"outputs": [{"name": "predict", "parameters": {"binary_data": True}}]}
    assert binary_outputs(one, ["predict"]) == {"predict"}
    for bad in (
        {"parameters": {"binary_data_output": "yes"}},
        {"parameters": [True]},
        {"outputs": [{"name": "predict", "parameters": {"binary_data": 1}}]},
        {"outputs": [{"name": "predict", "parameters": "binary"}]},
    ):
        with pytest.raises(InvalidRequest):
            binary_outputs(bad, ["predict"])


def test_replies_decode_with_tritonclient() -> None:
    proba = [0.25, 0.75, 1.0, 0.0]
    reply = {
        "model_name": "m",
        "outputs": [
            {"name": "proba", "shape": [2, 2], "datatype": "FP64", "data": proba},
            {"name": "label", "shape": [2, 1], "datatype": "BYTES", "data": ["sí", "no"]},
            {"name": "flag", "shape": [2, 1], "datatype": "BOOL", "data": [True, False]},
            {"name": "count", "shape": [2, 1], "datatype": "INT64", "data": [-1, 2**40]},
            {"name": "json", "shape": [1, 1], "datatype": "INT64", "data": [7]},
        ],
    }
    encoded = encode_reply(reply, frozenset({"proba", "label", "flag", "count"}))
    assert encoded.headers == [
        (b"inference-header-content-length", str(encoded.header_length).encode())
    ]
    result = triton.InferResult.from_response_body(
        encoded.body, header_length=encoded.header_length
    )
    np.testing.assert_array_equal(result.as_numpy("proba"), np.array(proba).reshape(2, 2))
    assert result.as_numpy("label").reshape(-1).tolist() == ["sí".encode(), b"no"]
    assert result.as_numpy("flag").reshape(-1).tolist() == [True, False]
    assert result.as_numpy("count").reshape(-1).tolist() == [-1, 2**40]
    assert result.get_output("json")["data"] == [7]
    assert result.get_output("proba")["parameters"] == {"binary_data_size": 32}


def test_values_a_binary_type_cannot_hold_stay_json() -> None:
    """An integer beyond INT64 cannot be packed; the tensor stays JSON instead of a 500."""
    reply = {"outputs": [{"name": "n", "shape": [1, 1], "datatype": "INT64", "data": [2**63]}]}
    encoded = encode_reply(reply, frozenset({"n"}))
    assert encoded.body == orjson.dumps(reply)
    assert v2_binary.HEADER == "inference-header-content-length"
