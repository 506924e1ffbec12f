"""Every error a client can cause: a 4xx, a stable code, a message, the request id."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.conftest import Trained, row

pytestmark = pytest.mark.anyio


def _error(reply_json: dict[str, object]) -> dict[str, object]:
    error = reply_json["error"]
    assert isinstance(error, dict)
    assert set(error) == {"code", "message", "request_id"}
    assert error["message"] and error["request_id"]
    return error


@pytest.mark.parametrize(
    ("body", "status", "code", "words"),
    [
        (b"{not json", 400, "invalid_json", "not valid JSON"),
        (b"[1, 2]", 400, "invalid_request", '{"inputs": [...]}'),
        (b'"text"', 400, "invalid_request", "inputs"),
        (b"{}", 400, "invalid_request", "inputs"),
        (b'{"inputs": 3}', 400, "invalid_request", "list of rows"),
        (b'{"inputs": []}', 422, "invalid_input", "at least one row"),
        (b'{"inputs": [{"mean radius": 1}]}', 422, "invalid_input", "missing features"),
        (b'{"inputs": [[1, 2, 3]]}', 422, "invalid_input", "has 3 values; expected 30"),
        (b'{"inputs": [7]}', 422, "invalid_input", "object keyed by feature"),
        (b"", 400, "invalid_json", "not valid JSON"),
    ],
)
async def test_bad_bodies(
    client: AsyncClient, body: bytes, status: int, code: str, words: str
) -> None:
    reply = await client.post("/v1/endpoints/cancer/predict", content=body)
    assert reply.status_code == status
    error = _error(reply.json())
    assert error["code"] == code
    assert words in str(error["message"])


async def test_wrong_type_names_the_feature(client: AsyncClient, trained: Trained) -> None:
    bad = row(trained) | {"mean radius": "big"}
    reply = await client.post("/v1/endpoints/cancer/predict", json={"inputs": [bad]})
    assert reply.status_code == 422
    assert reply.json()["error"]["message"] == 'inputs[0].mean radius must be float, got str "big"'


async def test_a_misspelt_feature_is_named_with_the_closest_known_one(
    client: AsyncClient, trained: Trained
) -> None:
    """Issue 14, item 20: not only "missing features: mean radius"."""
    bad = row(trained)
    bad["mean radus"] = bad.pop("mean radius")
    reply = await client.post("/v1/endpoints/cancer/predict", json={"inputs": [bad]})
    assert reply.status_code == 422
    error = _error(reply.json())
    assert error["code"] == "invalid_input"
    assert error["message"] == (
        "inputs[0] has unknown feature 'mean radus' (did you mean 'mean radius'?); "
        "missing features: mean radius"
    )


async def test_unknown_endpoint(client: AsyncClient, trained: Trained) -> None:
    reply = await client.post("/v1/endpoints/nope/predict", json={"inputs": [row(trained)]})
    assert reply.status_code == 404
    assert _error(reply.json())["code"] == "endpoint_not_found"


async def test_oversized_body_is_refused(client: AsyncClient) -> None:
    huge = b'{"inputs": [' + b"[1.0]," * 800_000 + b"[1.0]]}"
    reply = await client.post("/v1/endpoints/cancer/predict", content=huge)
    assert reply.status_code == 413
    assert _error(reply.json())["code"] == "payload_too_large"


async def test_unknown_route_and_wrong_method_answer_json(client: AsyncClient) -> None:
    reply = await client.get("/no/such/route")
    assert reply.status_code == 404
    assert _error(reply.json())["code"] == "not_found"
    reply = await client.get("/v1/endpoints/cancer/predict")
    assert reply.status_code == 405
    assert _error(reply.json())["code"] == "method_not_allowed"
    reply = await client.delete("/healthz")
    assert reply.status_code == 405


async def test_errors_are_counted_in_metrics(client: AsyncClient) -> None:
    await client.post("/v1/endpoints/ghost-1/predict", json={"inputs": [[1]]})
    await client.post("/v1/endpoints/ghost-2/predict", json={"inputs": [[1]]})
    await client.post("/v1/endpoints/cancer/predict", json={"inputs": [[1]]})
    text = (await client.get("/metrics")).text
    # unknown names share one label so clients cannot mint series
    assert (
        'pasarela_request_errors_total{code="endpoint_not_found",endpoint="_unknown",'
        'model="",version=""} 2.0' in text
    )
    assert (
        'pasarela_request_errors_total{code="invalid_input",endpoint="cancer",'
        'model="cancer",version="1"} 1.0' in text
    )
    assert "ghost" not in text
