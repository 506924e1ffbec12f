"""Builders for the stage tests: served versions on ``FakeRuntime``s, endpoints, attempts and a
journal-backed recorder, without a registry or a database."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson

from pasarela.guards.schema import PositionalRowChecker
from pasarela.serving.attempt import Attempt
from pasarela.serving.batching import Batcher
from pasarela.serving.breaker import Breaker
from pasarela.serving.cache import ResponseCache
from pasarela.serving.protection import Protection
from pasarela.serving.snapshot import (
    FallbackLink,
    LoadedVersion,
    ServedEndpoint,
    ServedVersion,
    ShadowGate,
)
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.records import Recorder
from pasarela.types import BatchingConfig, EndpointSpec, ModelVersion, RequestContext, Runtime

ENDPOINT = "churn"


def model_version(model: str, number: int = 1) -> ModelVersion:
    return ModelVersion(model, number, "python", None, "tests:fake", None, None)


class Versions:
    """Served versions whose batchers run on one executor; ``close`` drains them all."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.executor = ThreadPoolExecutor(max_workers=2)
        self.batchers: list[Batcher] = []

    def serve(
        self, model: str, runtime: Runtime, *, number: int = 1, breaker: Breaker | None = None
    ) -> ServedVersion:
        version = model_version(model, number)
        loaded = LoadedVersion(version, runtime, PositionalRowChecker())
        batcher = Batcher(f"{ENDPOINT}/{version.id}", runtime, BatchingConfig(), self.executor)
        batcher.start()
        self.batchers.append(batcher)
        return ServedVersion(loaded, batcher, self.metrics.bind(ENDPOINT, model, number), breaker)

    async def close(self) -> None:
        for batcher in self.batchers:
            await batcher.close()
        self.executor.shutdown(wait=True)


def endpoint(
    primary: ServedVersion,
    *,
    fallback: Sequence[FallbackLink] = (),
    cache: ResponseCache | None = None,
    protection: Protection | None = None,
    shadows: Sequence[ServedVersion] = (),
    spec: EndpointSpec | None = None,
) -> ServedEndpoint:
    spec = spec or EndpointSpec(ENDPOINT, "single", (f"{primary.id.model}@1",))
    return ServedEndpoint(
        spec,
        None,
        (primary.id,),
        {primary.id: primary},
        timeout_s=5.0,
        shadows=tuple(shadows),
        shadow_gate=ShadowGate(spec.shadow.max_concurrency) if spec.shadow else None,
        protection=protection,
        fallback=tuple(fallback),
        cache=cache,
    )


def request(name: str = ENDPOINT, **fields: Any) -> RequestContext:
    return RequestContext(fields.pop("request_id", "r1"), name, **fields)


def attempt(inputs: Sequence[Any], **fields: Any) -> Attempt:
    fields.setdefault("budget_s", 5.0)
    return Attempt(
        fields.pop("request", request()),
        inputs,
        fields.pop("reason", "single"),
        time.perf_counter(),
        **fields,
    )


def recorder(directory: Path) -> tuple[Recorder, Journal]:
    journal = Journal.open(directory, max_bytes=1 << 20)
    return Recorder(journal), journal


def records(journal: Journal) -> Iterator[Mapping[str, Any]]:
    lines, _ = journal.read(1000)
    for line in lines:
        yield orjson.loads(line)


def counted(metrics: Metrics, name: str, **labels: str) -> float:
    """A sample of ``metrics``' registry (0 when it was never counted)."""
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value
