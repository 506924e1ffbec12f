"""The in-memory snapshot the hot path reads: endpoints, their policies and loaded versions.

A snapshot is immutable. The control plane builds a new one off the event loop (database reads
and model loading happen there) and the data plane swaps it in with one assignment, so a request
sees either the old world or the new one, never half of each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pasarela.errors import PasarelaError
from pasarela.guards.schema import PositionalRowChecker, RowChecker, checker_for
from pasarela.registry.service import Registry, parse_ref
from pasarela.serving.batching import Batcher
from pasarela.serving.breaker import Breaker
from pasarela.serving.cache import ResponseCache
from pasarela.serving.protection import Protection
from pasarela.telemetry.metrics import BoundMetrics
from pasarela.types import (
    JSON,
    EndpointSpec,
    ModelVersion,
    Policy,
    Runtime,
    VersionId,
)


@dataclass(frozen=True, slots=True)
class IsolatedVersionId(VersionId):
    """The key of a version loaded in a child process of its own (an endpoint's ``isolation:
    process``) in ``Plan.loaded`` and ``Plan.failed``: it never equals the ``VersionId`` of the
    same version loaded in the server's process, so the two are loaded, kept and unloaded
    apart, and a thread-isolated endpoint never shares the isolated runtime (nor the other
    way round)."""


def load_key(spec: EndpointSpec, vid: VersionId) -> VersionId:
    """Where ``spec`` finds its loaded ``vid`` in ``Plan.loaded``."""
    if spec.isolation == "process":
        return IsolatedVersionId(vid.model, vid.version)
    return vid


@dataclass(frozen=True, slots=True)
class LoadedVersion:
    """A version whose runtime is loaded; shared by every endpoint that serves it."""

    version: ModelVersion
    runtime: Runtime
    checker: RowChecker | PositionalRowChecker


@dataclass(frozen=True, slots=True)
class ServedVersion:
    """A loaded version as one endpoint serves it: with that endpoint's batcher, metrics and
    circuit breaker (None when the endpoint declares neither ``breaker`` nor ``fallback``)."""

    loaded: LoadedVersion
    batcher: Batcher
    metrics: BoundMetrics
    breaker: Breaker | None = None

    @property
    def id(self) -> VersionId:
        return self.loaded.version.id


class ShadowGate:
    """Bounds the shadow calls of one endpoint in flight: a copy that finds no room is skipped,
    so shadows never queue behind each other or slow the primary."""

    __slots__ = ("in_flight", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0

    def enter(self) -> bool:
        if self.in_flight >= self.limit:
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        self.in_flight -= 1


@dataclass(frozen=True, slots=True)
class StaticAnswer:
    """A fallback link that answers every row with the same value: the last resort."""

    value: JSON


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """A fallback link that gives the chosen version's last answer to the same inputs from
    the endpoint's cache, even a stale one."""


FallbackLink = ServedVersion | CachedAnswer | StaticAnswer


@dataclass(frozen=True, slots=True)
class ServedEndpoint:
    spec: EndpointSpec
    policy: Policy | None
    versions: tuple[VersionId, ...]
    """The policy's targets resolved, in ``spec.targets`` order."""
    served: Mapping[VersionId, ServedVersion]
    timeout_s: float
    error: PasarelaError | None = None
    """Why the endpoint cannot serve (a target that failed to resolve or load), if it cannot."""
    state: Mapping[str, JSON] = field(default_factory=dict)
    """The rollout state the policy was built with."""
    shadows: tuple[ServedVersion, ...] = ()
    shadow_gate: ShadowGate | None = None
    protection: Protection | None = None
    """Its rate limit and guards; None when it has neither."""
    fallback: tuple[FallbackLink, ...] = ()
    """Who answers, in order, when the chosen version cannot (``spec.fallback`` resolved)."""
    cache: ResponseCache | None = None
    """Its response cache (``spec.cache``); kept while the endpoint's spec is unchanged."""


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
    shadows: tuple[ModelVersion, ...] = ()
    state: Mapping[str, JSON] = field(default_factory=dict)
    fallbacks: tuple[ModelVersion, ...] = ()
    """The version links of ``spec.fallback``, resolved, in order."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a new snapshot needs that takes I/O: read and loaded off the event loop."""

    revision: int
    endpoints: tuple[EndpointPlan, ...]
    loaded: Mapping[VersionId, LoadedVersion]
    """Keyed by ``load_key``: an ``IsolatedVersionId`` for a version in its own process."""
    failed: Mapping[VersionId, PasarelaError]


def build_plan(registry: Registry, previous: Mapping[VersionId, LoadedVersion]) -> Plan:
    """Read endpoints, resolve their targets and load versions not loaded yet. Blocking."""
    revision = registry.endpoints.revision()
    states = registry.rollouts.states()
    plans: list[EndpointPlan] = []
    loaded: dict[VersionId, LoadedVersion] = {}
    failed: dict[VersionId, PasarelaError] = {}
    for spec in registry.endpoints.all():
        shadow_refs = spec.shadow.targets if spec.shadow else ()
        fallback_refs = [link for link in spec.fallback if isinstance(link, str)]
        try:
            versions = tuple(registry.aliases.resolve(*parse_ref(t)) for t in spec.targets)
            shadows = tuple(registry.aliases.resolve(*parse_ref(t)) for t in shadow_refs)
            fallbacks = tuple(registry.aliases.resolve(*parse_ref(t)) for t in fallback_refs)
        except PasarelaError as exc:
            plans.append(EndpointPlan(spec, error=exc))
            continue
        for version in versions + shadows + fallbacks:
            key = load_key(spec, version.id)
            if key in loaded or key in failed:
                continue
            if key in previous:
                loaded[key] = previous[key]
                continue
            try:
                runtime = registry.load(version, spec.isolation)
            except PasarelaError as exc:
                failed[key] = exc
                continue
            loaded[key] = LoadedVersion(version, runtime, checker_for(version.signature))
        state = states.get(spec.name, {})
        plans.append(
            EndpointPlan(spec, versions, shadows=shadows, state=state, fallbacks=fallbacks)
        )
    return Plan(revision, tuple(plans), loaded, failed)
