"""Steady client load on a real server: threads calling one endpoint in a loop, each call
recorded, so a chaos test can say what the clients saw before, during and after its outage."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

import httpx


class Call(NamedTuple):
    """One client call."""

    at: float
    """When it started (``time.monotonic()``)."""
    status: int
    """The reply's status code; 0 when the call failed in transport (refused, cut, timed out)."""
    served_by: str
    """The reply's ``served_by``: ``"primary"`` when the reply names none, ``""`` on errors."""
    seconds: float
    """How long it took."""

    @property
    def ended(self) -> float:
        """When its answer (or its error) came back."""
        return self.at + self.seconds


@dataclass
class Load:
    """Client threads calling the endpoint at ``url`` in a loop with ``row``, ``pause_s``
    apart; what each call got, in the order the calls ended."""

    url: str
    row: list[float] = field(default_factory=lambda: [1, 2])
    pause_s: float = 0.02
    calls: list[Call] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self.stop.is_set():
                started = time.monotonic()
                try:
                    reply = client.post(self.url, json={"inputs": [self.row]})
                except httpx.HTTPError:
                    status, served_by = 0, ""
                else:
                    status = reply.status_code
                    served_by = reply.json().get("served_by", "primary") if reply.is_success else ""
                self.calls.append(Call(started, status, served_by, time.monotonic() - started))
                time.sleep(self.pause_s)

    def after(self, since: float) -> list[Call]:
        """The calls answered at or after ``since``."""
        return [c for c in list(self.calls) if c.ended >= since]

    def between(self, start: float, end: float) -> list[Call]:
        """The calls started in ``[start, end)``."""
        return [c for c in list(self.calls) if start <= c.at < end]


@contextmanager
def steady_load(
    url: str, row: list[float] | None = None, threads: int = 4, pause_s: float = 0.02
) -> Iterator[Load]:
    """``threads`` clients calling ``url`` until the block ends."""
    load = Load(url, pause_s=pause_s) if row is None else Load(url, row, pause_s=pause_s)
    workers = [threading.Thread(target=load.run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        yield load
    finally:
        load.stop.set()
        for worker in workers:
            worker.join(15)
