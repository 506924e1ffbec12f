"""The in-memory snapshot the hot path reads: endpoints, their policies and loaded versions.

A snapshot is immutable. The control plane builds a new one off the event loop (database reads
and model loading happen there) and the data plane swaps it in with one assignment, so a request
sees either the old world or the new one, never half of each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pasarela.errors import PasarelaError
from pasarela.registry.service import Registry, parse_ref
from pasarela.registry.signature import PositionalRowChecker, RowChecker, checker_for
from pasarela.serving.batching import Batcher
from pasarela.telemetry.metrics import BoundMetrics
from pasarela.types import EndpointSpec, ModelVersion, Policy, Runtime, VersionId


@dataclass(frozen=True, slots=True)
class LoadedVersion:
    """A version whose runtime is loaded; shared by every endpoint that serves it."""

    version: ModelVersion
    runtime: Runtime
    checker: RowChecker | PositionalRowChecker


@dataclass(frozen=True, slots=True)
class ServedVersion:
    """A loaded version as one endpoint serves it: with that endpoint's batcher and metrics."""

    loaded: LoadedVersion
    batcher: Batcher
    metrics: BoundMetrics

    @property
    def id(self) -> VersionId:
        return self.loaded.version.id


@dataclass(frozen=True, slots=True)
class ServedEndpoint:
    spec: EndpointSpec
    policy: Policy | None
    versions: tuple[VersionId, ...]
    served: Mapping[VersionId, ServedVersion]
    timeout_s: float
    error: PasarelaError | None = None
    """Why the endpoint cannot serve (a target that failed to resolve or load), if it cannot."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    revision: int
    endpoints: Mapping[str, ServedEndpoint] = field(default_factory=dict)

    def versions_of(self, model: str) -> dict[int, ServedVersion]:
        """Loaded versions of ``model`` by number (for the Open Inference Protocol routes)."""
        found: dict[int, ServedVersion] = {}
        for endpoint in self.endpoints.values():
            for vid, served in endpoint.served.items():
                if vid.model == model:
                    found.setdefault(vid.version, served)
        return found


@dataclass(frozen=True, slots=True)
class EndpointPlan:
    """An endpoint as the database describes it, its targets resolved to versions."""

    spec: EndpointSpec
    versions: tuple[ModelVersion, ...] = ()
    error: PasarelaError | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a new snapshot needs that takes I/O: read and loaded off the event loop."""

    revision: int
    endpoints: tuple[EndpointPlan, ...]
    loaded: Mapping[VersionId, LoadedVersion]
    failed: Mapping[VersionId, PasarelaError]


def build_plan(registry: Registry, previous: Mapping[VersionId, LoadedVersion]) -> Plan:
    """Read endpoints, resolve their targets and load versions not loaded yet. Blocking."""
    revision = registry.repo.revision()
    plans: list[EndpointPlan] = []
    loaded: dict[VersionId, LoadedVersion] = {}
    failed: dict[VersionId, PasarelaError] = {}
    for spec in registry.repo.list_endpoints():
        try:
            versions = tuple(registry.repo.resolve(*parse_ref(t)) for t in spec.targets)
        except PasarelaError as exc:
            plans.append(EndpointPlan(spec, error=exc))
            continue
        for version in versions:
            vid = version.id
            if vid in loaded or vid in failed:
                continue
            if vid in previous:
                loaded[vid] = previous[vid]
                continue
            try:
                runtime = registry.load(version)
            except PasarelaError as exc:
                failed[vid] = exc
                continue
            loaded[vid] = LoadedVersion(version, runtime, checker_for(version.signature))
        plans.append(EndpointPlan(spec, versions))
    return Plan(revision, tuple(plans), loaded, failed)
