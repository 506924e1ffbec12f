"""Open Inference Protocol v2 against a real server, spoken by third-party clients: Triton's
``tritonclient.http`` and raw requests shaped like MLServer's pandas codec."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
import pytest
import tritonclient.http as triton  # type: ignore[import-untyped]
from tritonclient.utils import InferenceServerException  # type: ignore[import-untyped]

from tests.conftest import Trained
from tests.e2e.conftest import Server, error_of, pasarela_env, running_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(api_home: Path) -> Iterator[Server]:
    with running_server(pasarela_env(api_home), api_home.parent / "server.log") as running:
        yield running


@pytest.fixture
def client(server: Server) -> Iterator[triton.InferenceServerClient]:
    connection = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}")
    try:
        yield connection
    finally:
        connection.close()


def rows(trained: Trained, count: int) -> np.ndarray:
    return trained.features.iloc[:count].to_numpy(dtype=np.float64)


def test_health_and_server_metadata(client: triton.InferenceServerClient) -> None:
    assert client.is_server_live()
    assert client.is_server_ready()
    metadata = client.get_server_metadata()
    assert metadata["name"] == "pasarela"
    assert isinstance(metadata["version"], str) and metadata["version"]


def test_model_readiness(client: triton.InferenceServerClient) -> None:
    assert client.is_model_ready("cancer")
    assert client.is_model_ready("cancer", model_version="1")
    assert not client.is_model_ready("cancer", model_version="2")
    assert not client.is_model_ready("nope")


def test_model_metadata_describes_the_signature(
    client: triton.InferenceServerClient, trained: Trained
) -> None:
    metadata = client.get_model_metadata("cancer")
    assert metadata["name"] == "cancer"
    assert metadata["versions"] == ["1"]
    assert metadata["platform"] == "sklearn"
    assert [i["name"] for i in metadata["inputs"]] == list(trained.features.columns)
    assert {i["datatype"] for i in metadata["inputs"]} == {"FP64"}
    with pytest.raises(InferenceServerException) as raised:
        client.get_model_metadata("nope")
    assert raised.value.status() == "404"
    assert "nope" in raised.value.message()


@pytest.mark.parametrize("version", ["", "1"])
def test_infer_matches_the_local_model(
    client: triton.InferenceServerClient, trained: Trained, version: str
) -> None:
    data = rows(trained, 3)
    tensor = triton.InferInput("input-0", [3, 30], "FP64")
    tensor.set_data_from_numpy(data, binary_data=False)
    outputs = [
        triton.InferRequestedOutput("predict_proba", binary_data=False),
        triton.InferRequestedOutput("predict", binary_data=False),
    ]
    result = client.infer(
        "cancer", [tensor], model_version=version, outputs=outputs, request_id="e2e-triton-1"
    )
    response = result.get_response()
    assert response["model_name"] == "cancer"
    assert response["model_version"] == "1"
    assert response["id"] == "e2e-triton-1"
    proba = result.as_numpy("predict_proba")
    assert proba is not None and proba.shape == (3, 2)
    np.testing.assert_allclose(proba, trained.model.predict_proba(data), rtol=1e-9, atol=1e-12)
    labels = result.as_numpy("predict")
    assert labels is not None
    assert labels.reshape(-1).tolist() == trained.model.predict(data).tolist()


def unknown_version(client: triton.InferenceServerClient, trained: Trained) -> None:
    tensor = triton.InferInput("input-0", [1, 30], "FP64")
    tensor.set_data_from_numpy(rows(trained, 1), binary_data=False)
    client.infer("cancer", [tensor], model_version="7", request_id="e2e-triton-2")


def test_infer_errors_reach_the_client(
    client: triton.InferenceServerClient, trained: Trained
) -> None:
    with pytest.raises(InferenceServerException) as raised:
        unknown_version(client, trained)
    assert raised.value.status() == "404"
    assert "7" in raised.value.message()


def test_infer_errors_are_readable_by_the_client(
    client: triton.InferenceServerClient, trained: Trained
) -> None:
    """The protocol's error reply is ``{"error": "<message>"}``; tritonclient formats the
    exception (str, logging, tracebacks) by concatenating that message to a string."""
    with pytest.raises(InferenceServerException) as raised:
        unknown_version(client, trained)
    try:
        text = str(raised.value)
    except TypeError as exc:
        pytest.fail(f"tritonclient cannot format the server's error reply: {exc!r}")
    assert text.startswith("[404] ")
    assert "7" in text


def test_metadata_lists_the_outputs_infer_returns(
    client: triton.InferenceServerClient, trained: Trained
) -> None:
    """Clients build requests and decode replies from the metadata: every output ``infer``
    returns must be declared there, with the datatype it comes back in."""
    declared = {o["name"]: o["datatype"] for o in client.get_model_metadata("cancer")["outputs"]}
    tensor = triton.InferInput("input-0", [2, 30], "FP64")
    tensor.set_data_from_numpy(rows(trained, 2), binary_data=False)
    requested = [
        triton.InferRequestedOutput(name, binary_data=False)
        for name in ("predict", "predict_proba")
    ]
    returned = {
        o["name"]: o["datatype"]
        for o in client.infer("cancer", [tensor], outputs=requested).get_response()["outputs"]
    }
    assert declared == returned


def mlserver_request(
    trained: Trained, count: int, shape: str, outputs: list[str] | None
) -> dict[str, Any]:
    """What MLServer's pandas codec sends: one tensor per feature, named after it."""
    frame = trained.features.iloc[:count]
    body: dict[str, Any] = {
        "parameters": {"content_type": "pd"},
        "inputs": [
            {
                "name": str(name),
                "shape": [count] if shape == "[N]" else [count, 1],
                "datatype": "FP64",
                "parameters": {"content_type": "np"},
                "data": frame[name].tolist(),
            }
            for name in frame.columns
        ],
    }
    if outputs is not None:
        body["outputs"] = [{"name": n} for n in outputs]
    return body


