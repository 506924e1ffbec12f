"""The background jobs of the leader: the canary and bandit controllers and retention, ticked
every ``controller_poll_s`` while this process holds leadership."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from pasarela.control.leader import Leadership

log = logging.getLogger(__name__)


async def run_jobs(
    ticks: Sequence[Callable[[], Any]], poll_s: float, stop: asyncio.Event, leader: Leadership
) -> None:
    """Call each tick (blocking, in a worker thread) every ``poll_s`` seconds while this
    process leads, until ``stop`` is set. A failed tick is logged; the next one tries again."""
    try:
        while not stop.is_set():
            if await asyncio.to_thread(_leads, leader):
                for tick in ticks:
                    try:
                        await asyncio.to_thread(tick)
                    except Exception:  # a job outlives a database hiccup
                        log.exception(
                            "background job %s failed", getattr(tick, "__qualname__", tick)
                        )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_s)
    finally:
        await asyncio.to_thread(leader.release)


def _leads(leader: Leadership) -> bool:
    try:
        return leader.acquire()
    except Exception:  # the database is down: nobody leads until it is back
        log.exception("leadership check failed")
        return False
