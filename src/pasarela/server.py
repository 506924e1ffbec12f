"""``Server``: one pasarela process, wired from its ``Settings``, with ``start`` and ``stop``.

It builds what a server runs — the registry on the configured database, the record journal and
its writer process, the rate limiter, the data plane, the security events, the dashboard
sessions, the background jobs (controllers under one leader, retention, backups) and the
incident watch — and starts and stops them in order. Adapters take it from here:
``api.app.create_app`` puts the HTTP routes around one (the CLI's ``serve`` and the demo go
through it); nothing in a ``Server`` knows about HTTP.

Start, in order: migrations (when embedded or asked), the payload key, the writer, the data
plane (its first snapshot), then the jobs. Stop, in reverse: the jobs, the data plane (batchers
drain: queued requests are answered), the security events still counted, the limiter, the
writer (every acknowledged record is in the journal or the database), the journal, the engine.
``stop`` stops only what started, so it is safe after a failed ``start``, and a second call does
nothing.
"""

from __future__ import annotations

import asyncio
import gc
from contextlib import suppress

from pasarela.control.backup import BackupJob
from pasarela.control.bandit import BanditController
from pasarela.control.canary import CanaryController
from pasarela.control.erasure import CacheErasure
from pasarela.control.jobs import run_jobs
from pasarela.control.leader import Leadership
from pasarela.control.retention import RetentionJob
from pasarela.control.workspace import open_workspace
from pasarela.security.crypto import PayloadCipher
from pasarela.security.ratelimit.base import Limit, RateLimiter
from pasarela.security.ratelimit.memory import MemoryRateLimiter
from pasarela.security.ratelimit.redis import RedisRateLimiter
from pasarela.security.sessions import DashboardSessions
from pasarela.serving.cache import CacheUnavailable
from pasarela.serving.dataplane import DataPlane
from pasarela.settings import Settings
from pasarela.storage.db import storage_errors, upgrade
from pasarela.telemetry.feedback import FeedbackService
from pasarela.telemetry.incidents import IncidentWatch
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.notifiers import build_notifiers
from pasarela.telemetry.recent import RecentRequests
from pasarela.telemetry.records import Recorder
from pasarela.telemetry.security_events import SecurityEvents
from pasarela.telemetry.writer import WriterProcess

__all__ = ["Server"]


class Server:
    """Everything one pasarela process runs, built (not started) from ``settings``.

    Example::

        server = Server(Settings(home=Path("/tmp/p")))
        await server.start()
        try:
            await server.dataplane.predict("fraud", rows)
        finally:
            await server.stop()
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workspace = workspace = open_workspace(settings, migrate=False)
        self.registry = registry = workspace.registry
        self.engine = workspace.engine
        self.metrics = metrics = Metrics()
        self.telemetry = workspace.telemetry
        self.journal = journal = (
            Journal.open(
                settings.home / "journal",
                max_bytes=settings.spool_max_bytes,
                on_drop=metrics.records_dropped.inc,
            )
            if settings.records
            else None
        )
        # Payloads are sealed before they reach the journal: nothing in clear on disk.
        self.cipher = registry.payloads if isinstance(registry.payloads, PayloadCipher) else None
        self.recent = RecentRequests()  # whose each request was, for feedback's scope check
        self.recorder = (
            Recorder(journal, codec=registry.payloads, recent=self.recent)
            if journal is not None
            else None
        )
        self.writer = WriterProcess(journal.directory, settings) if journal is not None else None
        if journal is not None:
            metrics.count_quarantined(journal.directory.parent)
        self.limiter: RateLimiter = (
            RedisRateLimiter(
                settings.rate_limit_redis_url, on_fallback=metrics.rate_limit_fallbacks.inc
            )
            if settings.rate_limit_redis_url
            else MemoryRateLimiter()
        )
        self.events = SecurityEvents(workspace.audit)
        self.sessions = DashboardSessions(
            workspace.sessions, ttl_s=settings.ui_session_hours * 3600
        )
        # The data plane: the request path, from admission to outcomes, over the snapshot.
        self.dataplane = DataPlane(
            settings,
            registry,
            metrics,
            recorder=self.recorder,
            limiter=self.limiter,
            events=self.events,
            default_key_limit=(
                Limit.parse(settings.default_key_rate_limit)
                if settings.default_key_rate_limit
                else None
            ),
        )
        # Subjects erased on any server leave this one's response caches at the next refresh.
        self.erasure = CacheErasure(self.engine, self.dataplane.caches, CacheUnavailable)
        self.dataplane.after_refresh(self.erasure.forget_erased)
        self.feedback = FeedbackService(workspace.feedback, journal, metrics, self.recent)
        self.controller = CanaryController(registry)
        self.bandits = BanditController(registry)
        self.retention = RetentionJob(registry, settings.retention_days)
        self.backups = BackupJob(settings)
        self.incidents = workspace.incidents
        self.watch = IncidentWatch(
            self.incidents,
            self.dataplane.conditions,
            # the watch rides through an outage on our error, not SQLAlchemy's
            storage_errors()(workspace.rollouts.states),
            build_notifiers(settings),
            clear_s=settings.incident_clear_s,
            canary_hold_s=settings.incident_canary_hold_s,
            quarantined=storage_errors()(self.telemetry.quarantined_since),
        )
        self._stop_jobs = asyncio.Event()
        self._jobs: list[asyncio.Task[None]] = []
        self._dataplane_started = False
        self._stopped = False

    async def start(self) -> None:
        """Migrate (embedded, or when asked), start the writer, load the first snapshot, then
        run the background jobs. When it raises, ``stop`` releases what had started."""
        settings = self.settings
        if settings.migrate_on_start or self.engine.dialect.name == "sqlite":
            await asyncio.to_thread(upgrade, self.engine)
        if self.cipher is not None:  # makes the first data key when sealing is on
            await asyncio.to_thread(self.cipher.ensure_key)
        if self.writer is not None:
            await self.writer.start()
        self._dataplane_started = True
        await self.dataplane.start()
        if settings.controller:
            leader = Leadership(self.engine, settings.home / "leader.lock")
            ticks = [self.controller.tick, self.bandits.tick, self.retention.tick]
            ticks.append(self.backups.tick)
            run = run_jobs(ticks, settings.controller_poll_s, self._stop_jobs, leader)
            self._jobs.append(asyncio.create_task(run, name="controllers"))
        flush = _flush_events(self.events, self._stop_jobs)
        self._jobs.append(asyncio.create_task(flush, name="security-events"))
        if settings.incidents:
            watch = self.watch.run(self._stop_jobs, settings.incident_poll_s)
            self._jobs.append(asyncio.create_task(watch, name="incident-watch"))
        # Everything loaded so far (modules, models) lives as long as the process; keep the
        # cyclic GC from rescanning it, which otherwise pauses requests for tens of ms.
        gc.freeze()

    async def stop(self) -> None:
        """Stop what ``start`` started, in reverse order; only once."""
        if self._stopped:
            return
        self._stopped = True
        self._stop_jobs.set()
        await asyncio.gather(*self._jobs, return_exceptions=True)
        if self._dataplane_started:
            await self.dataplane.stop()
        await asyncio.to_thread(self.events.flush)
        await self.limiter.close()
        if self.writer is not None:
            await self.writer.stop()  # nothing to do for a writer that never started
        if self.journal is not None:
            self.journal.close()
        self.engine.dispose()


async def _flush_events(events: SecurityEvents, stop: asyncio.Event) -> None:
    """Append the security events counted on the hot path to the audit log, every second."""
    while not stop.is_set():
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        await asyncio.to_thread(events.flush)