@pytest.mark.parametrize("shape", ["[N]", "[N, 1]"])
def test_one_tensor_per_feature(server: Server, trained: Trained, shape: str) -> None:
    body = mlserver_request(trained, 4, shape, ["predict", "predict_proba"])
    reply = httpx.post(f"{server.url}/v2/models/cancer/infer", json=body)
    assert reply.status_code == 200, reply.text
    outputs = {o["name"]: o for o in reply.json()["outputs"]}
    expected = trained.model.predict_proba(trained.features.iloc[:4])
    assert outputs["predict_proba"]["shape"] == [4, 2]
    assert outputs["predict_proba"]["datatype"] == "FP64"
    np.testing.assert_allclose(
        np.array(outputs["predict_proba"]["data"]).reshape(4, 2), expected, rtol=1e-9
    )
    assert outputs["predict"]["shape"] == [4, 1]
    assert outputs["predict"]["data"] == trained.model.predict(trained.features.iloc[:4]).tolist()


def test_one_tensor_per_feature_in_any_order(server: Server, trained: Trained) -> None:
    body = mlserver_request(trained, 2, "[N]", None)
    body["inputs"].reverse()
    reply = httpx.post(f"{server.url}/v2/models/cancer/versions/1/infer", json=body)
    assert reply.status_code == 200, reply.text
    (predict,) = reply.json()["outputs"]
    assert predict["name"] == "predict"
    assert predict["data"] == trained.model.predict(trained.features.iloc[:2]).tolist()


def test_one_tensor_per_feature_with_a_feature_missing(server: Server, trained: Trained) -> None:
    body = mlserver_request(trained, 2, "[N]", None)
    del body["inputs"][3]
    reply = httpx.post(
        f"{server.url}/v2/models/cancer/infer", json=body, headers={"x-request-id": "e2e-missing"}
    )
    error = error_of(reply)
    assert reply.status_code == 422
    assert error["code"] == "invalid_input"
    assert "mean area" in error["message"]
    assert error["request_id"] != "e2e-missing"  # the server's own id
    assert reply.headers["x-correlation-id"] == "e2e-missing"


