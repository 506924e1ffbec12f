"""The core contracts of pasarela: what a version, an endpoint, a decision and a runtime are.

Everything else implements or carries these.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, Protocol, runtime_checkable

from pasarela.spec import BreakerSpec, CacheSpec, GuardsSpec, RateLimitSpec, RetrySpec, Section

DType = Literal["float", "int", "bool", "str"]

Isolation = Literal["thread", "process"]
"""Where a version runs: in the server's process (``thread``, the default) or in a child
process of its own (``process``: ``runtimes/process.py``)."""
JSON = Any


@dataclass(frozen=True, slots=True)
class Feature:
    """One input column: its name and the JSON type a request must send for it."""

    name: str
    dtype: DType


@dataclass(frozen=True, slots=True)
class Signature:
    """The ordered inputs a version accepts; requests are checked against it."""

    features: tuple[Feature, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def to_json(self) -> list[dict[str, str]]:
        return [{"name": f.name, "dtype": f.dtype} for f in self.features]

    @classmethod
    def from_json(cls, data: Sequence[Mapping[str, str]]) -> Signature:
        return cls(tuple(Feature(d["name"], d["dtype"]) for d in data))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Output:
    """One named result a model gives per row: its type, and its width when it is a vector
    (``None``: one value per row; ``-1``: a vector of unknown width)."""

    name: str
    dtype: DType
    width: int | None = None


@dataclass(frozen=True, slots=True, order=True)
class VersionId:
    """Address of an immutable model version, written ``name@3``."""

    model: str
    version: int

    def __str__(self) -> str:
        return f"{self.model}@{self.version}"


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """Registry entry of one immutable, numbered artifact of a model."""

    model: str
    version: int
    kind: str
    artifact_sha256: str | None
    entrypoint: str | None
    signature: Signature | None
    baseline: JSON | None
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, JSON] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    dataset_fingerprint: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None

    @property
    def id(self) -> VersionId:
        return VersionId(self.model, self.version)


@dataclass(frozen=True, slots=True)
class AliasMove:
    """One recorded move of an alias: who pointed ``model@alias`` from one version to another."""

    model: str
    alias: str
    from_version: int | None
    to_version: int
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class BatchingConfig:
    """How requests to one version are grouped into model calls."""

    max_batch_size: int = 32
    max_wait_ms: float = 0.0
    max_queue: int = 1024
    max_queue_wait_ms: float | None = None
    """Load shedding: while the oldest waiting request has waited longer than this, new ones
    get 503 ``overloaded`` at once instead of queuing (None: only ``max_queue`` bounds it)."""


@dataclass(frozen=True, slots=True)
class ShadowSpec:
    """Versions that receive a copy of a share of live traffic, off the request path."""

    targets: tuple[str, ...]
    share: float = 1.0
    max_concurrency: int = 4
    """Shadow calls in flight at once per endpoint; a copy that finds no room is skipped."""

    def to_json(self) -> dict[str, JSON]:
        return {
            "targets": list(self.targets),
            "share": self.share,
            "max_concurrency": self.max_concurrency,
        }


@dataclass(frozen=True, slots=True)
class EndpointSpec:
    """What clients call: a name and a policy choosing among versions.

    ``options`` is the policy's own section as applied (validated by the policy), ``targets``
    every version reference (``model@version|alias``) it routes to, in the policy's order.
    """

    name: str
    policy: str
    targets: tuple[str, ...]
    options: Mapping[str, JSON] = field(default_factory=dict)
    shadow: ShadowSpec | None = None
    batching: BatchingConfig | None = None
    timeout_s: float | None = None
    description: str = ""
    payload_sample_rate: float = 1.0
    """Share of requests whose inputs and outputs are recorded (every request is counted)."""
    guards: GuardsSpec | None = None
    """The ``guards`` section as applied: ``size``, ``input`` and ``output`` (``spec.py``;
    ``guards/config.py`` builds the chains); None: no guards."""
    rate_limit: RateLimitSpec | None = None
    """The endpoint's limit for all its callers together (``1000/s burst=2000``)."""
    retention_days: float | None = None
    """Records older than this are deleted (None: ``PASARELA_RETENTION_DAYS``, else kept)."""
    fallback: tuple[JSON, ...] = ()
    """Who answers when the chosen version cannot, in order: a version reference
    (``churn-small@1``), ``{"cached": true}`` (its last answer to the same inputs, from the
    cache) or ``{"static": value}`` (every row gets ``value``)."""
    breaker: BreakerSpec | None = None
    """The ``breaker`` section as applied; None: not declared (then a ``fallback`` alone gives
    its versions breakers with defaults)."""
    attempt_timeout_s: float | None = None
    """How long one link of the fallback chain may take before the next one answers."""
    cache: CacheSpec | None = None
    """The ``cache`` section as applied; None: no cache."""
    isolation: Isolation = "thread"
    """Where its versions run: ``thread`` (in the server's process) or ``process`` (each in a
    child process of its own, ``runtimes/process.py``)."""
    retries: RetrySpec | None = None
    """The ``retries`` section as applied; None: the defaults. Only calls safe to repeat are
    retried (``isolation: process``)."""

    def __post_init__(self) -> None:
        # Sections given as mappings (a stored spec read back, a test) are validated here,
        # once, so everything downstream holds the typed section (spec.py). An empty guards
        # section is no guards: it is neither stored nor shown.
        sections: tuple[tuple[str, type[Section]], ...] = (
            ("guards", GuardsSpec),
            ("breaker", BreakerSpec),
            ("cache", CacheSpec),
            ("retries", RetrySpec),
        )
        for name, model in sections:
            value = getattr(self, name)
            if value is not None and not isinstance(value, model):
                object.__setattr__(self, name, model.model_validate(value))
        if self.guards is not None and not self.guards.stored():
            object.__setattr__(self, "guards", None)
        limit: object = self.rate_limit
        if isinstance(limit, str) and not isinstance(limit, RateLimitSpec):
            object.__setattr__(self, "rate_limit", RateLimitSpec(limit))

    def to_manifest(self) -> dict[str, JSON]:
        """The declarative form ``pasarela apply -f`` reads and ``get endpoint -o yaml`` prints."""
        out: dict[str, JSON] = {
            "kind": "Endpoint",
            "name": self.name,
            "description": self.description,
            "policy": {"type": self.policy, **self.options},
        }
        if self.shadow is not None:
            out["shadow"] = self.shadow.to_json()
        out["timeout_s"] = self.timeout_s
        if self.batching is not None:
            b = self.batching
            out["batching"] = {
                "max_batch_size": b.max_batch_size,
                "max_wait_ms": b.max_wait_ms,
                "max_queue": b.max_queue,
            }
            if b.max_queue_wait_ms is not None:
                out["batching"]["max_queue_wait_ms"] = b.max_queue_wait_ms
        out["payload_sample_rate"] = self.payload_sample_rate
        if self.guards is not None:
            out["guards"] = self.guards.stored()
        if self.rate_limit is not None:
            out["rate_limit"] = str(self.rate_limit)
        if self.retention_days is not None:
            out["retention_days"] = self.retention_days
        if self.fallback:
            out["fallback"] = list(self.fallback)
        optional: dict[str, JSON] = {
            "breaker": self.breaker.stored() if self.breaker is not None else None,
            "attempt_timeout_s": self.attempt_timeout_s,
            "cache": self.cache.stored() if self.cache is not None else None,
            "isolation": self.isolation if self.isolation != "thread" else None,
            "retries": self.retries.stored() if self.retries is not None else None,
        }
        out.update((key, value) for key, value in optional.items() if value is not None)
        return out

    def to_json(self) -> dict[str, JSON]:
        return {**self.to_manifest(), "targets": list(self.targets)}

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> EndpointSpec:
        batching = data.get("batching")
        shadow = data.get("shadow")
        policy = data["policy"]
        if isinstance(policy, str):  # the form stored before policies had options
            policy = {"type": policy, "target": data["targets"][0]}
        options = {k: v for k, v in policy.items() if k != "type"}
        return cls(
            name=data["name"],
            policy=policy["type"],
            targets=tuple(data["targets"]),
            options=options,
            shadow=ShadowSpec(tuple(shadow["targets"]), shadow["share"], shadow["max_concurrency"])
            if shadow
            else None,
            batching=BatchingConfig(**batching) if batching else None,
            timeout_s=data.get("timeout_s"),
            description=data.get("description", ""),
            payload_sample_rate=data.get("payload_sample_rate", 1.0),
            guards=data.get("guards") or None,
            rate_limit=data.get("rate_limit"),
            retention_days=data.get("retention_days"),
            fallback=tuple(data.get("fallback") or ()),
            breaker=data.get("breaker"),
            attempt_timeout_s=data.get("attempt_timeout_s"),
            cache=data.get("cache"),
            isolation=data.get("isolation", "thread"),
            retries=data.get("retries"),
        )


