"""The workspace a process works on: one engine, every repository on it, and the registry.

Adapters and jobs take what they need from it (``workspace.keys``, ``workspace.endpoints``)
instead of building repositories from an engine of their own.
"""

from __future__ import annotations

import sqlalchemy as sa

from pasarela.registry.service import Registry
from pasarela.security.crypto import PayloadCipher
from pasarela.settings import Settings
from pasarela.storage.artifacts import LocalArtifactStore
from pasarela.storage.audit import AuditRepository, witness_appends
from pasarela.storage.audit_witness import HeadWitness
from pasarela.storage.catalog import Catalog
from pasarela.storage.data_keys import DataKeyRepository
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.incidents import IncidentRepository
from pasarela.storage.keys import KeyRepository
from pasarela.storage.sessions import SessionRepository
from pasarela.storage.subjects import SubjectRepository
from pasarela.storage.telemetry import TelemetryRepository


class Workspace:
    """Every repository of one database, and the registry over them.

    The control plane's nouns (``versions``, ``aliases``, ``endpoints``, ``rollouts``) are the
    registry's own, so a change made through either is the same change. Payloads read back
    (records, feedback, a subject's export) are opened with the registry's payload codec.

    Example::

        workspace = open_workspace(Settings())
        workspace.endpoints.all()
        workspace.keys.list()
    """

    def __init__(self, registry: Registry, *, data_keys: DataKeyRepository | None = None) -> None:
        engine = registry.engine
        self.engine: sa.Engine = engine
        self.registry = registry
        self.versions = registry.versions
        self.aliases = registry.aliases
        self.endpoints = registry.endpoints
        self.rollouts = registry.rollouts
        self.keys = KeyRepository(engine)
        self.audit = AuditRepository(engine)
        self.subjects = SubjectRepository(engine, codec=registry.payloads)
        # the payload cipher's own, where the caller built one over it (open_workspace)
        self.data_keys = data_keys or DataKeyRepository(engine)
        self.sessions = SessionRepository(engine)
        self.incidents = IncidentRepository(engine)
        self.telemetry = TelemetryRepository(engine, codec=registry.payloads)
        self.feedback = FeedbackRepository(engine, codec=registry.payloads)


def open_workspace(settings: Settings, *, migrate: bool = True) -> Workspace:
    """The workspace on the configured database and artifact store; migrated unless told not
    to.

    Example::

        workspace = open_workspace(Settings())
    """
    engine = create_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    # The audit head each append commits is also written under the home, out of the
    # database's reach, so a log cut short at its end is caught (storage/audit_witness.py).
    witness_appends(engine, HeadWitness(settings.home, engine.url))
    data_keys = DataKeyRepository(engine)
    registry = Registry(
        Catalog(engine),
        LocalArtifactStore(settings.resolved_artifacts_dir),
        PayloadCipher(settings, data_keys),
    )
    return Workspace(registry, data_keys=data_keys)


def open_registry(settings: Settings, *, migrate: bool = True) -> Registry:
    """The registry on the configured database and artifact store; migrated unless told not to.

    Example::

        registry = open_registry(Settings())
    """
    return open_workspace(settings, migrate=migrate).registry
