"""The one table from pasarela's exception tree to HTTP status codes, and the error body."""

from __future__ import annotations

import orjson

from pasarela import errors

# Most specific class first; the first match wins.
STATUS_BY_ERROR: tuple[tuple[type[errors.PasarelaError], int], ...] = (
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.RateLimited, 429),
    (errors.Blocked, 422),
    (errors.InvalidInput, 422),
    (errors.InvalidRequest, 400),
    (errors.ClientError, 400),
    (errors.Unavailable, 503),
    (errors.DataRejected, 422),  # the door let through what a column cannot hold
    (errors.ModelTimeout, 504),
    (errors.ModelError, 502),
    (errors.ArtifactError, 500),
    (errors.ConfigurationError, 500),
    (errors.PasarelaError, 500),
)
# Codes whose status differs from their class's.
STATUS_BY_CODE = {"payload_too_large": 413, "method_not_allowed": 405, "yaml_too_complex": 422}


def status_for(error: errors.PasarelaError) -> int:
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    for cls, status in STATUS_BY_ERROR:
        if isinstance(error, cls):
            return status
    return 500


def error_body(code: str, message: str, request_id: str | None, *, path: str = "") -> bytes:
    """``{"error": {"code", "message", "request_id"}}``; on the Open Inference Protocol routes
    (``/v2…``) the protocol's own shape, ``{"error": message}``, with ``code`` and
    ``request_id`` beside it, so that Triton, KServe and MLServer clients can read it."""
    if path == "/v2" or path.startswith("/v2/"):
        return orjson.dumps({"error": message, "code": code, "request_id": request_id})
    return orjson.dumps({"error": {"code": code, "message": message, "request_id": request_id}})


def error_headers(error: errors.PasarelaError) -> list[tuple[bytes, bytes]]:
    if isinstance(error, errors.Unavailable):
        return [(b"retry-after", str(error.retry_after).encode())]
    if isinstance(error, errors.RateLimited):
        return [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    if isinstance(error, errors.Unauthenticated):
        return [(b"www-authenticate", b'Bearer realm="pasarela"')]
    return []