@dataclass(frozen=True, slots=True)
class EndpointRevision:
    """One recorded change of an endpoint; ``spec`` is None when the change deleted it."""

    endpoint: str
    revision: int
    action: str
    spec: EndpointSpec | None
    actor: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What the data plane knows about one request before routing it."""

    request_id: str
    endpoint: str
    unit_id: str | None = None
    subject_id: str | None = None
    attributes: Mapping[str, JSON] = field(default_factory=dict)
    caller: str = "anonymous"
    """Who is calling: the key's id or the token's subject (for security events)."""
    timeout_s: float | None = None
    """The caller's own deadline (``X-Request-Timeout``); the endpoint's applies when shorter."""
    correlation_id: str | None = None
    """The client's own id for the request (``X-Request-Id``, a v2 request's ``id``), kept with
    its record; ``request_id`` is always made by the server."""


@dataclass(frozen=True, slots=True)
class Decision:
    """A policy's choice for one request: which version answers, and why."""

    version: VersionId
    reason: str
    """Why: ``single``, ``active``, ``baseline``/``candidate``, or OpenFeature's
    ``TARGETING_MATCH``/``SPLIT``/``DEFAULT`` for flags. Recorded with the request."""


@dataclass(frozen=True, slots=True)
class Prediction:
    """The answer the data plane returns for one request."""

    request_id: str
    endpoint: str
    version: VersionId
    outputs: list[JSON]
    decision_reason: str
    batch_size: int
    queue_s: float
    model_s: float
    served_by: str = "primary"
    """``primary``, ``cache`` (a cached answer), or ``fallback:N`` when the Nth link of the
    fallback chain answered."""
    fallback_reason: str | None = None
    """Why the link before the one that answered could not: its error code."""


