"""pasarela: carry AI and ML models from demo to production.

Example::

    from pasarela import Settings, create_app
    app = create_app(Settings())
"""

from __future__ import annotations

__version__ = "0.1.0"

from pasarela.api.app import create_app
from pasarela.errors import PasarelaError
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.types import (
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
