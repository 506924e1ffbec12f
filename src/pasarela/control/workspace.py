"""Opening the registry a process works on, from settings."""

from __future__ import annotations

from pasarela.registry.service import Registry
from pasarela.security.crypto import PayloadCipher
from pasarela.settings import Settings
from pasarela.storage.artifacts import LocalArtifactStore
from pasarela.storage.audit import witness_appends
from pasarela.storage.audit_witness import HeadWitness
from pasarela.storage.data_keys import DataKeyRepository
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.repository import Repository


def open_registry(settings: Settings, *, migrate: bool = True) -> Registry:
    """The registry on the configured database and artifact store; migrated unless told not to.

    Example::

        registry = open_registry(Settings())
    """
    engine = create_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    # The audit head each append commits is also written under the home, out of the
    # database's reach, so a log cut short at its end is caught (storage/audit_witness.py).
    witness_appends(engine, HeadWitness(settings.home, engine.url))
    return Registry(
        Repository(engine),
        LocalArtifactStore(settings.resolved_artifacts_dir),
        PayloadCipher(settings, DataKeyRepository(engine)),
    )
