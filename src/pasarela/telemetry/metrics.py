"""Prometheus metrics of the data plane.

Each app owns its registry, so several apps (tests, embedded use) do not collide. Label children
are bound once per served version and reused, because ``.labels()`` on every request costs more
than the increment itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

__all__ = ["CONTENT_TYPE_LATEST", "MULTIPROCESS_ENV", "BoundMetrics", "Metrics"]


@dataclass(frozen=True, slots=True)
class BoundMetrics:
    """The children of one endpoint × version, ready for the hot path."""

    requests: Counter
    duration: Histogram


class Metrics:
    """``pasarela_requests_total``, ``pasarela_request_duration_seconds``,
    ``pasarela_request_errors_total``, ``pasarela_batch_size``, ``pasarela_feedback_total`` and
    ``pasarela_shadow_requests_total``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "pasarela_requests",
            "Predictions answered, by endpoint and the version that answered.",
            ["endpoint", "model", "version"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "pasarela_request_duration_seconds",
            "Time from receiving a prediction request to answering it.",
            ["endpoint", "model", "version"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "pasarela_request_errors",
            "Prediction requests that failed, by error code (model and version empty when the "
            "request failed before a version was chosen).",
            ["endpoint", "model", "version", "code"],
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "pasarela_batch_size",
            "Rows per model call.",
            ["model", "version"],
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )

        self.feedback = Counter(
            "pasarela_feedback",
            "Feedback items accepted, by kind.",
            ["kind"],
            registry=self.registry,
        )
        self.shadows = Counter(
            "pasarela_shadow_requests",
            "Copies of live requests sent to shadow versions, by outcome (ok, an error code, or "
            "skipped when the endpoint's shadow concurrency was full).",
            ["endpoint", "model", "version", "outcome"],
            registry=self.registry,
        )
        self.guard_findings = Counter(
            "pasarela_guard_findings",
            "Texts a guard acted on, by endpoint, side (input or output), detector rule and the "
            "action taken (flag, redact, block).",
            ["endpoint", "side", "detector", "action"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "pasarela_rate_limited",
            "Requests refused by a rate limit, by scope (key or endpoint).",
            ["scope"],
            registry=self.registry,
        )
        self.breaker_state = Gauge(
            "pasarela_breaker_state",
            "Circuit breaker of each served version: 0 closed, 1 half-open, 2 open (with several "
            "workers, the most open of theirs).",
            ["endpoint", "model", "version"],
            registry=self.registry,
            multiprocess_mode="max",
        )
        self.breaker_transitions = Counter(
            "pasarela_breaker_transitions",
            "Changes of a circuit breaker's state, by the state it moved to.",
            ["endpoint", "model", "version", "to"],
            registry=self.registry,
        )
        self.cache = Counter(
            "pasarela_cache_lookups",
            "Response cache lookups, by outcome: hit, miss, stale (a stale answer given by a "
            "cached fallback link), error (the cache's Redis could not be asked: taken for a "
            "miss).",
            ["endpoint", "outcome"],
            registry=self.registry,
        )
        self.fallbacks = Counter(
            "pasarela_fallbacks",
            "Requests passed down an endpoint's fallback chain, by the link that took them over "
            "(fallback:1, fallback:2…) and why the link before could not answer.",
            ["endpoint", "link", "reason"],
            registry=self.registry,
        )
        self.records_dropped = Counter(
            "pasarela_records_dropped",
            "Request records and feedback lines dropped because the local journal was at its "
            "bound (PASARELA_SPOOL_MAX_BYTES) or could not be written; the requests themselves "
            "were answered. Incremented by the journal's on_drop hook.",
            registry=self.registry,
        )
        self.rate_limit_fallbacks = Counter(
            "pasarela_rate_limit_fallbacks",
            "Rate-limit checks decided by this process's own buckets because Redis could not be "
            "reached. Incremented by the Redis limiter's on_fallback hook.",
            registry=self.registry,
        )
        self.retries = Counter(
            "pasarela_retries",
            "Model calls retried after a failure, by endpoint and version (only calls safe to "
            "repeat are: a model in its own process, isolation: process).",
            ["endpoint", "model", "version"],
            registry=self.registry,
        )

        self._collectors: list[Collector] = []

    def count_quarantined(self, journal_root: Path) -> None:
        """Expose ``pasarela_records_quarantined_total``: the records the writers of this
        home's journal slots quarantined (each writer keeps its count in its slot)."""
        collector = QuarantineCollector(journal_root)
        self.registry.register(collector)
        self._collectors.append(collector)

    def bind(self, endpoint: str, model: str, version: int) -> BoundMetrics:
        labels = (endpoint, model, str(version))
        return BoundMetrics(self.requests.labels(*labels), self.duration.labels(*labels))

    def error(self, endpoint: str, code: str, model: str = "", version: int | None = None) -> None:
        self.errors.labels(endpoint, model, "" if version is None else str(version), code).inc()

    def shadow(self, endpoint: str, model: str, version: int, outcome: str) -> None:
        self.shadows.labels(endpoint, model, str(version), outcome).inc()

    def batch_observer(self, model: str, version: int) -> Histogram:
        return self.batch_size.labels(model, str(version))

    def breaker(self, endpoint: str, model: str, version: int, state: str, value: int) -> None:
        """A breaker moved to ``state`` (``value`` its gauge number)."""
        labels = (endpoint, model, str(version))
        self.breaker_state.labels(*labels).set(value)
        self.breaker_transitions.labels(*labels, state).inc()

    def render(self) -> bytes:
        """The exposition text. With several worker processes (``PROMETHEUS_MULTIPROC_DIR``
        set, as ``pasarela serve --workers N`` does) it sums every worker's values."""
        if os.environ.get(MULTIPROCESS_ENV):
            combined = CollectorRegistry()
            multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            for collector in self._collectors:  # they read files every worker shares
                combined.register(collector)
            return generate_latest(combined)
        return generate_latest(self.registry)


class QuarantineCollector(Collector):
    """Sums the ``quarantined`` counts the record writers keep in their journal slots: the
    writers run in processes of their own, and a file survives their restarts."""

    def __init__(self, journal_root: Path) -> None:
        self.journal_root = journal_root

    def collect(self) -> Iterator[CounterMetricFamily]:
        total = 0
        for path in self.journal_root.glob("*/quarantined"):
            try:
                total += int(path.read_text())
            except (OSError, ValueError):  # being replaced, or gone with its slot
                continue
        yield CounterMetricFamily(
            "pasarela_records_quarantined",
            "Request records the database refused (a value it cannot store) and the writer "
            "kept aside in quarantined_records, so that the records after them were stored.",
            value=total,
        )
