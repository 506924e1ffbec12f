"""Request records: built on the request path and made durable in the local journal before the
client gets its answer; the database receives them later (``telemetry/writer.py``)."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

import orjson

from pasarela.bounds import MAX_CALLER_CHARS
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.recent import RecentRequests
from pasarela.types import PLAIN_PAYLOADS, PayloadCodec, RequestContext, VersionId


class Recorder:
    """Appends one journal line per routed request, success or failure. ``status`` is "ok" or
    the error code; ``server_error`` marks failures that count against the version (a model
    error, a timeout), as opposed to the client's (a wrong feature).

    Example::

        recorder.record(request, VersionId("churn", 3), "single", "ok", inputs, outputs,
                        latency_s=0.004, batch_size=8)
    """

    def __init__(
        self,
        journal: Journal,
        codec: PayloadCodec = PLAIN_PAYLOADS,
        rng: random.Random | None = None,
        recent: RecentRequests | None = None,
    ) -> None:
        self.journal = journal
        self.codec = codec
        self.rng = rng or random.Random()
        self.recent = recent
        """Told the endpoint of every request recorded, for feedback's scope check."""

    def record(
        self,
        request: RequestContext,
        version: VersionId,
        reason: str,
        status: str,
        inputs: Sequence[Any] | None,
        outputs: Sequence[Any] | None,
        *,
        latency_s: float,
        queue_s: float = 0.0,
        model_s: float = 0.0,
        batch_size: int = 0,
        server_error: bool = False,
        payload_sample_rate: float = 1.0,
        shadow_of: str | None = None,
        agreement: float | None = None,
        abs_error: float | None = None,
    ) -> bool:
        """Journal the record; False when the journal is full and it was dropped."""
        if self.recent is not None:
            self.recent.remember(request.request_id, request.endpoint)
        if payload_sample_rate < 1.0 and self.rng.random() >= payload_sample_rate:
            inputs = outputs = None
        elif inputs is not None or outputs is not None:
            seal = self.codec.seal  # each on its own; a missing one stays missing
            inputs = None if inputs is None else seal(inputs)
            outputs = None if outputs is None else seal(outputs)
        line = orjson.dumps(
            {
                "type": "record",
                "request_id": request.request_id,
                "at": time.time(),
                "endpoint": request.endpoint,
                "model": version.model,
                "version": version.version,
                "reason": reason,
                "status": status,
                "server_error": server_error,
                "latency_s": latency_s,
                "queue_s": queue_s,
                "model_s": model_s,
                "batch_size": batch_size,
                "unit_id": request.unit_id,
                "subject_id": request.subject_id,
                # Clipped, not refused: a token's ``sub`` is the issuer's choice, not the
                # request's, and the record must still fit its column.
                "caller": request.caller[:MAX_CALLER_CHARS],
                "correlation_id": request.correlation_id,
                "inputs": inputs,
                "outputs": outputs,
                "shadow_of": shadow_of,
                "agreement": agreement,
                "abs_error": abs_error,
            }
        )
        return self.journal.append(line)
