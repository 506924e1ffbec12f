"""The v1 prediction route, in process, against a real trained model."""

from __future__ import annotations

import numpy as np
import pytest
from httpx import AsyncClient

from tests.conftest import Trained, row

pytestmark = pytest.mark.anyio


async def test_predict_named_rows_matches_the_model(client: AsyncClient, trained: Trained) -> None:
    rows = [row(trained, i) for i in range(3)]
    reply = await client.post("/v1/endpoints/cancer/predict", json={"inputs": rows})
    assert reply.status_code == 200
    body = reply.json()
    assert body["endpoint"] == "cancer"
    assert body["model"] == "cancer"
    assert body["version"] == 1
    assert len(body["request_id"]) == 32
    assert reply.headers["x-request-id"] == body["request_id"]
    expected = trained.model.predict_proba(trained.features.iloc[:3])
    got = np.array([[o["probabilities"]["0"], o["probabilities"]["1"]] for o in body["outputs"]])
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert [o["label"] for o in body["outputs"]] == trained.model.predict(
        trained.features.iloc[:3]
    ).tolist()


async def test_predict_positional_rows(client: AsyncClient, trained: Trained) -> None:
    values = list(row(trained, 5).values())
    reply = await client.post("/v1/endpoints/cancer/predict", json={"inputs": [values]})
    assert reply.status_code == 200
    expected = trained.model.predict_proba(trained.features.iloc[[5]])[0, 1]
    assert reply.json()["outputs"][0]["probabilities"]["1"] == pytest.approx(expected, rel=1e-9)


async def test_client_request_id_is_a_correlation_id(client: AsyncClient, trained: Trained) -> None:
    """Two clients sending the same X-Request-Id get two requests of their own: the id is
    the server's, the client's is echoed as X-Correlation-Id (issue 14, item 6)."""
    replies = [
        await client.post(
            "/v1/endpoints/cancer/predict",
            json={"inputs": [row(trained)]},
            headers={"X-Request-Id": "abc-123"},
        )
        for _ in range(2)
    ]
    ids = {r.json()["request_id"] for r in replies}
    assert len(ids) == 2 and "abc-123" not in ids
    for reply in replies:
        assert reply.headers["x-request-id"] == reply.json()["request_id"]
        assert reply.headers["x-correlation-id"] == "abc-123"
