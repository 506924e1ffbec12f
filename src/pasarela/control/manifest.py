"""Endpoint manifests: the YAML ``pasarela apply -f`` reads, checked field by field.

Errors name the field and the line it is on (``churn.yaml:12: policy.steps: …``), all of them at
once, so one round trip fixes a file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pasarela.errors import ConfigurationError, InvalidRequest
from pasarela.guards.config import GuardsConfig
from pasarela.names import NAME_MAX_LENGTH, NAME_PATTERN
from pasarela.routing import policies, policy_options
from pasarela.routing.base import VersionRef
from pasarela.safe_yaml import read_yaml
from pasarela.spec import BreakerSpec, CacheSpec, GuardsSpec, RateLimitSpec, RetrySpec
from pasarela.types import BatchingConfig, EndpointSpec, Isolation, ShadowSpec


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BatchingManifest(_Strict):
    max_batch_size: int = Field(32, ge=1, le=4096)
    max_wait_ms: float = Field(0.0, ge=0, le=1000)
    max_queue: int = Field(1024, ge=1)
    max_queue_wait_ms: float | None = Field(None, gt=0, le=600_000)
    """Shed load: refuse new requests (503) while the oldest has waited longer than this."""


class ShadowManifest(_Strict):
    targets: list[VersionRef] = Field(min_length=1)
    share: float = Field(0.1, gt=0, le=1)
    """Share of live requests copied to every shadow version."""
    max_concurrency: int = Field(4, ge=1, le=1024)


class StaticLink(_Strict):
    static: Any
    """The answer given for every row (JSON)."""


class CachedLink(_Strict):
    cached: Literal[True]
    """The chosen version's last answer to the same inputs, even stale (needs ``cache``)."""


class EndpointManifest(_Strict):
    kind: Literal["Endpoint"] = "Endpoint"
    name: str = Field(pattern=NAME_PATTERN, max_length=NAME_MAX_LENGTH)
    description: str = Field("", max_length=2000)
    policy: dict[str, Any]
    shadow: ShadowManifest | None = None
    timeout_s: float | None = Field(None, gt=0, le=600)
    batching: BatchingManifest | None = None
    payload_sample_rate: float = Field(1.0, ge=0, le=1)
    guards: GuardsConfig | None = None
    rate_limit: str | None = None
    """The endpoint's own limit for all callers together, e.g. ``1000/s burst=2000``."""
    retention_days: float | None = Field(None, gt=0)
    """Records older than this many days are deleted."""
    fallback: list[VersionRef | CachedLink | StaticLink] = Field(default_factory=list, max_length=8)
    """Who answers, in order, when the chosen version fails, times out, is overloaded or its
    breaker is open: another version, or a static answer (the last resort)."""
    breaker: BreakerSpec | None = None
    attempt_timeout_s: float | None = Field(None, gt=0, le=600)
    """How long one link may take before the next answers (default: half the request's
    deadline when a fallback is declared)."""
    cache: CacheSpec | None = None
    isolation: Isolation = "thread"
    """``process``: each version runs in a child process of its own; a model that crashes
    or is killed then takes only its child down (and a new one replaces it)."""
    retries: RetrySpec | None = None
    """Retries of failed model calls that are safe to repeat (``isolation: process``), with
    jittered exponential backoff, within each request's deadline."""

    @model_validator(mode="after")
    def _cached_link_needs_a_cache(self) -> EndpointManifest:
        if self.cache is None and any(isinstance(link, CachedLink) for link in self.fallback):
            raise ValueError("a {cached: true} fallback link needs the endpoint's cache section")
        return self

    @field_validator("rate_limit")
    @classmethod
    def _limit(cls, value: str | None) -> str | None:
        if value is not None:
            RateLimitSpec(value)
        return value


def parse_manifests(text: str, source: str = "<manifest>") -> list[EndpointSpec]:
    """Every endpoint in a YAML (or JSON) text of one or more ``---``-separated documents."""
    # The one safe reader: bounded size, alias expansion and depth (see safe_yaml).
    documents = read_yaml(text, source, invalid_code="invalid_manifest")
    specs: list[EndpointSpec] = []
    problems: list[str] = []
    for document in documents:
        if document.value is None:
            continue
        node = document.node
        try:
            specs.append(manifest_spec(document.value))
        except _Invalid as exc:
            problems.extend(
                f"{source}:{_line(node, loc)}: {_dotted(loc)}: {message}"
                for loc, message in exc.problems
            )
    if problems:
        raise InvalidRequest("; ".join(problems), code="invalid_manifest")
    if not specs:
        raise InvalidRequest(f"{source}: holds no endpoint", code="invalid_manifest")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise InvalidRequest(f"{source}: an endpoint is declared twice", code="invalid_manifest")
    return specs


