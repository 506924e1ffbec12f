"""TEMPORARY facade, removed at merge: the old 26-method ``Repository`` names, forwarded to the
repositories per noun (``storage/{versions,aliases,endpoints,rollouts}.py``).

It is kept only so that code being rewritten at the same time (``serving/snapshot.py``,
``serving/dataplane.py``, ``api/app.py``, the demo) keeps working until it is converted to
``Catalog``'s repositories. Write no new call against it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from pasarela.storage.catalog import Catalog
from pasarela.types import AliasMove, EndpointRevision, EndpointSpec, ModelVersion, Signature


class Repository:
    """The old single repository, forwarding to a ``Catalog`` (removed at merge)."""

    def __init__(self, source: sa.Engine | Catalog) -> None:
        self.catalog = source if isinstance(source, Catalog) else Catalog(source)
        self.engine = self.catalog.engine

    def list_models(self) -> list[str]:
        return self.catalog.versions.models()

    def add_version(
        self,
        model: str,
        *,
        kind: str,
        actor: str,
        artifact_sha256: str | None = None,
        entrypoint: str | None = None,
        signature: Signature | None = None,
        baseline: Any = None,
        metrics: dict[str, float] | None = None,
        params: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
        dataset_fingerprint: str | None = None,
    ) -> ModelVersion:
        return self.catalog.versions.add(
            model,
            kind=kind,
            actor=actor,
            artifact_sha256=artifact_sha256,
            entrypoint=entrypoint,
            signature=signature,
            baseline=baseline,
            metrics=metrics,
            params=params,
            tags=tags,
            dataset_fingerprint=dataset_fingerprint,
        )

    def get_version(self, model: str, version: int) -> ModelVersion:
        return self.catalog.versions.get(model, version)

    def list_versions(self, model: str) -> list[ModelVersion]:
        return self.catalog.versions.of(model)

    def set_alias(self, model: str, alias: str, version: int, *, actor: str) -> AliasMove:
        return self.catalog.aliases.move(model, alias, version, actor=actor)

    def aliases(self, model: str) -> dict[str, int]:
        return self.catalog.aliases.of(model)

    def alias_history(self, model: str) -> list[AliasMove]:
        return self.catalog.aliases.history(model)

    def resolve(self, model: str, ref: str) -> ModelVersion:
        return self.catalog.aliases.resolve(model, ref)

    def put_endpoint(
        self,
        spec: EndpointSpec,
        *,
        actor: str,
        action: str = "apply",
        rollout: dict[str, Any] | None = None,
    ) -> int:
        return self.catalog.endpoints.put(spec, actor=actor, action=action, rollout=rollout)

    def get_endpoint(self, name: str) -> EndpointSpec:
        return self.catalog.endpoints.get(name)

    def list_endpoints(self) -> list[EndpointSpec]:
        return self.catalog.endpoints.all()

    def delete_endpoint(self, name: str, *, actor: str) -> None:
        self.catalog.endpoints.delete(name, actor=actor)

    def endpoint_revisions(self, name: str) -> list[EndpointRevision]:
        return self.catalog.endpoints.revisions(name)

    def revision(self) -> int:
        return self.catalog.endpoints.revision()

    def rollout_states(self) -> dict[str, dict[str, Any]]:
        return self.catalog.rollouts.states()

    def update_rollout(
        self,
        name: str,
        state: dict[str, Any],
        *,
        generation: int,
        actor: str,
        event: str | None,
        detail: dict[str, Any],
    ) -> None:
        self.catalog.rollouts.update(
            name, state, generation=generation, actor=actor, event=event, detail=detail
        )

    def rollout_events(self, name: str, limit: int = 200) -> list[dict[str, Any]]:
        return self.catalog.rollouts.events(name, limit)

    def fix_experiment_tuning(
        self, experiment: str, *, endpoint: str, units_per_variant: float, source: str
    ) -> datetime:
        return self.catalog.rollouts.fix_experiment_tuning(
            experiment, endpoint=endpoint, units_per_variant=units_per_variant, source=source
        )

    def experiment_tunings(self) -> dict[str, dict[str, Any]]:
        return self.catalog.rollouts.experiment_tunings()
