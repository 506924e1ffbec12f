"""Open Inference Protocol v2 routes, in process."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pytest
from httpx import AsyncClient, Response

from tests.conftest import Trained

pytestmark = pytest.mark.anyio


async def test_health_and_server_metadata(client: AsyncClient) -> None:
    assert (await client.get("/v2/health/live")).status_code == 200
    assert (await client.get("/v2/health/ready")).json() == {"ready": True}
    meta = (await client.get("/v2")).json()
    assert meta["name"] == "pasarela"


async def test_model_metadata_lists_signature(client: AsyncClient) -> None:
    meta = (await client.get("/v2/models/cancer")).json()
    assert meta["name"] == "cancer"
    assert meta["versions"] == ["1"]
    assert meta["platform"] == "sklearn"
    assert len(meta["inputs"]) == 30
    assert meta["inputs"][0] == {"name": "mean radius", "datatype": "FP64", "shape": [-1, 1]}
    assert (await client.get("/v2/models/cancer/versions/1")).status_code == 200
    assert (await client.get("/v2/models/cancer/ready")).json()["ready"] is True
    assert (await client.get("/v2/models/cancer/versions/1/ready")).status_code == 200
    missing = await client.get("/v2/models/cancer/versions/9/ready")
    assert missing.status_code == 404
    assert missing.json()["code"] == "version_not_found"
    assert (await client.get("/v2/models/ghost")).json()["code"] == "model_not_found"


async def test_metadata_declares_what_infer_returns(client: AsyncClient) -> None:
    meta = (await client.get("/v2/models/cancer")).json()
    assert meta["outputs"] == [
        {"name": "predict", "datatype": "INT64", "shape": [-1, 1]},
        {"name": "predict_proba", "datatype": "FP64", "shape": [-1, 2]},
    ]


async def test_errors_take_the_protocol_shape(client: AsyncClient) -> None:
    """The protocol's error is a string under "error"; the code and request id sit beside it."""
    reply = await client.post(
        "/v2/models/ghost/infer", json={"inputs": []}, headers={"X-Request-Id": "r-9"}
    )
    body = reply.json()
    assert isinstance(body["error"], str) and body["error"]
    assert body["code"] == "invalid_request"
    assert body["request_id"] == reply.headers["x-request-id"] != "r-9"  # the server's
    assert reply.headers["x-correlation-id"] == "r-9"


async def test_infer_one_tensor(client: AsyncClient, trained: Trained) -> None:
    x = trained.features.iloc[:3].to_numpy()
    body = {
        "id": "req-1",
        "inputs": [{"name": "input-0", "shape": [3, 30], "datatype": "FP64", "data": x.tolist()}],
        "outputs": [{"name": "predict"}, {"name": "predict_proba"}],
    }
    reply = await client.post("/v2/models/cancer/infer", json=body)
    assert reply.status_code == 200, reply.text
    out = reply.json()
    assert out["model_name"] == "cancer" and out["model_version"] == "1" and out["id"] == "req-1"
    predict, proba = out["outputs"]
    assert predict == {
        "name": "predict",
        "shape": [3, 1],
        "datatype": "INT64",
        "data": trained.model.predict(trained.features.iloc[:3]).tolist(),
    }
    assert proba["shape"] == [3, 2] and proba["datatype"] == "FP64"
    np.testing.assert_allclose(
        np.array(proba["data"]).reshape(3, 2),
        trained.model.predict_proba(trained.features.iloc[:3]),
    )


async def test_infer_one_tensor_per_feature_on_a_version(
    client: AsyncClient, trained: Trained
) -> None:
    head = trained.features.iloc[:2]
    inputs = [
        {"name": str(c), "shape": [2], "datatype": "FP64", "data": head[c].tolist()}
        for c in head.columns
    ]
    reply = await client.post("/v2/models/cancer/versions/1/infer", json={"inputs": inputs})
    assert reply.status_code == 200, reply.text
    assert reply.json()["outputs"][0]["data"] == trained.model.predict(head).tolist()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"inputs": []}, 400, "invalid_request"),
        ({"inputs": [{"name": "x"}]}, 400, "invalid_request"),
        (
            {"inputs": [{"name": "x", "shape": [1, 30], "datatype": "FP99", "data": []}]},
            400,
            "invalid_request",
        ),
        (
            {"inputs": [{"name": "x", "shape": [2, 30], "datatype": "FP64", "data": [1.0] * 30}]},
            422,
            "invalid_input",
        ),
        (
            {"inputs": [{"name": "x", "shape": [1, 30], "datatype": "FP64", "data": ["a"] * 30}]},
            422,
            "invalid_input",
        ),
        (
            {
                "inputs": [{"name": "x", "shape": [1, 30], "datatype": "FP64", "data": [1.0] * 30}],
                "outputs": [{"name": "embedding"}],
            },
            400,
            "invalid_request",
        ),
        (
            {"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP64", "data": [1.0] * 3}]},
            422,
            "invalid_input",
        ),
    ],
)
async def test_bad_v2_requests(
    client: AsyncClient, body: dict[str, object], status: int, code: str
) -> None:
    reply = await client.post("/v2/models/cancer/infer", json=body)
    assert reply.status_code == status, reply.text
    assert reply.json()["code"] == code