def parse_document(document: Any, source: str = "<manifest>") -> EndpointSpec:
    """One manifest already parsed (a dict, as ``POST /admin/apply`` gets in JSON)."""
    try:
        return manifest_spec(document)
    except _Invalid as exc:
        raise InvalidRequest(
            "; ".join(f"{source}: {_dotted(loc)}: {msg}" for loc, msg in exc.problems),
            code="invalid_manifest",
        ) from exc


def manifest_spec(document: Any) -> EndpointSpec:
    """One manifest document (already parsed) as an endpoint spec; raises ``_Invalid``."""
    if not isinstance(document, dict):
        raise _Invalid([((), "a manifest is a mapping with name, policy, …")])
    try:
        manifest = EndpointManifest.model_validate(document)
    except ValidationError as exc:
        raise _Invalid(_problems(exc)) from exc
    kind = manifest.policy.get("type")
    if not isinstance(kind, str):
        raise _Invalid([(("policy", "type"), f"required; one of {', '.join(policies.names())}")])
    try:
        options = policy_options(kind, {k: v for k, v in manifest.policy.items() if k != "type"})
    except ConfigurationError as exc:
        raise _Invalid([(("policy", "type"), exc.message)]) from exc
    except ValidationError as exc:
        raise _Invalid(_problems(exc, prefix=("policy",))) from exc
    shadow = manifest.shadow
    batching = manifest.batching
    return EndpointSpec(
        name=manifest.name,
        policy=kind,
        targets=options.targets(),
        options=options.model_dump(mode="json", exclude={"type"}),
        shadow=ShadowSpec(tuple(shadow.targets), shadow.share, shadow.max_concurrency)
        if shadow
        else None,
        batching=BatchingConfig(**batching.model_dump()) if batching else None,
        timeout_s=manifest.timeout_s,
        description=manifest.description,
        payload_sample_rate=manifest.payload_sample_rate,
        # The manifest's guards carry the checks of the guards layer (do its PII kinds and
        # content categories exist?); the spec keeps the plain section, as a stored one is read.
        guards=GuardsSpec.model_validate(manifest.guards.stored()) if manifest.guards else None,
        rate_limit=RateLimitSpec(manifest.rate_limit) if manifest.rate_limit is not None else None,
        retention_days=manifest.retention_days,
        fallback=tuple(
            link if isinstance(link, str) else link.model_dump(mode="json")
            for link in manifest.fallback
        ),
        breaker=manifest.breaker,
        attempt_timeout_s=manifest.attempt_timeout_s,
        cache=manifest.cache,
        isolation=manifest.isolation,
        retries=manifest.retries,
    )


def to_yaml(spec: EndpointSpec) -> str:
    """The manifest of ``spec`` as YAML, ready to edit and apply again."""
    return yaml.safe_dump(_whole_numbers(spec.to_manifest()), sort_keys=False, allow_unicode=True)


def _whole_numbers(value: Any) -> Any:
    """Floats with nothing after the point written as integers (``steps: [5, 20, 100]``, not
    ``5.0``): what a person wrote and reads; every field parses them back to the same float."""
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Invalid(Exception):
    def __init__(self, problems: Sequence[tuple[tuple[Any, ...], str]]) -> None:
        super().__init__("invalid manifest")
        self.problems = problems


def _problems(
    exc: ValidationError, prefix: tuple[Any, ...] = ()
) -> list[tuple[tuple[Any, ...], str]]:
    return [(prefix + tuple(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]


def _dotted(loc: Sequence[Any]) -> str:
    return ".".join(str(p) for p in loc) or "(document)"


def _line(node: yaml.Node, loc: Sequence[Any]) -> int:
    """The 1-based line of the deepest node of ``loc`` that exists in the document."""
    best = node
    for current in _walk(node, loc):
        best = current
    return best.start_mark.line + 1


def _walk(node: yaml.Node, loc: Sequence[Any]) -> Iterator[yaml.Node]:
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == str(part)), None)
            if found is None:
                # pydantic adds the tag of a union member to the path; skip it, keep walking
                continue
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return
            node = node.value[part]
        else:
            return
        yield node
