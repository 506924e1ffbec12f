"""The background jobs of the leader: the canary and bandit controllers and retention, ticked
every ``controller_poll_s`` while this process holds leadership."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from pasarela.control.leader import Leadership
from pasarela.storage.db import UNREACHABLE, OutageLog, database_problem

log = logging.getLogger(__name__)


async def run_jobs(
    ticks: Sequence[Callable[[], Any]], poll_s: float, stop: asyncio.Event, leader: Leadership
) -> None:
    """Call each tick (blocking, in a worker thread) every ``poll_s`` seconds while this
    process leads, until ``stop`` is set. A failed tick is logged; the next one tries again.
    While the database is unavailable the jobs log one line, not one per tick."""
    outage = OutageLog(log, "background jobs resumed: the database is back")
    try:
        while not stop.is_set():
            if await asyncio.to_thread(_leads, leader, outage):
                for tick in ticks:
                    name = getattr(tick, "__qualname__", repr(tick))
                    try:
                        await asyncio.to_thread(tick)
                    except UNREACHABLE as exc:  # the database is away: the next round retries
                        _paused(outage, name, exc)
                        break  # the other jobs would fail the same way
                    except Exception:  # a job outlives any one bad tick
                        log.exception("background job %s failed", name)
                else:  # every job reached the database
                    outage.succeeded()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_s)
    finally:
        await asyncio.to_thread(leader.release)


def _leads(leader: Leadership, outage: OutageLog) -> bool:
    try:
        return leader.acquire()
    except UNREACHABLE as exc:  # the database is down: nobody leads until it is back
        _paused(outage, "the leadership check", exc)
        return False
    except Exception:
        log.exception("leadership check failed")
        return False


def _paused(outage: OutageLog, what: str, exc: BaseException) -> None:
    outage.failed(
        "background jobs paused: %s failed, the database is unavailable (%s)",
        what,
        database_problem(exc),
    )
