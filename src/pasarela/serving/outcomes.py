"""Outcomes: the last stage of the request path — an answer or a coded failure, and what
follows from it without the client waiting: the request's record, the endpoint's health counts
and the copies sent to shadows.

Records are journaled before the client hears back (an answered request always has one); the
journal is a bounded queue, so this never waits on the database. Shadow calls are background
tasks bounded per endpoint (``serving/shadow.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Mapping
from typing import Any

from pasarela.errors import ClientError, PasarelaError
from pasarela.serving.attempt import Attempt
from pasarela.serving.batching import BatchResult
from pasarela.serving.health import EndpointHealth, HealthThresholds, endpoint_conditions
from pasarela.serving.shadow import call_shadow
from pasarela.serving.snapshot import ServedEndpoint
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.records import Recorder
from pasarela.types import Condition, Prediction, VersionId


class Outcomes:
    """Turns attempts into answers and failures, and keeps what they leave behind.

    Example::

        outcomes = Outcomes(Metrics(), recorder, HealthThresholds(60, 20, 0.05, 0.2))
        prediction = outcomes.answered(attempt, vid, [1.0], result)
    """

    def __init__(
        self,
        metrics: Metrics,
        recorder: Recorder | None,
        thresholds: HealthThresholds,
        rng: random.Random | None = None,
    ) -> None:
        self.metrics = metrics
        self.recorder = recorder
        self.thresholds = thresholds
        self.rng = rng or random.Random()
        self.health: dict[str, EndpointHealth] = {}
        """Each endpoint's recent outcomes, for the incident watch (``serving/health.py``)."""
        self._shadow_tasks: set[asyncio.Task[None]] = set()

    def answered(
        self, attempt: Attempt, vid: VersionId, outputs: list[Any], result: BatchResult | None
    ) -> Prediction:
        """Record an answer and return it; ``result`` is the model call's, None when no model
        computed it now: a cached answer (``vid`` the version whose answer it was) or a static
        one (``static@0``)."""
        request = attempt.request
        if result is not None:
            batch_size, queue_s, model_s = result.batch_size, result.queue_s, result.model_s
        else:
            batch_size, queue_s, model_s = 0, 0.0, 0.0
        served_by = attempt.served_by
        self._health(request.endpoint).answered(by_fallback=served_by.startswith("fallback"))
        if self.recorder is not None:
            # Journaled before the client hears back: an answered request always has a record.
            self.recorder.record(
                request,
                vid,
                attempt.reason,
                "ok",
                attempt.inputs,
                outputs,
                latency_s=time.perf_counter() - attempt.started,
                queue_s=queue_s,
                model_s=model_s,
                batch_size=batch_size,
                payload_sample_rate=attempt.sample_rate,
            )
        return Prediction(
            request_id=request.request_id,
            endpoint=request.endpoint,
            version=vid,
            outputs=outputs,
            decision_reason=attempt.reason,
            batch_size=batch_size,
            queue_s=queue_s,
            model_s=model_s,
            served_by=served_by,
            fallback_reason=attempt.cause,
        )

    def failed(self, attempt: Attempt, vid: VersionId, exc: PasarelaError) -> None:
        """A request that ends in ``exc``: a server error counts against the endpoint's
        health; either is recorded."""
        request = attempt.request
        server_error = not isinstance(exc, ClientError)
        if server_error:
            self._health(request.endpoint).failed()
        if self.recorder is not None:
            self.recorder.record(
                request,
                vid,
                attempt.reason,
                exc.code,
                attempt.inputs,
                None,
                latency_s=time.perf_counter() - attempt.started,
                server_error=server_error,
                payload_sample_rate=attempt.sample_rate,
            )

    def _health(self, endpoint: str) -> EndpointHealth:
        health = self.health.get(endpoint)
        if health is None:
            health = self.health[endpoint] = EndpointHealth(self.thresholds.window_s)
        return health

    def conditions(self, endpoints: Mapping[str, ServedEndpoint]) -> list[Condition]:
        """What is wrong with ``endpoints`` now; forgets the health of names no longer
        served (a removed endpoint, or a model called by name)."""
        for name in [n for n in self.health if n not in endpoints]:
            del self.health[name]
        return endpoint_conditions(endpoints, self.health, self.thresholds)

    # -- shadows ---------------------------------------------------------------------------
    def copy_to_shadows(
        self, endpoint: ServedEndpoint, attempt: Attempt, prediction: Prediction
    ) -> None:
        """Start the shadow calls of a sampled request; skip those that find the gate full."""
        assert endpoint.spec.shadow is not None and endpoint.shadow_gate is not None
        if self.rng.random() >= endpoint.spec.shadow.share:
            return
        request = attempt.request
        loop = asyncio.get_running_loop()
        for served in endpoint.shadows:
            if not endpoint.shadow_gate.enter():
                self.metrics.shadow(request.endpoint, served.id.model, served.id.version, "skipped")
                continue
            task = loop.create_task(
                call_shadow(
                    endpoint,
                    served,
                    request,
                    attempt.inputs,
                    prediction,
                    self.recorder,
                    self.metrics,
                )
            )
            self._shadow_tasks.add(task)
            task.add_done_callback(self._shadow_tasks.discard)

    async def drain(self) -> None:
        """Wait for the shadow calls in flight (at stop)."""
        for task in list(self._shadow_tasks):
            with contextlib.suppress(asyncio.CancelledError, PasarelaError):
                await task
