"""Malformed requests against every route the real server describes in /openapi.json: each must
get a 4xx with the error body ``{"error": {"code", "message", "request_id"}}``, never a 5xx and
never a stack trace."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Trained, row
from tests.e2e.conftest import Server, error_of, error_problem, pasarela_env, running_server

pytestmark = pytest.mark.e2e

MAX_BODY_BYTES = 2048
# Values for path parameters: the first of each exists on the server.
PATH_VALUES = {
    "endpoint": ["cancer", "nope"],
    "name": ["cancer", "nope"],
    "version": ["1", "99", "x"],
    "action": ["pause", "nope"],
    "experiment_id": ["exp-1", "nope"],
    "key_id": ["pk_00000000", "nope"],
    # Any string names a data subject: one the server holds nothing about is an empty export
    # and an erasure of nothing (200), not an unknown name.
    "subject_id": ["ana@example.com"],
    # This server has had no incident: the first value stands for "one that exists" only in
    # the shape of the URL; every value gets a clear error.
    "incident_id": ["1", "99", "x", "-1"],
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
# What the server must describe (more is fine: every described route gets the same treatment).
KNOWN_OPERATIONS = {
    ("/healthz", "get"),
    ("/readyz", "get"),
    ("/metrics", "get"),
    ("/v1/endpoints", "get"),
    ("/v1/endpoints/{endpoint}", "get"),
    ("/v1/endpoints/{endpoint}/predict", "post"),
    ("/v2", "get"),
    ("/v2/health/live", "get"),
    ("/v2/health/ready", "get"),
    ("/v2/models/{name}", "get"),
    ("/v2/models/{name}/versions/{version}", "get"),
    ("/v2/models/{name}/ready", "get"),
    ("/v2/models/{name}/versions/{version}/ready", "get"),
    ("/v2/models/{name}/infer", "post"),
    ("/v2/models/{name}/versions/{version}/infer", "post"),
}
UNKNOWN_PATHS = (
    "/",
    "/nope",
    "/v1",
    "/v1/endpoints/cancer/predict/extra",
    "/v1/endpoints//predict",
    "/v1/endpoints/cancer/explain",
    "/v1/endpoints/a%2Fb/predict",
    "/v1/endpoints/%2e%2e/predict",
    "/v1/endpoints/caf%C3%A9/predict",
    "/v2/models/cancer/infer/extra",
    "/v2/models//infer",
    "/v2/models/cancer/versions//infer",
    "/v2/models/cancer/versions/1/extra/infer",
    "/v2/models/cancer/versions/-1/infer",
    "/v2/models/" + "x" * 300 + "/infer",
    "/v3/models/cancer/infer",
)


@pytest.fixture(scope="module")
def server(api_home: Path) -> Iterator[Server]:
    env = pasarela_env(api_home, PASARELA_MAX_BODY_BYTES=str(MAX_BODY_BYTES))
    with running_server(env, api_home.parent / "server-small-bodies.log") as running:
        yield running


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def operations(http: httpx.Client) -> dict[str, dict[str, Any]]:
    """``{path: {method: operation}}`` from the running server's OpenAPI document."""
    reply = http.get("/openapi.json")
    assert reply.status_code == 200
    paths: dict[str, dict[str, Any]] = reply.json()["paths"]
    return {
        path: {m.upper(): op for m, op in item.items() if m.upper() in METHODS}
        for path, item in paths.items()
    }


def expand(path: str) -> list[tuple[str, bool]]:
    """``path`` with its parameters filled in every way: ``(url, every value exists)``."""
    names = re.findall(r"{(\w+)}", path)
    urls = []
    for values in itertools.product(*(PATH_VALUES[n] for n in names)):
        url = path
        for name, value in zip(names, values, strict=True):
            url = url.replace(f"{{{name}}}", value)
        exists = all(v == PATH_VALUES[n][0] for n, v in zip(names, values, strict=True))
        urls.append((url, exists))
    return urls


def send(http: httpx.Client, method: str, url: str, body: bytes | None = None) -> str | None:
    """Send one request; what is wrong with the reply as a client error (None if nothing)."""
    reply = http.request(method, url, content=body, headers={"content-type": "application/json"})
    return error_problem(reply)


def assert_none(problems: list[str | None]) -> None:
    found = [p for p in problems if p is not None]
    assert not found, f"{len(found)} bad replies:\n" + "\n".join(found)


def dumps(data: Any) -> bytes:
    return json.dumps(data).encode()


def tensor(data: list[Any], shape: Any = (1, 30), datatype: str = "FP64") -> dict[str, Any]:
    return {"name": "input-0", "shape": list(shape), "datatype": datatype, "data": data}


