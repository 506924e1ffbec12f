"""Pydantic descriptions of the API, for OpenAPI. The hot routes are served by ``hotpath`` without
building these models per request; their paths are added to the schema here."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PredictRequest(BaseModel):
    inputs: list[dict[str, Any] | list[Any]] = Field(
        description="Rows: objects keyed by feature name, or lists in signature order.",
        examples=[[{"mean radius": 14.1, "mean texture": 19.3}]],
    )


class PredictResponse(BaseModel):
    request_id: str
    endpoint: str
    model: str
    version: int
    outputs: list[Any] = Field(description="One output per input row.")
    reason: str = Field(description="Why this version answered (the policy's decision).")
    served_by: str | None = Field(
        None, description="Present when a fallback link answered: fallback:1, fallback:2…"
    )
    fallback_reason: str | None = Field(
        None, description="With served_by: the error code of the link before it."
    )


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, machine-readable error code.")
    message: str
    request_id: str | None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class InferenceErrorResponse(BaseModel):
    """The Open Inference Protocol's error shape, with pasarela's code and request id."""

    error: str
    code: str
    request_id: str | None = None


class Tensor(BaseModel):
    name: str
    shape: list[int]
    datatype: str
    data: list[Any]
    parameters: dict[str, Any] | None = None


class RequestedOutput(BaseModel):
    name: str


class InferenceRequest(BaseModel):
    id: str | None = None
    inputs: list[Tensor]
    outputs: list[RequestedOutput] | None = None
    parameters: dict[str, Any] | None = None


class InferenceResponse(BaseModel):
    model_name: str
    model_version: str
    id: str
    parameters: dict[str, Any]
    outputs: list[Tensor]


def _operation(
    summary: str, request: str, response: str, params: list[str], error: str = "ErrorResponse"
) -> dict[str, Any]:
    errors = {
        str(status): {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{error}"}}},
        }
        for status, text in (
            (400, "Bad JSON or body shape"),
            (401, "No credentials, or credentials that are not valid"),
            (403, "The role or key may not call this endpoint"),
            (404, "Unknown endpoint, model or version"),
            (413, "Body too large"),
            (422, "Inputs do not match the signature, or a guard refused them"),
            (429, "Over a rate limit (see Retry-After and RateLimit-*)"),
            (503, "Overloaded or not ready (see Retry-After)"),
        )
    }
    return {
        "post": {
            "summary": summary,
            "parameters": [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in params
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}
                },
            },
            "responses": {
                "200": {
                    "description": "Prediction",
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{response}"}}
                    },
                },
                **errors,
            },
        }
    }


HOT_ROUTES = (
    "/v1/endpoints/{endpoint}/predict",
    "/v2/models/{name}/infer",
    "/v2/models/{name}/versions/{version}/infer",
)
"""The POST routes ``api/hotpath.py`` serves ahead of FastAPI's router."""


def add_hot_routes(schema: dict[str, Any]) -> dict[str, Any]:
    """Describe the routes served by ``hotpath`` in an OpenAPI ``schema``."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (
        PredictRequest,
        PredictResponse,
        ErrorResponse,
        InferenceErrorResponse,
        InferenceRequest,
        InferenceResponse,
    ):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(definition.pop("$defs", {}))
        components[model.__name__] = definition
    # Credentials: an API key or a JWT as a bearer token, or the key in X-API-Key.
    schema["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "an API key or a JWT"},
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    }
    schema["security"] = [{"bearer": []}, {"apiKey": []}]
    paths = schema.setdefault("paths", {})
    for path in ("/healthz", "/readyz", "/v2/health/live", "/v2/health/ready"):
        for operation in paths.get(path, {}).values():
            operation["security"] = []  # health checks answer without credentials
    paths["/v1/endpoints/{endpoint}/predict"] = _operation(
        "Predict with an endpoint", "PredictRequest", "PredictResponse", ["endpoint"]
    )
    paths["/v2/models/{name}/infer"] = _operation(
        "Open Inference Protocol inference",
        "InferenceRequest",
        "InferenceResponse",
        ["name"],
        "InferenceErrorResponse",
    )
    paths["/v2/models/{name}/versions/{version}/infer"] = _operation(
        "Open Inference Protocol inference on one version",
        "InferenceRequest",
        "InferenceResponse",
        ["name", "version"],
        "InferenceErrorResponse",
    )
    return schema
