"""The hot routes as plain ASGI: parse, call the data plane, render — bounds and error bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import orjson
import pytest

from pasarela.api.hotpath import HotPath, _match, _request_id
from pasarela.control.apply import apply_specs
from pasarela.guards.size import BodyLimit
from pasarela.registry.service import Registry
from pasarela.security.keys import KeyService
from pasarela.security.roles import ANONYMOUS
from pasarela.serving.dataplane import DataPlane
from pasarela.settings import Settings
from pasarela.storage.keys import KeyRepository
from pasarela.telemetry.metrics import Metrics
from pasarela.types import EndpointSpec

pytestmark = pytest.mark.anyio


class Reply:
    def __init__(self, messages: list[MutableMapping[str, Any]]) -> None:
        start, body = messages
        self.status: int = start["status"]
        self.headers = {k.decode(): v.decode() for k, v in start["headers"]}
        self.body: bytes = body["body"]

    def json(self) -> Any:
        return orjson.loads(self.body)


class Call:
    """One request through ``HotPath.handle``; ``reads`` counts how often the body was read."""

    def __init__(self, hot: HotPath) -> None:
        self.hot = hot
        self.reads = 0

    async def __call__(
        self, method: str, path: str, body: bytes = b"", **headers: str
    ) -> Reply | None:
        scope = {
            "type": "http",
            "method": method,
            "path": path,
            "headers": [
                (k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()
            ],
        }
        sent: list[MutableMapping[str, Any]] = []

        async def receive() -> dict[str, Any]:
            self.reads += 1
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        if not await self.hot.handle(scope, receive, send):
            return None
        return Reply(sent)


@pytest.fixture
async def plane(settings: Settings, registry: Registry) -> AsyncIterator[DataPlane]:
    registry.register("sums", entrypoint="pasarela.testing:row_sums")
    spec = EndpointSpec("a", "single", ("sums@1",), options={"target": "sums@1"})
    apply_specs(registry, [spec], actor="test")
    started = DataPlane(settings, registry, Metrics())
    await started.start()
    yield started
    await started.stop()


@pytest.fixture
def call(plane: DataPlane) -> Call:
    return Call(HotPath(plane, BodyLimit(1000)))


def v1(inputs: Any, **extra: Any) -> bytes:
    return orjson.dumps({"inputs": inputs, **extra})


async def test_a_v1_prediction_is_rendered_with_its_request_id(call: Call) -> None:
    reply = await call("POST", "/v1/endpoints/a/predict", v1([[1, 2], [3, 4]]))
    assert reply is not None and reply.status == 200
    body = reply.json()
    assert body == {
        "request_id": reply.headers["x-request-id"],
        "endpoint": "a",
        "model": "sums",
        "version": 1,
        "outputs": [3.0, 7.0],
        "reason": "single",
    }
    assert reply.headers["content-type"] == "application/json"
    assert len(body["request_id"]) == 32


async def test_a_v2_inference_is_rendered_in_the_protocols_shape(call: Call) -> None:
    tensor = {"name": "x", "shape": [1, 2], "datatype": "FP64", "data": [1, 2]}
    body = orjson.dumps({"id": "mine", "inputs": [tensor]})
    reply = await call("POST", "/v2/models/a/versions/1/infer", body)
    assert reply is not None and reply.status == 200
    answer = reply.json()
    assert (answer["model_name"], answer["model_version"], answer["id"]) == ("a", "1", "mine")
    assert answer["outputs"] == [
        {"name": "predict", "shape": [1, 1], "datatype": "FP64", "data": [3.0]}
    ]


async def test_other_paths_fall_through(call: Call) -> None:
    assert await call("POST", "/v1/endpoints") is None
    assert await call("GET", "/v1/endpoints/a") is None


async def test_a_get_on_a_hot_route_is_405_with_allow(call: Call) -> None:
    reply = await call("GET", "/v1/endpoints/a/predict")
    assert reply is not None and reply.status == 405
    assert reply.headers["allow"] == "POST"
    assert reply.json()["error"]["code"] == "method_not_allowed"


async def test_bad_json_is_a_400_in_the_v1_error_shape(call: Call) -> None:
    reply = await call("POST", "/v1/endpoints/a/predict", b"{nope")
    assert reply is not None and reply.status == 400
    error = reply.json()["error"]
    assert error["code"] == "invalid_json"
    assert error["request_id"] == reply.headers["x-request-id"]


async def test_v2_errors_use_the_protocols_string_shape(call: Call) -> None:
    reply = await call("POST", "/v2/models/a/infer", b"[]")
    assert reply is not None and reply.status == 400
    body = reply.json()
    assert isinstance(body["error"], str) and body["code"] == "invalid_request"


async def test_a_body_over_the_limit_is_413_before_it_is_read(call: Call) -> None:
    reply = await call("POST", "/v1/endpoints/a/predict", b"x", content_length="5000")
    assert reply is not None and reply.status == 413
    assert call.reads == 0


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"x_request_timeout": "0"}, "invalid_timeout"),
        ({"x_request_timeout": "nan"}, "invalid_timeout"),
        ({"x_attributes": "[1]"}, "invalid_attributes"),
        ({"x_unit_id": "u" * 1000}, "invalid_header"),
    ],
)
async def test_headers_are_bounded_at_the_door(
    call: Call, headers: dict[str, str], code: str
) -> None:
    reply = await call("POST", "/v1/endpoints/a/predict", v1([[1]]), **headers)
    assert reply is not None and reply.status == 400
    assert reply.json()["error"]["code"] == code


async def test_the_clients_request_id_is_echoed_as_the_correlation_id(call: Call) -> None:
    reply = await call("POST", "/v1/endpoints/a/predict", v1([[1]]), x_request_id="client-7")
    assert reply is not None and reply.headers["x-correlation-id"] == "client-7"
    assert reply.headers["x-request-id"] != "client-7"  # never the client's choice


async def test_a_model_side_error_keeps_its_code(call: Call) -> None:
    reply = await call("POST", "/v1/endpoints/missing/predict", v1([[1]]))
    assert reply is not None and reply.status == 404
    assert reply.json()["error"]["code"] == "endpoint_not_found"


async def test_an_unauthenticated_callers_body_is_never_read(
    call: Call, plane: DataPlane, registry: Registry
) -> None:
    KeyService(KeyRepository(registry.engine)).create(name="c", role="client", by=ANONYMOUS)
    await plane.refresh()
    reply = await call("POST", "/v1/endpoints/a/predict", b"{nope")
    assert reply is not None and reply.status == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert call.reads == 0


async def test_a_keyed_caller_is_served(call: Call, plane: DataPlane, registry: Registry) -> None:
    _, secret = KeyService(KeyRepository(registry.engine)).create(
        name="c", role="client", by=ANONYMOUS
    )
    await plane.refresh()
    reply = await call(
        "POST", "/v1/endpoints/a/predict", v1([[1]]), authorization=f"Bearer {secret}"
    )
    assert reply is not None and reply.status == 200


def test_hot_routes_are_matched_by_shape() -> None:
    assert _match("/v1/endpoints/a/predict") == ("v1", "a", None)
    assert _match("/v2/models/m/infer") == ("v2", "m", None)
    assert _match("/v2/models/m/versions/3/infer") == ("v2", "m", "3")
    assert _match("/v1/endpoints//predict") is None
    assert _match("/v1/endpoints/a/b/predict") is None
    assert _match("/v2/models/m/versions/infer") is None


def test_request_ids_are_distinct_128_bit_hex() -> None:
    ids = {_request_id() for _ in range(2000)}  # across several refills of the buffer
    assert len(ids) == 2000
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_a_forked_child_draws_fresh_ids() -> None:
    from pasarela.api import request_ids

    parent = request_ids._RequestIds()
    child = request_ids._RequestIds()
    parent.next()
    child._buffer, child._offset = parent._buffer, parent._offset  # as fork copies it
    child.drop()  # what register_at_fork runs in the child
    assert {parent.next() for _ in range(300)}.isdisjoint({child.next() for _ in range(300)})


async def test_an_unusable_request_id_is_refused_and_never_echoed(call: Call) -> None:
    reply = await call("POST", "/v1/endpoints/a/predict", v1([[1]]), x_request_id="x" * 500)
    assert reply is not None and reply.status == 400
    assert reply.json()["error"]["code"] == "invalid_header"
    assert "x-correlation-id" not in reply.headers