def column(name: str, data: list[Any]) -> dict[str, Any]:
    return {"name": name, "shape": [len(data)], "datatype": "FP64", "data": data}


Row = dict[str, float]
# Each body is wrong for every prediction route: v1 rows are not v2 tensors and the other way.
BAD_BODIES: dict[str, Callable[[Row], bytes]] = {
    # not JSON, or not a JSON object
    "invalid-json": lambda r: b'{"inputs": [',
    "invalid-utf8": lambda r: b'{"inputs": "\xff\xfe"}',
    "empty": lambda r: b"",
    "json-array": lambda r: dumps([r]),
    "json-string": lambda r: dumps("inputs"),
    "json-number": lambda r: b"42",
    "json-null": lambda r: b"null",
    "empty-object": lambda r: b"{}",
    # v1 rows of the wrong shape or type
    "inputs-not-a-list": lambda r: dumps({"inputs": r}),
    "inputs-empty": lambda r: dumps({"inputs": []}),
    "row-not-an-object": lambda r: dumps({"inputs": ["mean radius"]}),
    "unknown-feature": lambda r: dumps({"inputs": [{**r, "colour": 1.0}]}),
    "wrong-feature-names": lambda r: dumps({"inputs": [{k.upper(): v for k, v in r.items()}]}),
    "missing-feature": lambda r: dumps(
        {"inputs": [{k: v for k, v in r.items() if k != "mean area"}]}
    ),
    "string-value": lambda r: dumps({"inputs": [{**r, "mean radius": "14.1"}]}),
    "null-value": lambda r: dumps({"inputs": [{**r, "mean radius": None}]}),
    "bool-value": lambda r: dumps({"inputs": [{**r, "mean radius": True}]}),
    "nested-value": lambda r: dumps({"inputs": [{**r, "mean radius": [1.0]}]}),
    "short-row": lambda r: dumps({"inputs": [list(r.values())[:29]]}),
    "long-row": lambda r: dumps({"inputs": [[*r.values(), 1.0]]}),
    # v2 tensors of the wrong shape or type
    "tensor-not-an-object": lambda r: dumps({"inputs": ["input-0"]}),
    "tensor-without-data": lambda r: dumps(
        {"inputs": [{"name": "input-0", "shape": [1, 30], "datatype": "FP64"}]}
    ),
    "shape-not-matching-data": lambda r: dumps({"inputs": [tensor(list(r.values()), (2, 30))]}),
    "shape-3d": lambda r: dumps({"inputs": [tensor(list(r.values()), (1, 1, 30))]}),
    "shape-negative": lambda r: dumps({"inputs": [tensor(list(r.values()), (-1, 30))]}),
    "shape-not-a-list": lambda r: dumps({"inputs": [tensor(list(r.values()), "1x30")]}),
    "unknown-datatype": lambda r: dumps({"inputs": [tensor(list(r.values()), datatype="FP128")]}),
    "too-few-columns": lambda r: dumps({"inputs": [tensor([1.0, 2.0, 3.0], (1, 3))]}),
    "text-in-fp64": lambda r: dumps({"inputs": [tensor(["abc"] * 30)]}),
    "nan-text-in-fp64": lambda r: dumps({"inputs": [tensor(["nan"] * 30)]}),
    "numeric-text-in-fp64": lambda r: dumps({"inputs": [tensor([str(v) for v in r.values()])]}),
    "bool-in-fp64": lambda r: dumps({"inputs": [tensor([True] * 30)]}),
    "fraction-in-int64": lambda r: dumps({"inputs": [tensor([1.5] * 30, datatype="INT64")]}),
    "columns-of-different-lengths": lambda r: dumps(
        {"inputs": [column(k, [v] * (1 + i % 2)) for i, (k, v) in enumerate(r.items())][:3]}
    ),
    "columns-with-unknown-names": lambda r: dumps(
        {"inputs": [column(f"f{i}", [v]) for i, v in enumerate(r.values())][:3]}
    ),
    "outputs-not-a-list": lambda r: dumps(
        {"inputs": [tensor(list(r.values()))], "outputs": "predict"}
    ),
    "unknown-output": lambda r: dumps(
        {"inputs": [tensor(list(r.values()))], "outputs": [{"name": "predict_log_proba"}]}
    ),
    "id-not-a-string": lambda r: dumps({"id": {"run": 1}, "inputs": [tensor(list(r.values()))]}),
}


def with_body(operations: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, methods in operations.items()
        for method, operation in methods.items()
        if "requestBody" in operation
    ]


def test_openapi_describes_every_route(operations: dict[str, dict[str, Any]]) -> None:
    described = {(p, m.lower()) for p, methods in operations.items() for m in methods}
    assert described >= KNOWN_OPERATIONS
    assert set(with_body(operations)) >= {
        ("/v1/endpoints/{endpoint}/predict", "POST"),
        ("/v2/models/{name}/infer", "POST"),
        ("/v2/models/{name}/versions/{version}/infer", "POST"),
    }