# -- the binary tensor data extension: tritonclient's default -----------------------------------
def test_default_mode_sends_and_receives_binary_tensors(
    client: triton.InferenceServerClient, trained: Trained
) -> None:
    """tritonclient's defaults: inputs as raw bytes after the JSON header, outputs asked for as
    binary; the reply carries them the same way and the client decodes them."""
    data = rows(trained, 5)
    tensor = triton.InferInput("input-0", [5, 30], "FP64")
    tensor.set_data_from_numpy(data)
    outputs = [triton.InferRequestedOutput("predict_proba"), triton.InferRequestedOutput("predict")]
    result = client.infer("cancer", [tensor], outputs=outputs, request_id="e2e-binary-1")
    assert result.get_response()["id"] == "e2e-binary-1"
    proba_tensor = result.get_output("predict_proba")
    assert proba_tensor["parameters"] == {"binary_data_size": 5 * 2 * 8}
    assert "data" not in proba_tensor
    proba = result.as_numpy("predict_proba")
    assert proba is not None and proba.shape == (5, 2)
    np.testing.assert_allclose(proba, trained.model.predict_proba(data), rtol=1e-9, atol=1e-12)
    labels = result.as_numpy("predict")
    assert labels is not None and labels.dtype == np.int64
    assert labels.reshape(-1).tolist() == trained.model.predict(data).tolist()


def test_default_mode_without_outputs_gets_every_output_in_binary(
    client: triton.InferenceServerClient, trained: Trained
) -> None:
    """With no outputs named, tritonclient sets ``binary_data_output``: the default output
    comes back as binary data."""
    data = rows(trained, 2)
    tensor = triton.InferInput("input-0", [2, 30], "FP64")
    tensor.set_data_from_numpy(data)
    result = client.infer("cancer", [tensor], model_version="1")
    assert result.get_output("predict")["parameters"] == {"binary_data_size": 2 * 8}
    labels = result.as_numpy("predict")
    assert labels is not None
    assert labels.reshape(-1).tolist() == trained.model.predict(data).tolist()


def test_binary_inputs_with_json_outputs_and_narrower_types(
    client: triton.InferenceServerClient, trained: Trained
) -> None:
    """FP32 binary inputs, one tensor per feature, and outputs asked for as JSON."""
    frame = trained.features.iloc[:3]
    inputs = []
    for name in frame.columns:
        tensor = triton.InferInput(str(name), [3], "FP32")
        tensor.set_data_from_numpy(frame[name].to_numpy(dtype=np.float32))
        inputs.append(tensor)
    outputs = [triton.InferRequestedOutput("predict", binary_data=False)]
    result = client.infer("cancer", inputs, outputs=outputs)
    expected = trained.model.predict(frame.to_numpy(dtype=np.float32).astype(np.float64))
    assert result.get_output("predict")["data"] == expected.tolist()


def test_binary_requests_that_lie_about_sizes_get_coded_400s(
    server: Server, trained: Trained
) -> None:
    """Over a real connection: the header length beyond the body, and a binary_data_size
    larger than what follows, are refused with their code; the server keeps serving."""
    header = orjson.dumps(
        {
            "inputs": [
                {
                    "name": "input-0",
                    "shape": [1, 30],
                    "datatype": "FP64",
                    "parameters": {"binary_data_size": 240},
                }
            ]
        }
    )
    raw = rows(trained, 1).tobytes()
    url = f"{server.url}/v2/models/cancer/infer"
    cases = [
        (header + raw, str(len(header) + len(raw) + 1), "invalid_inference_header_length"),
        (header + raw[:-8], str(len(header)), "invalid_binary_data"),
    ]
    for body, length, code in cases:
        reply = httpx.post(url, content=body, headers={"Inference-Header-Content-Length": length})
        assert reply.status_code == 400, reply.text
        assert error_of(reply)["code"] == code
    reply = httpx.post(
        url, content=header + raw, headers={"Inference-Header-Content-Length": str(len(header))}
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["outputs"][0]["data"] == trained.model.predict(rows(trained, 1)).tolist()


def test_default_mode_errors_reach_the_client(
    client: triton.InferenceServerClient, trained: Trained
) -> None:
    tensor = triton.InferInput("input-0", [1, 30], "FP64")
    tensor.set_data_from_numpy(rows(trained, 1))
    with pytest.raises(InferenceServerException) as raised:
        client.infer("cancer", [tensor], model_version="7")
    assert raised.value.status() == "404"
    assert str(raised.value).startswith("[404] ") and "7" in str(raised.value)
    short = triton.InferInput("input-0", [1, 29], "FP64")
    short.set_data_from_numpy(rows(trained, 1)[:, :29])
    with pytest.raises(InferenceServerException) as raised:
        client.infer("cancer", [short])
    assert raised.value.status() == "422"
    assert "has 29 values; expected 30" in str(raised.value)