@dataclass(frozen=True, slots=True)
class RuntimeContext:
    """What a runtime gets to load a version: its registry entry and its verified artifact."""

    version: ModelVersion
    artifact_path: Path | None


@runtime_checkable
class Runtime(Protocol):
    """Runs one model version. ``predict_batch`` is CPU-bound; the data plane calls it off the
    event loop, one batch at a time, with rows already checked against the signature and in
    signature order. It returns one JSON-ready output per row. ``outputs`` describes them once
    loaded (empty when the runtime cannot know, as for Python models)."""

    outputs: tuple[Output, ...]
    # A runtime may also say ``holds_gil = True`` (its calls run Python, not released C code):
    # the data plane then runs it in turn with the other such versions, never beside them.

    def load(self, context: RuntimeContext) -> None: ...

    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]: ...

    def unload(self) -> None: ...


class PayloadCodec(Protocol):
    """How a request's payload (its inputs, or its outputs) is kept at rest: the one seam
    between what a request carried and what the journal and the database hold.

    ``seal`` turns a payload into what is stored (an envelope when encryption is on, the
    payload itself when off); ``open`` turns what is stored back into the payload, and opens
    anything that is not an envelope as it is (a record stored while encryption was off).
    ``security.crypto`` implements it: ``PayloadCipher`` (encryption at rest) and
    ``PLAIN_PAYLOADS`` (stored as they are).

    Example::

        stored = codec.seal({"age": 41})
        assert codec.open(stored) == {"age": 41}
    """

    def seal(self, value: JSON) -> JSON: ...

    def open(self, value: JSON) -> JSON: ...


class PlainPayloads:
    """The ``PayloadCodec`` of an install without encryption at rest: payloads are stored,
    and read back, as they are. Here, beside the contract, rather than in ``security/``:
    it is every reader's and writer's default, ``storage/`` included, which sits below
    ``security/``."""

    __slots__ = ()

    def seal(self, value: JSON) -> JSON:
        return value

    def open(self, value: JSON) -> JSON:
        return value


PLAIN_PAYLOADS: Final[PayloadCodec] = PlainPayloads()
"""The default codec of every reader and writer of payloads: stored in the clear."""


class Policy(Protocol):
    """Picks the version that answers a request.

    A policy object is built once per snapshot from the endpoint's options, its targets resolved
    to versions and its rollout state, so ``decide`` is pure and cheap: the request and an
    injected ``rng`` in, a ``Decision`` out; no I/O, no clock.
    """

    def decide(self, request: RequestContext, rng: random.Random) -> Decision: ...


GuardAction = Literal["allow", "flag", "redact", "block"]
"""What a guard does with a text: let it through, let it through and record why, replace
what it found, or refuse the request. ``block`` outranks ``redact`` outranks ``flag``."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a detector found in a text: an e-mail, a card number, an injection phrase."""

    detector: str
    """Which detector and rule: ``pii.email``, ``injection.override``, ``secrets.aws_key``."""
    label: str
    """What it is, upper case: ``EMAIL``, ``CARD``, ``PROMPT_INJECTION``; redaction shows it."""
    start: int
    end: int
    """Where in the text, as ``text[start:end]``; both -1 when the finding has no place (a
    decoded base64 blob's content, a score over the whole text)."""
    score: float
    """Confidence in [0, 1]."""
    replacement: str | None = None
    """What redaction writes instead (``<EMAIL>``, ``<CARD_LAST4:1234>``); None: ``<LABEL>``."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A guard's answer for one text: the action, what was found, and a risk score in [0, 1].
    ``text`` is the text to pass on (redacted when the action is ``redact``)."""

    action: GuardAction
    findings: tuple[Finding, ...]
    score: float
    text: str


class Detector(Protocol):
    """Finds things in a text. Pure: a text in, findings out; no I/O, no clock. A guard wraps
    a detector with an action and a threshold (``guards/base.py``)."""

    @property
    def name(self) -> str: ...

    def scan(self, text: str) -> list[Finding]: ...


Severity = Literal["P0", "P1", "P2", "P3"]
"""P0: an endpoint fully down; P1: users affected (fallbacks serving, errors above the
objective); P2: a feature degraded; P3: minor."""


@dataclass(frozen=True, slots=True)
class Condition:
    """Something wrong now, as one server sees it: ``group`` names the incident it belongs to
    (``endpoint:churn``), ``key`` the condition within it (``breaker:churn@3``)."""

    group: str
    key: str
    severity: Severity
    summary: str