def test_a_good_request_under_the_limit_is_served(http: httpx.Client, trained: Trained) -> None:
    """The baseline for the cases below: they fail for what they send, not for the setup."""
    body = dumps({"inputs": [row(trained)]})
    assert len(body) <= MAX_BODY_BYTES
    reply = http.post("/v1/endpoints/cancer/predict", content=body)
    assert reply.status_code == 200, reply.text
    body = dumps({"inputs": [tensor(list(row(trained).values()))]})
    assert len(body) <= MAX_BODY_BYTES
    for url in ("/v2/models/cancer/infer", "/v2/models/cancer/versions/1/infer"):
        reply = http.post(url, content=body)
        assert reply.status_code == 200, reply.text


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_bodies_on_every_route(
    http: httpx.Client, operations: dict[str, dict[str, Any]], trained: Trained, case: str
) -> None:
    body = BAD_BODIES[case](row(trained))
    assert len(body) <= MAX_BODY_BYTES
    sent = 0
    problems = []
    for path, method in with_body(operations):
        for url, _ in expand(path):
            sent += 1
            problems.append(send(http, method, url, body))
    assert sent >= 10
    assert_none(problems)


def test_unknown_names_on_every_route(
    http: httpx.Client, operations: dict[str, dict[str, Any]], trained: Trained
) -> None:
    good = dumps({"inputs": [row(trained)]})
    sent = 0
    problems = []
    for path, methods in operations.items():
        for method, (url, exists) in itertools.product(methods, expand(path)):
            if not exists:
                sent += 1
                problems.append(send(http, method, url, good if method != "GET" else None))
    assert sent >= 15
    assert_none(problems)


def test_wrong_methods_on_every_route(
    http: httpx.Client, operations: dict[str, dict[str, Any]]
) -> None:
    sent = 0
    problems = []
    for path, methods in {**operations, "/openapi.json": {"GET": {}}, "/docs": {"GET": {}}}.items():
        for url, _ in expand(path):
            for method in METHODS:
                if method not in methods:
                    sent += 1
                    body = None if method in ("GET", "OPTIONS") else b'{"inputs": []}'
                    problems.append(send(http, method, url, body))
    assert sent >= 100
    assert_none(problems)


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_paths(http: httpx.Client, path: str) -> None:
    problems = [send(http, m, path, b'{"inputs": []}' if m == "POST" else None) for m in METHODS]
    assert_none(problems)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_bodies_over_the_limit(
    http: httpx.Client, operations: dict[str, dict[str, Any]], trained: Trained, chunked: bool
) -> None:
    body = dumps({"inputs": [row(trained)] * 4})
    assert len(body) > MAX_BODY_BYTES
    checked = 0
    for path, method in with_body(operations):
        for url, _ in expand(path):
            content: bytes | Iterator[bytes] = iter([body[:1000], body[1000:]]) if chunked else body
            reply = http.request(method, url, content=content)
            error = error_of(reply)
            assert reply.status_code == 413, reply.text
            assert error["code"] == "payload_too_large"
            checked += 1
    assert checked >= 10
    # and on the routes that take no body
    for path in ("/healthz", "/v1/endpoints", "/v2/models/cancer"):
        error_of(http.post(path, content=body))


# One request down each way an error is made: the hot path (bad JSON, bad input, unknown name,
# too large, wrong method) and the FastAPI app (unknown path, wrong method, unknown name).
ERROR_ROUTES = {
    "hot-invalid-json": ("POST", "/v1/endpoints/cancer/predict", b"{"),
    "hot-invalid-input": ("POST", "/v2/models/cancer/infer", b'{"inputs": []}'),
    "hot-unknown-endpoint": ("POST", "/v1/endpoints/nope/predict", b'{"inputs": []}'),
    "hot-too-large": ("POST", "/v1/endpoints/cancer/predict", b" " * (MAX_BODY_BYTES + 1)),
    "hot-wrong-method": ("GET", "/v1/endpoints/cancer/predict", None),
    "app-unknown-path": ("GET", "/nope", None),
    "app-wrong-method": ("DELETE", "/v1/endpoints", None),
    "app-unknown-model": ("GET", "/v2/models/nope", None),
}


@pytest.mark.parametrize("case", list(ERROR_ROUTES))
def test_error_replies_echo_the_client_id_as_correlation_id(http: httpx.Client, case: str) -> None:
    method, url, body = ERROR_ROUTES[case]
    reply = http.request(method, url, content=body, headers={"x-request-id": f"e2e-{case}"})
    error_of(reply, request_id=f"e2e-{case}")
