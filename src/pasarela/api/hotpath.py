"""The two hot routes as plain ASGI, ahead of FastAPI's middleware and router.

``POST /v1/endpoints/{endpoint}/predict`` and ``POST /v2/models/{name}[/versions/{v}]/infer``
are most of the traffic. Serving them here skips per-request routing, dependency resolution and
Request/Response objects; everything else falls through to the FastAPI app. Their OpenAPI
description lives in ``api/schemas.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import replace
from typing import Any

import orjson

from pasarela.api import v2, v2_binary
from pasarela.api.errors import error_body, error_headers, status_for
from pasarela.api.request_ids import next_request_id
from pasarela.bounds import (
    MAX_ATTRIBUTES_BYTES,
    MAX_CORRELATION_ID_CHARS,
    MAX_ID_CHARS,
    MAX_REQUEST_TIMEOUT_S,
    check_id,
)
from pasarela.errors import InvalidRequest, PasarelaError
from pasarela.guards.size import BodyLimit
from pasarela.serving.admission import Identity
from pasarela.serving.dataplane import DataPlane
from pasarela.types import Prediction, RequestContext

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_JSON = (b"content-type", b"application/json")
_OCTETS = (b"content-type", b"application/octet-stream")
_V1_PREFIX, _V1_SUFFIX = "/v1/endpoints/", "/predict"
_V2_PREFIX, _V2_SUFFIX = "/v2/models/", "/infer"

Reply = bytes | v2_binary.BinaryReply
"""A hot route's 200 body: JSON, or a v2 reply with binary outputs."""


class HotPath:
    """Serves the prediction routes straight from the data plane; ``handle`` says whether it
    took the request."""

    def __init__(self, dataplane: DataPlane, body_limit: BodyLimit) -> None:
        self.dataplane = dataplane
        self.body_limit = body_limit

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> bool:
        if scope["type"] != "http":
            return False
        route = _match(scope["path"])
        if route is None:
            return False
        if scope["method"] != "POST":
            request_id = _request_id()
            message = f"{scope['method']} is not allowed here; use POST"
            body = error_body("method_not_allowed", message, request_id, path=scope["path"])
            extra = [(b"allow", b"POST"), *correlation_headers(_headers(scope))]
            await _respond(send, 405, body, request_id, extra)
            return True
        protocol, name, version = route
        handler = self._v1 if protocol == "v1" else self._v2
        await self._serve(scope, receive, send, handler, name, version, binary=protocol == "v2")
        return True

    async def _serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        handler: Callable[[RequestContext, Identity, Any, str | None], Awaitable[Reply]],
        name: str,
        version: str | None,
        binary: bool,
    ) -> None:
        headers = _headers(scope)
        request_id = _request_id()
        # Echoed on every reply when usable; refused (below, once the caller is known) when not.
        unusable: InvalidRequest | None = None
        try:
            correlation_id = _header_id(headers, "X-Request-Id", MAX_CORRELATION_ID_CHARS)
        except InvalidRequest as exc:
            correlation_id, unusable = None, exc
        echo = _echo(correlation_id)
        try:
            # The caller first: an unauthenticated caller's body is never read.
            identity = await self.dataplane.identify(headers, name, f"POST {scope['path']}")
            if unusable is not None:
                raise unusable
            body = await self._read_body(receive, headers)
            header_length = headers.get(v2_binary.HEADER) if binary else None
            if header_length is not None:  # v2's binary tensor data extension
                parsed = v2_binary.parse_request(body, header_length)
            else:
                try:
                    parsed = orjson.loads(body)
                except orjson.JSONDecodeError as exc:
                    raise InvalidRequest(
                        f"the body is not valid JSON: {exc}", code="invalid_json"
                    ) from None
            context = RequestContext(
                request_id=request_id,
                endpoint=name,
                unit_id=_header_id(headers, "X-Unit-Id", MAX_ID_CHARS),
                subject_id=_header_id(headers, "X-Subject-Id", MAX_ID_CHARS),
                attributes=_attributes(headers.get("x-attributes")),
                caller=identity.principal.subject,
                timeout_s=_timeout(headers.get("x-request-timeout")),
                correlation_id=correlation_id,
            )
            payload = await handler(context, identity, parsed, version)
            if isinstance(payload, v2_binary.BinaryReply):
                await _respond(
                    send,
                    200,
                    payload.body,
                    request_id,
                    payload.headers + echo,
                    content_type=_OCTETS,
                )
            else:
                await _respond(send, 200, payload, request_id, echo)
        except PasarelaError as exc:
            await respond_error(send, exc, request_id, scope["path"], echo)
        except Exception:  # never leak a stack trace to the client
            log.exception("unexpected error serving %s (request %s)", scope["path"], request_id)
            await _respond(
                send,
                500,
                error_body("internal_error", "internal error", request_id, path=scope["path"]),
                request_id,
                echo,
            )

    async def _read_body(self, receive: Receive, headers: dict[str, str]) -> bytes:
        self.body_limit.check_declared(headers.get("content-length"))
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise InvalidRequest("the client went away", code="client_disconnected")
            chunk = message.get("body", b"")
            size += len(chunk)
            self.body_limit.check_read(size)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def _v1(
        self, context: RequestContext, identity: Identity, body: Any, version: str | None
    ) -> bytes:
        del version
        if not isinstance(body, dict) or "inputs" not in body:
            raise InvalidRequest('the body must be an object like {"inputs": [...]}')
        inputs = body["inputs"]
        if not isinstance(inputs, list):
            raise InvalidRequest("'inputs' must be a list of rows")
        if "attributes" in body or "unit_id" in body:
            context = _with_body_context(context, body)
        prediction = await self.dataplane.predict(context, inputs, identity=identity)
        return _v1_reply(prediction)

    async def _v2(
        self, context: RequestContext, identity: Identity, body: Any, version: str | None
    ) -> Reply:
        number: int | None = None
        if version is not None:
            if not (version.isascii() and version.isdigit()):  # int() takes "²" otherwise
                raise InvalidRequest(
                    f"version {version!r} must be a number", code="invalid_request"
                )
            number = int(version)
        given = body.get("id") if isinstance(body, dict) else None
        if given is not None:
            # The protocol echoes the client's id; it is kept as the correlation id, never as
            # the record's key (clients choose it, so it cannot name one request alone).
            if not isinstance(given, str):
                raise InvalidRequest("'id' must be a string")
            context = replace(
                context, correlation_id=_body_id("'id'", given, MAX_CORRELATION_ID_CHARS) or None
            )
        rows = v2.decode_inputs(body)
        names = v2.requested_outputs(body)
        binary = v2_binary.binary_outputs(body, names)
        prediction = await self.dataplane.predict_version(context, number, rows, identity=identity)
        reply = {
            "model_name": context.endpoint,
            "model_version": str(prediction.version.version),
            "id": body.get("id") or context.request_id,
            "parameters": _v2_parameters(context, prediction),
            "outputs": v2.encode_outputs(prediction.outputs, names),
        }
        return v2_binary.encode_reply(reply, binary) if binary else orjson.dumps(reply)


