"""The incident watch: every ``incident_poll_s`` each server reports what it sees going wrong,
the shared database folds the reports into incidents, and notifiers hear of each change.

Where conditions come from:

- this server's endpoints (``serving/health.py``): open breakers, error rates above the
  objective, fallback storms, endpoints that cannot serve, fallback versions not loaded;
- the database: canaries the controller rolled back (P2, held ``incident_canary_hold_s``: a
  rollback is an event, and its incident is how people learn of it), and records the writer
  quarantined because the database refused them (P2, group ``records``, held as long).

Every server runs the watch, not just the leader: breakers and counters live in each process.
Two servers seeing the same trouble join one incident (one open incident per group); an
incident closes once no server has seen any of its conditions for ``incident_clear_s``
(``storage/incidents.py``). Only the server whose report made a change notifies of it, so a
change is announced once. Notifications are sent off the watch's loop and their outcomes are
written to the timeline; the request path is never involved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pasarela.errors import StorageUnavailable
from pasarela.storage.db import OutageLog
from pasarela.storage.incidents import Change, IncidentRepository
from pasarela.telemetry.notifiers import Notifier
from pasarela.types import Condition

__all__ = ["IncidentWatch", "canary_conditions", "quarantine_conditions"]

log = logging.getLogger(__name__)

MAX_DELIVERIES = 100
"""Notifications in flight at most; beyond it changes are logged, not sent (bounded memory
while a webhook receiver is down and incidents keep moving)."""


def canary_conditions(
    rollouts: Mapping[str, Mapping[str, Any]], now: float, hold_s: float
) -> list[Condition]:
    """Canaries rolled back less than ``hold_s`` ago, from the rollout states."""
    found = []
    for endpoint, state in sorted(rollouts.items()):
        ended = state.get("ended_at")
        if state.get("phase") != "rolled_back" or not isinstance(ended, int | float):
            continue
        if now - ended <= hold_s:
            reason = state.get("reason") or "no reason recorded"
            found.append(
                Condition(f"endpoint:{endpoint}", "canary", "P2", f"canary rolled back: {reason}")
            )
    return found


def quarantine_conditions(count: int, hold_s: float) -> list[Condition]:
    """The ``count`` records quarantined in the last ``hold_s`` seconds, as a condition."""
    if count <= 0:
        return []
    return [
        Condition(
            "records",
            "quarantined",
            "P2",
            f"{count} request records quarantined in the last {hold_s:g} s: the database "
            "refused them (see quarantined_records for why)",
        )
    ]


class IncidentWatch:
    """Runs the watch (module docstring). ``local`` gives this server's conditions and is
    called on the event loop (it reads the live snapshot); ``rollouts`` reads the rollout
    states (blocking, run in a thread).

    Example::

        watch = IncidentWatch(repo, plane.conditions, registry.rollouts.states,
                              [LogNotifier()], clear_s=60, canary_hold_s=900)
        await watch.run(stop, poll_s=5)
    """

    def __init__(
        self,
        repo: IncidentRepository,
        local: Callable[[], list[Condition]],
        rollouts: Callable[[], Mapping[str, Mapping[str, Any]]],
        notifiers: Sequence[Notifier],
        *,
        clear_s: float,
        canary_hold_s: float,
        clock: Callable[[], float] = time.time,
        quarantined: Callable[[datetime], int] | None = None,
    ) -> None:
        self.repo = repo
        self.local = local
        self.rollouts = rollouts
        self.notifiers = list(notifiers)
        self.clear_s = clear_s
        self.canary_hold_s = canary_hold_s
        self.clock = clock
        self.quarantined = quarantined
        """How many records were quarantined since a moment (blocking, run in a thread)."""
        self._deliveries: set[asyncio.Task[None]] = set()

    def tick(self, local: Sequence[Condition]) -> list[Change]:
        """Report ``local`` and the database's conditions; the changes made. Blocking."""
        now = self.clock()
        seen = [*local, *canary_conditions(self.rollouts(), now, self.canary_hold_s)]
        if self.quarantined is not None:
            since = datetime.fromtimestamp(now - self.canary_hold_s, UTC)
            seen += quarantine_conditions(self.quarantined(since), self.canary_hold_s)
        return self.repo.observe(seen, datetime.fromtimestamp(now, UTC), self.clear_s)

    async def run(self, stop: asyncio.Event, poll_s: float) -> None:
        """Tick every ``poll_s`` until ``stop``; then wait a little for notifications on
        their way."""
        outage = OutageLog(log, "incident watch: reporting again")
        while not stop.is_set():
            try:
                changes = await asyncio.to_thread(self.tick, self.local())
            except StorageUnavailable as exc:  # the database is away: the next tick reports again
                outage.failed("incident watch: report failed (%s)", exc.message)
                changes = []
            except Exception:
                log.exception("incident watch: report failed")
                changes = []
            else:
                outage.succeeded()
            for change in changes:
                self.announce(change)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_s):
                    await stop.wait()
        if self._deliveries:
            await asyncio.wait(self._deliveries, timeout=5.0)

    def announce(self, change: Change) -> None:
        """Tell every notifier of ``change``, in the background."""
        if len(self._deliveries) >= MAX_DELIVERIES:
            log.error(
                "incident #%s %s not sent: too many notifications in flight",
                change.incident["id"],
                change.kind,
            )
            return
        task = asyncio.get_running_loop().create_task(self._deliver(change))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

    async def _deliver(self, change: Change) -> None:
        incident_id = change.incident["id"]

        async def one(notifier: Notifier) -> tuple[str, str]:
            try:
                return (
                    "notified",
                    f"{notifier.name}: {await notifier.notify(change.kind, change.incident)}",
                )
            except Exception as exc:  # noqa: BLE001 - one receiver's failure never stops the others
                log.warning("incident #%s: notifier %s failed: %s", incident_id, notifier.name, exc)
                return "notify_failed", f"{notifier.name}: {exc}"

        outcomes = await asyncio.gather(*(one(n) for n in self.notifiers))
        for kind, message in outcomes:
            try:
                await asyncio.to_thread(self.repo.note, incident_id, kind, message)
            except Exception:
                log.exception("incident #%s: timeline not updated", incident_id)
