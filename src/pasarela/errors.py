"""The exception tree of pasarela. Domain errors carry a stable code, never an HTTP status.

    PasarelaError                      code: internal_error
    ├── ClientError                    the caller can fix it
    │   ├── InvalidRequest             invalid_json, invalid_request, payload_too_large,
    │   │                              invalid_timeout, invalid_header
    │   ├── InvalidInput               invalid_input: features, types or shape do not match;
    │   │                              too_many_rows, text_too_long
    │   ├── NotFound                   endpoint_not_found, model_not_found, version_not_found, …
    │   ├── Conflict                   conflict: the change clashes with what exists
    │   ├── Unauthenticated            unauthenticated, invalid_credentials, key_expired, …
    │   ├── Forbidden                  forbidden: the role or key may not do this
    │   ├── Blocked                    input_blocked, output_blocked: a guard refused it
    │   └── RateLimited                rate_limited: too many requests (retry_after, headers)
    ├── Unavailable                    overloaded, not_ready, circuit_open: try again later
    │   └── StorageUnavailable         database_error: the database failed an operation
    ├── ModelError                     model_error: the model raised while predicting
    │   └── ModelTimeout               model_timeout
    ├── ArtifactError                  artifact_missing, artifact_tampered
    ├── DataRejected                   data_rejected: the database refuses a value (not down)
    └── ConfigurationError             configuration_error, missing_dependency

`api/errors.py` maps this tree to HTTP status codes in one table. Third-party exceptions are
translated at the boundary with ``raise SomeError(...) from exc``: SQLAlchemy's by
``storage.db.storage_errors``, so nothing above ``storage/`` catches them.
"""

from __future__ import annotations


class PasarelaError(Exception):
    """Base of every error pasarela raises on purpose."""

    code: str = "internal_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ClientError(PasarelaError):
    code = "invalid_request"


class InvalidRequest(ClientError):
    code = "invalid_request"


class InvalidInput(ClientError):
    code = "invalid_input"


class NotFound(ClientError):
    code = "not_found"


class Conflict(ClientError):
    code = "conflict"


class Unauthenticated(ClientError):
    """No credentials, or credentials that are not valid (unknown, expired, revoked)."""

    code = "unauthenticated"


class Forbidden(ClientError):
    code = "forbidden"


class Blocked(ClientError):
    """A guard refused the input (or the output); the message says which detectors, never
    what they found."""

    code = "input_blocked"


class RateLimited(ClientError):
    """Over a rate limit; ``headers`` are the ``RateLimit-*`` and ``Retry-After`` to send."""

    code = "rate_limited"

    def __init__(self, message: str, *, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.headers = headers


class Unavailable(PasarelaError):
    """A temporary condition; ``retry_after`` says how many seconds to wait."""

    code = "unavailable"

    def __init__(self, message: str, *, code: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class StorageUnavailable(Unavailable):
    """The database could not do what was asked: unreachable, locked, or refusing the
    statement. ``message`` is the driver's first line (``connection refused …``), never the
    statement or its parameters, for logs and the CLI; the HTTP API answers it with its own
    ``database_unavailable``, which names no host."""

    code = "database_error"

    def __init__(self, message: str, *, retry_after: int = 5) -> None:
        super().__init__(message, retry_after=retry_after)


class ModelError(PasarelaError):
    code = "model_error"


class ModelTimeout(ModelError):
    code = "model_timeout"


class ArtifactError(PasarelaError):
    code = "artifact_error"


class DataRejected(PasarelaError):
    """The database refused what it was given (a value too long for its column, a NUL in
    text, a missing field), as opposed to being unreachable: trying again cannot help."""

    code = "data_rejected"


class ConfigurationError(PasarelaError):
    code = "configuration_error"


class MissingDependency(ConfigurationError):
    """An optional dependency is absent; the message names the extra that brings it."""

    code = "missing_dependency"

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(
            f"{module!r} is not installed; install it with: pip install 'pasarela[{extra}]'"
        )
        self.module = module
        self.extra = extra
