"""Shadow traffic: a copy of a live request sent to another version after the primary answered.

Shadow calls run as background tasks, bounded per endpoint by a ``ShadowGate`` (a copy that
finds no room is skipped, never queued), so a slow or failing shadow can neither delay nor fail
the primary. Each result is recorded beside the primary's with how the two answers compare.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pasarela.errors import ClientError, PasarelaError
from pasarela.serving.snapshot import ServedEndpoint, ServedVersion
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.records import Recorder
from pasarela.types import Prediction, RequestContext

log = logging.getLogger(__name__)


def compare_outputs(
    primary: Sequence[Any], shadow: Sequence[Any]
) -> tuple[float | None, float | None]:
    """``(agreement, abs_error)`` of two answers, averaged over rows: labels (strings, integers,
    booleans, a classifier's ``predict``) agree or not; numbers differ by an absolute error."""
    agreements: list[float] = []
    errors: list[float] = []
    for p, s in zip(primary, shadow, strict=False):
        p, s = _headline(p), _headline(s)
        if isinstance(p, float) and isinstance(s, int | float) and not isinstance(s, bool):
            errors.append(abs(p - s))
        elif isinstance(p, list) and isinstance(s, list) and len(p) == len(s) and p:
            try:
                errors.append(sum(abs(a - b) for a, b in zip(p, s, strict=True)) / len(p))
            except TypeError:  # lists of labels
                agreements.append(float(p == s))
        else:
            agreements.append(float(p == s))
    agreement = sum(agreements) / len(agreements) if agreements else None
    abs_error = sum(errors) / len(errors) if errors else None
    return agreement, abs_error


def _headline(output: Any) -> Any:
    """The value that stands for a row's answer: a classifier's label, or the output itself."""
    if isinstance(output, dict):
        for key in ("label", "predict"):
            if key in output:
                return output[key]
        return next(iter(output.values()), None)
    return output


async def call_shadow(
    endpoint: ServedEndpoint,
    served: ServedVersion,
    request: RequestContext,
    inputs: Sequence[Any],
    primary: Prediction,
    recorder: Recorder | None,
    metrics: Metrics,
) -> None:
    """Run one shadow call and record it; never raises (it has nobody to raise to)."""
    gate = endpoint.shadow_gate
    vid = served.id
    started = time.perf_counter()
    # The primary's context under the shadow's own key: same caller, subject and correlation.
    shadow_request = replace(request, request_id=f"{request.request_id}~{vid}")
    outputs: list[Any] | None = None
    status, server_error = "ok", False
    queue_s = model_s = 0.0
    batch_size = 0
    try:
        rows = served.loaded.checker.check(inputs)
        result = await served.batcher.submit(rows, endpoint.timeout_s)
        outputs = result.outputs
        queue_s, model_s, batch_size = result.queue_s, result.model_s, result.batch_size
    except PasarelaError as exc:
        status, server_error = exc.code, not isinstance(exc, ClientError)
    except Exception:  # a shadow must never take the event loop's task down
        log.exception("shadow call to %s failed", vid)
        status, server_error = "internal_error", True
    finally:
        if gate is not None:
            gate.leave()
    latency_s = time.perf_counter() - started
    metrics.shadow(request.endpoint, vid.model, vid.version, status)
    if recorder is None:
        return
    agreement, abs_error = (None, None)
    if outputs is not None:
        agreement, abs_error = compare_outputs(primary.outputs, outputs)
    recorder.record(
        shadow_request,
        vid,
        "shadow",
        status,
        inputs,
        outputs,
        latency_s=latency_s,
        queue_s=queue_s,
        model_s=model_s,
        batch_size=batch_size,
        server_error=server_error,
        payload_sample_rate=endpoint.spec.payload_sample_rate,
        shadow_of=request.request_id,
        agreement=agreement,
        abs_error=abs_error,
    )