def _v2_parameters(context: RequestContext, prediction: Prediction) -> dict[str, Any]:
    parameters: dict[str, Any] = {"request_id": context.request_id}
    if prediction.served_by != "primary":
        parameters["served_by"] = prediction.served_by
        if prediction.fallback_reason is not None:
            parameters["fallback_reason"] = prediction.fallback_reason
    return parameters


def _match(path: str) -> tuple[str, str, str | None] | None:
    """``(protocol, name, version)`` when ``path`` is a hot route."""
    if path.startswith(_V1_PREFIX) and path.endswith(_V1_SUFFIX):
        name = path[len(_V1_PREFIX) : -len(_V1_SUFFIX)]
        if name and "/" not in name:
            return "v1", name, None
    elif path.startswith(_V2_PREFIX) and path.endswith(_V2_SUFFIX):
        parts = path[len(_V2_PREFIX) : -len(_V2_SUFFIX)].split("/")
        if len(parts) == 1 and parts[0]:
            return "v2", parts[0], None
        if len(parts) == 3 and parts[0] and parts[1] == "versions":
            return "v2", parts[0], parts[2]
    return None


def _v1_reply(prediction: Prediction) -> bytes:
    body: dict[str, Any] = {
        "request_id": prediction.request_id,
        "endpoint": prediction.endpoint,
        "model": prediction.version.model,
        "version": prediction.version.version,
        "outputs": prediction.outputs,
        "reason": prediction.decision_reason,
    }
    if prediction.served_by != "primary":
        body["served_by"] = prediction.served_by
        if prediction.fallback_reason is not None:
            body["fallback_reason"] = prediction.fallback_reason
    return orjson.dumps(body)


def _timeout(header: str | None) -> float | None:
    """``X-Request-Timeout: 1.5`` (seconds): the caller's deadline for this request."""
    if header is None:
        return None
    try:
        value = float(header)
    except ValueError:
        value = -1.0
    if not 0 < value <= MAX_REQUEST_TIMEOUT_S:  # also refuses nan and inf
        raise InvalidRequest(
            f"X-Request-Timeout must be a number of seconds in (0, {MAX_REQUEST_TIMEOUT_S:g}]",
            code="invalid_timeout",
        )
    return value


