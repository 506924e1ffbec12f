"""The control plane's repositories on one engine: versions, aliases, endpoints, rollouts."""

from __future__ import annotations

import sqlalchemy as sa

from pasarela.storage.aliases import AliasRepository
from pasarela.storage.endpoints import EndpointRepository
from pasarela.storage.rollouts import RolloutRepository
from pasarela.storage.versions import VersionRepository


class Catalog:
    """What the registry and the control services read and change, opened together so they
    share one engine (and its pool).

    Example::

        catalog = Catalog(create_engine("sqlite:///x.db"))
        catalog.aliases.resolve("churn", "champion")
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.versions = VersionRepository(engine)
        self.aliases = AliasRepository(engine, self.versions)
        self.endpoints = EndpointRepository(engine)
        self.rollouts = RolloutRepository(engine)
