"""pasarela: carry AI and ML models from demo to production.

Example::

    from pasarela import Settings, create_app
    app = create_app(Settings())
"""

from __future__ import annotations

__version__ = "0.1.0"

from pasarela.api.app import create_app  # noqa: E402
from pasarela.errors import PasarelaError  # noqa: E402
from pasarela.registry.service import Registry  # noqa: E402
from pasarela.settings import Settings  # noqa: E402
from pasarela.types import (  # noqa: E402
    Decision,
    EndpointSpec,
    ModelVersion,
    Policy,
    Runtime,
    Signature,
    VersionId,
)

__all__ = [
    "Decision",
    "EndpointSpec",
    "ModelVersion",
    "PasarelaError",
    "Policy",
    "Registry",
    "Runtime",
    "Settings",
    "Signature",
    "VersionId",
    "__version__",
    "create_app",
]
