"""Open Inference Protocol v2 routes, in process."""

from __future__ import annotations

import numpy as np
import pytest
from httpx import AsyncClient

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


async def test_unknown_model_and_version(client: AsyncClient) -> None:
    body = {"inputs": [{"name": "x", "shape": [1, 30], "datatype": "FP64", "data": [0.0] * 30}]}
    reply = await client.post("/v2/models/ghost/infer", json=body)
    assert reply.status_code == 404
    reply = await client.post("/v2/models/cancer/versions/4/infer", json=body)
    assert reply.json()["code"] == "version_not_found"
    reply = await client.post("/v2/models/cancer/versions/x/infer", json=body)
    assert reply.status_code == 400