async def test_a_wrong_tensor_value_is_quoted_as_json(client: AsyncClient) -> None:
    """Issue 14, item 20: ``true``, not Python's ``'True'``."""
    data = [1.0] * 29 + [True]
    body = {"inputs": [{"name": "x", "shape": [1, 30], "datatype": "FP64", "data": data}]}
    reply = await client.post("/v2/models/cancer/infer", json=body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"] == "inputs[0].data holds bool true, not a FP64 value"


async def test_unknown_model_and_version(client: AsyncClient) -> None:
    body = {"inputs": [{"name": "x", "shape": [1, 30], "datatype": "FP64", "data": [0.0] * 30}]}
    reply = await client.post("/v2/models/ghost/infer", json=body)
    assert reply.status_code == 404
    reply = await client.post("/v2/models/cancer/versions/4/infer", json=body)
    assert reply.json()["code"] == "version_not_found"
    reply = await client.post("/v2/models/cancer/versions/x/infer", json=body)
    assert reply.status_code == 400


# -- the binary tensor data extension --------------------------------------------------------
BINARY_INPUT = {
    "name": "input-0",
    "shape": [2, 30],
    "datatype": "FP64",
    "parameters": {"binary_data_size": 2 * 30 * 8},
}


async def post_binary(
    client: AsyncClient, header: dict[str, Any], raw: bytes, length: str | None = None
) -> Response:
    head = orjson.dumps(header)
    return await client.post(
        "/v2/models/cancer/infer",
        content=head + raw,
        headers={"Inference-Header-Content-Length": length or str(len(head))},
    )


async def test_binary_inputs_and_outputs(client: AsyncClient, trained: Trained) -> None:
    x = trained.features.iloc[:2].to_numpy(dtype=np.float64)
    header = {
        "inputs": [BINARY_INPUT],
        "outputs": [{"name": "predict_proba", "parameters": {"binary_data": True}}],
    }
    reply = await post_binary(client, header, x.tobytes())
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/octet-stream"
    length = int(reply.headers["inference-header-content-length"])
    head = orjson.loads(reply.content[:length])
    (proba,) = head["outputs"]
    assert proba["parameters"] == {"binary_data_size": 2 * 2 * 8} and "data" not in proba
    values = np.frombuffer(reply.content[length:], dtype="<f8").reshape(2, 2)
    np.testing.assert_allclose(values, trained.model.predict_proba(x))
    assert len(reply.content) == length + 32


async def test_the_server_declares_the_binary_extension(client: AsyncClient) -> None:
    assert "binary_tensor_data" in (await client.get("/v2")).json()["extensions"]


@pytest.mark.parametrize(
    ("header", "raw", "length", "code"),
    [
        ({"inputs": [BINARY_INPUT]}, b"\x00" * 480, "-1", "invalid_inference_header_length"),
        ({"inputs": [BINARY_INPUT]}, b"\x00" * 480, "10" * 15, "invalid_inference_header_length"),
        ({"inputs": [BINARY_INPUT]}, b"\x00" * 480, "99999", "invalid_inference_header_length"),
        ({"inputs": [BINARY_INPUT]}, b"\x00" * 479, None, "invalid_binary_data"),
        ({"inputs": [BINARY_INPUT]}, b"\x00" * 481, None, "invalid_binary_data"),
        (
            {"inputs": [{**BINARY_INPUT, "shape": [2**62, 2**62]}]},
            b"\x00" * 480,
            None,
            "invalid_binary_data",
        ),
        (
            {"inputs": [{**BINARY_INPUT, "parameters": {"binary_data_size": 2**63 - 1}}]},
            b"\x00" * 480,
            None,
            "invalid_binary_data",
        ),
        ({"inputs": [BINARY_INPUT]}, b"\xff" * 480, None, "invalid_input"),  # NaNs
        ({"inputs": [BINARY_INPUT], "parameters": 7}, b"\x00" * 480, None, "invalid_request"),
    ],
)
async def test_hostile_binary_requests_get_coded_errors(
    client: AsyncClient, header: dict[str, Any], raw: bytes, length: str | None, code: str
) -> None:
    reply = await post_binary(client, header, raw, length)
    assert reply.status_code in (400, 422), reply.text
    assert reply.json()["code"] == code


async def test_binary_data_without_the_header_is_named(client: AsyncClient) -> None:
    head = orjson.dumps({"inputs": [BINARY_INPUT]})
    reply = await client.post("/v2/models/cancer/infer", content=head)
    assert reply.status_code == 400
    assert reply.json()["code"] == "invalid_binary_data"
    assert "Inference-Header-Content-Length" in reply.json()["error"]


async def test_a_json_request_with_the_header_and_no_binary_data(
    client: AsyncClient, trained: Trained
) -> None:
    x = trained.features.iloc[:1].to_numpy()
    header = {"inputs": [{"name": "x", "shape": [1, 30], "datatype": "FP64", "data": x.tolist()}]}
    reply = await post_binary(client, header, b"")
    assert reply.status_code == 200, reply.text
    assert reply.json()["outputs"][0]["data"] == trained.model.predict(x).tolist()


async def test_a_shape_of_booleans_is_refused(client: AsyncClient) -> None:
    body = {"inputs": [{"name": "x", "shape": [True, 30], "datatype": "FP64", "data": [0.0] * 30}]}
    reply = await client.post("/v2/models/cancer/infer", json=body)
    assert reply.status_code == 400
    assert "shape" in reply.json()["error"]
