"""pasarela: carry AI and ML models from demo to production.

Example::

    from pasarela import Settings, create_app
    app = create_app(Settings())
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pasarela._version import __version__

# Exports load on first use, so that importing one submodule (the record writer process, the
# CLI) does not pull in the web framework and every model library.
_EXPORTS = {
    "Decision": "pasarela.types",
    "EndpointSpec": "pasarela.types",
    "ModelVersion": "pasarela.types",
    "PasarelaError": "pasarela.errors",
    "Policy": "pasarela.types",
    "Registry": "pasarela.registry.service",
    "RequestContext": "pasarela.types",
    "Runtime": "pasarela.types",
    "Settings": "pasarela.settings",
    "ShadowSpec": "pasarela.types",
    "Signature": "pasarela.types",
    "VersionId": "pasarela.types",
    "create_app": "pasarela.api.app",
}

__all__ = [
    "Decision",
    "EndpointSpec",
    "ModelVersion",
    "PasarelaError",
    "Policy",
    "Registry",
    "RequestContext",
    "Runtime",
    "Settings",
    "ShadowSpec",
    "Signature",
    "VersionId",
    "__version__",
    "create_app",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pasarela' has no attribute {name!r}")
    return getattr(import_module(module), name)


if TYPE_CHECKING:
    from pasarela.api.app import create_app
    from pasarela.errors import PasarelaError
    from pasarela.registry.service import Registry
    from pasarela.settings import Settings
    from pasarela.types import (
        Decision,
        EndpointSpec,
        ModelVersion,
        Policy,
        RequestContext,
        Runtime,
        ShadowSpec,
        Signature,
        VersionId,
    )
