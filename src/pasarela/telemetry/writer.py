"""The background writer: moves journal lines into the database in batches.

It never blocks a request. When the database fails it keeps the lines in the journal (on disk)
and retries with backoff; lines are stored idempotently, so a crash between storing and
checkpointing replays them harmlessly.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.journal import Journal

log = logging.getLogger(__name__)


class RecordWriter:
    """Example::

    writer = RecordWriter(journal, TelemetryRepository(engine))
    task = asyncio.create_task(writer.run())
    """

    def __init__(
        self,
        journal: Journal,
        repo: TelemetryRepository,
        *,
        batch: int = 2000,
        idle_s: float = 0.2,
        max_backoff_s: float = 5.0,
    ) -> None:
        self.journal = journal
        self.repo = repo
        self.batch = batch
        self.idle_s = idle_s
        self.max_backoff_s = max_backoff_s
        self.failing = False
        self.stored = 0

    def flush_once(self) -> int:
        """Store up to ``batch`` pending lines; how many were read. Blocking."""
        lines, position = self.journal.read(self.batch)
        if not lines:
            return 0
        records: list[dict[str, Any]] = []
        for line in lines:
            entry = orjson.loads(line)
            if entry.pop("kind", None) == "record":
                records.append(entry)
        self.stored += self.repo.store_records(records)
        self.journal.commit(position)
        return len(lines)

    async def run(self) -> None:
        backoff = self.idle_s
        while True:
            try:
                read = await asyncio.to_thread(self.flush_once)
            except Exception as exc:  # noqa: BLE001 - database down or refusing: keep, retry
                if not self.failing:
                    log.warning(
                        "cannot store records (%s); keeping them in the journal and retrying",
                        str(exc).splitlines()[0],
                    )
                    self.failing = True
                backoff = min(backoff * 2, self.max_backoff_s)
                await asyncio.sleep(backoff)
                continue
            if self.failing:
                log.warning("storing records again; journal holds %d bytes", self.journal.size)
                self.failing = False
            backoff = self.idle_s
            if read < self.batch:
                await asyncio.sleep(self.idle_s)

    async def drain(self, timeout_s: float) -> None:
        """Store what is pending (at shutdown), giving up after ``timeout_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            try:
                if await asyncio.to_thread(self.flush_once) == 0:
                    return
            except Exception as exc:  # noqa: BLE001 - left in the journal for the next start
                log.warning("records left in the journal at shutdown: %s", exc)
                return
