"""One prediction followed from the ASGI entry to the model and back: which of pasarela's
modules it enters and how often. The request path is a line of stages; a request that goes
back and forth between the data plane and a stage (it entered ``dataplane.py`` three times and
``breaker.py`` four before the stages) shows here as a count above one."""

from __future__ import annotations

import sys
from collections import Counter
from types import FrameType
from typing import Any

import httpx
import pytest

from tests.conftest import Trained

pytestmark = pytest.mark.anyio


class ModuleEntries:
    """Counts, per pasarela module, the calls that cross into it from another module. A
    coroutine resumed after an ``await`` is the same frame again, not a new entry."""

    def __init__(self) -> None:
        self.entries: Counter[str] = Counter()
        self._seen: list[FrameType] = []  # held, so no frame id is reused during the trace
        self._ids: set[int] = set()

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "call" or id(frame) in self._ids:
            return
        self._ids.add(id(frame))
        self._seen.append(frame)
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("pasarela."):
            return
        caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
        if caller != module:
            self.entries[module] += 1


async def traced(client: httpx.AsyncClient, row: list[float]) -> Counter[str]:
    trace = ModuleEntries()
    sys.setprofile(trace)
    try:
        reply = await client.post("/v1/endpoints/cancer/predict", json={"inputs": [row]})
    finally:
        sys.setprofile(None)
    assert reply.status_code == 200, reply.text
    return trace.entries


async def test_a_prediction_passes_each_stage_once(
    client: httpx.AsyncClient, trained: Trained
) -> None:
    row = [float(v) for v in trained.features.iloc[0]]
    await client.post("/v1/endpoints/cancer/predict", json={"inputs": [row]})  # warm
    entries = await traced(client, row)
    print(dict(sorted(entries.items())))
    # The adapter asks the data plane who the caller is before it reads the body (an
    # unauthenticated body is never read), then hands it the request: two entries, no more.
    assert entries["pasarela.serving.dataplane"] <= 2
    for stage in ("admission", "invoker", "outcomes"):  # each stage runs once, in line
        assert entries[f"pasarela.serving.{stage}"] == 1, (stage, entries)
    assert entries["pasarela.api.hotpath"] == 1
    assert entries["pasarela.serving.assembly"] == 0  # snapshots are built off the path