def _attributes(header: str | None) -> dict[str, Any]:
    """``X-Attributes: {"country": "MX", "plan": "pro"}``: what flag rules target."""
    if not header:
        return {}
    if len(header) > MAX_ATTRIBUTES_BYTES:
        raise InvalidRequest(
            f"X-Attributes must be at most {MAX_ATTRIBUTES_BYTES} bytes (it has {len(header)})",
            code="invalid_header",
        )
    try:
        parsed = orjson.loads(header)
    except orjson.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidRequest(
            'X-Attributes must be a JSON object like {"country": "MX"}', code="invalid_attributes"
        )
    return parsed


def _with_body_context(context: RequestContext, body: dict[str, Any]) -> RequestContext:
    """Attributes and unit id given in the body; they win over the headers'."""
    attributes = body.get("attributes", {})
    unit_id = body.get("unit_id", context.unit_id)
    if not isinstance(attributes, dict):
        raise InvalidRequest("'attributes' must be an object", code="invalid_attributes")
    if unit_id is not None:
        if not isinstance(unit_id, str):
            raise InvalidRequest("'unit_id' must be a string", code="invalid_request")
        unit_id = _body_id("'unit_id'", unit_id, MAX_ID_CHARS) or None
    merged = {**context.attributes, **attributes}
    if attributes and len(orjson.dumps(merged)) > MAX_ATTRIBUTES_BYTES:
        raise InvalidRequest(
            f"'attributes' must be at most {MAX_ATTRIBUTES_BYTES} bytes as JSON",
            code="invalid_attributes",
        )
    return replace(context, attributes=merged, unit_id=unit_id)


def _header_id(headers: dict[str, str], name: str, limit: int) -> str | None:
    """The id in header ``name`` (None when absent or empty); ``invalid_header`` naming the
    header and its limit when it is too long or holds control characters."""
    value = headers.get(name.lower())
    if not value:
        return None
    try:
        return check_id(name, value, limit)
    except ValueError as exc:
        raise InvalidRequest(str(exc), code="invalid_header") from None


def _body_id(name: str, value: str, limit: int) -> str:
    try:
        return check_id(name, value, limit)
    except ValueError as exc:
        raise InvalidRequest(str(exc), code="invalid_request") from None


# A new id for one request, made here: a client's ``X-Request-Id`` is only its correlation id,
# so no client can choose (and collide with) another request's key.
_request_id = next_request_id


def correlation_headers(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """``X-Correlation-Id`` echoing the client's ``X-Request-Id``; nothing when there is none
    or it is not a usable id (too long, control characters: never echoed)."""
    try:
        correlation_id = _header_id(headers, "X-Request-Id", MAX_CORRELATION_ID_CHARS)
    except InvalidRequest:
        return []
    return _echo(correlation_id)


def _echo(correlation_id: str | None) -> list[tuple[bytes, bytes]]:
    if correlation_id is None:
        return []
    return [(b"x-correlation-id", correlation_id.encode("latin-1"))]


async def respond_error(
    send: Send,
    exc: PasarelaError,
    request_id: str,
    path: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """The JSON error reply for ``exc``: its status, code, message and headers."""
    body = error_body(exc.code, exc.message, request_id, path=path)
    await _respond(send, status_for(exc), body, request_id, [*error_headers(exc), *(extra or ())])


def request_headers(scope: Scope) -> dict[str, str]:
    """What the gate reads, with lower-case names."""
    return _headers(scope)


def new_request_id(headers: dict[str, str]) -> str:
    del headers  # a client's X-Request-Id never becomes a request's id
    return _request_id()


# What the gate, the admission and the hot routes read; every other header is left unread.
_WANTED = frozenset(
    {
        b"authorization",
        b"x-api-key",
        b"cookie",
        b"content-length",
        b"x-request-id",
        b"x-unit-id",
        b"x-subject-id",
        b"x-attributes",
        b"x-request-timeout",
        b"inference-header-content-length",
    }
)


def _headers(scope: Scope) -> dict[str, str]:
    wanted = _WANTED
    return {k.decode(): v.decode("latin-1") for k, v in scope["headers"] if k in wanted}


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    request_id: str,
    extra: list[tuple[bytes, bytes]] | None = None,
    content_type: tuple[bytes, bytes] = _JSON,
) -> None:
    headers = [
        content_type,
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode("latin-1")),
    ]
    if extra:
        headers.extend(extra)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
