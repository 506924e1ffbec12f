"""The record writer: moves journal lines into the database in batches, in its own process.

A process of its own keeps the database work (SQL, JSON, aggregates) off the serving process's
GIL, so requests never wait behind it. When the database fails the lines stay in the journal,
on disk, and the writer retries with backoff; lines are stored idempotently, so a crash between
storing and checkpointing only replays them. The writer drains what is left and exits when told
to (SIGTERM) or when its server is gone.

A record the database refuses (``DataRejected``: a value too long for its column, say), unlike
an unreachable database, would fail for ever and hold every record after it back. The writer
finds it by halving the batch, stores the rest, and quarantines it (``quarantined_records``,
with why), counting it in ``<slot>/quarantined`` for ``pasarela_records_quarantined_total``.

Batches are bounded by bytes as well as lines (``batch_bytes``), so the writer's memory does not
grow with the size of the records. Its logs never hold payloads or identifiers: SQL parameters
are hidden by the engine (``storage/db.py``), and it logs one line per problem.

    python -m pasarela.telemetry.writer --journal DIR --database-url URL --parent-pid PID
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from pasarela.errors import DataRejected
from pasarela.security.crypto import PayloadCipher, is_envelope
from pasarela.settings import Settings
from pasarela.storage.data_keys import DataKeyRepository
from pasarela.storage.db import create_engine, database_problem
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.telemetry import TelemetryRepository, violations
from pasarela.telemetry.journal import Journal
from pasarela.types import PLAIN_PAYLOADS, PayloadCodec

log = logging.getLogger(__name__)

WRITER_NICENESS = 10
BATCH_BYTES = 8 << 20
"""Journal bytes read per batch at most (a single larger line is read alone): a batch holds
them several times over while parsed and sent, whatever the size of each record."""
QUARANTINED_FILE = "quarantined"
"""In the journal's slot: how many records its writer has quarantined, for the metric."""


class RecordWriter:
    """Stores journal lines in batches. Example::

    writer = RecordWriter(Journal.attach(slot_dir), TelemetryRepository(engine))
    writer.run(stop)  # until the threading.Event ``stop`` is set, then drains
    """

    def __init__(
        self,
        journal: Journal,
        repo: TelemetryRepository,
        *,
        batch: int = 500,
        batch_bytes: int = BATCH_BYTES,
        idle_s: float = 0.2,
        max_backoff_s: float = 5.0,
        codec: PayloadCodec = PLAIN_PAYLOADS,
    ) -> None:
        self.journal = journal
        self.repo = repo
        self.batch = batch
        self.batch_bytes = batch_bytes
        self.idle_s = idle_s
        self.max_backoff_s = max_backoff_s
        self.failing = False
        self.feedback = FeedbackRepository(repo.engine, codec=codec)
        self.quarantined = _read_count(journal.directory / QUARANTINED_FILE)
        self.more = False

    def flush_once(self) -> int:
        """Store up to ``batch`` pending lines (and ``batch_bytes``); how many were read."""
        lines, position = self.journal.read(self.batch, max_bytes=self.batch_bytes)
        if not lines:
            return 0
        records: list[dict[str, Any]] = []
        feedback: list[dict[str, Any]] = []
        for line in lines:
            entry = orjson.loads(line)
            (feedback if entry.pop("type", "record") == "feedback" else records).append(entry)
        # A batch cut short by its bytes leaves more to read at once, as a full one does.
        self.more = len(lines) >= self.batch or sum(map(len, lines)) >= self.batch_bytes
        del lines  # the parsed entries are what is needed from here on
        self.store(records)
        self.store_feedback(feedback)
        self.journal.commit(position)
        return len(records) + len(feedback)

    def store(self, records: list[dict[str, Any]]) -> None:
        """Store ``records``; those the database refuses are found by halving and quarantined,
        so they never hold the others back. An outage raises (the caller retries it all)."""
        _store_isolating(records, self.repo.store_records, self._quarantine)

    def store_feedback(self, items: list[dict[str, Any]]) -> None:
        """Store feedback journaled through an outage, isolating refused items as ``store``
        does: the door bounds feedback by its columns, so none should be, but one must never
        hold the journal back."""
        _store_isolating(items, self.feedback.store, self._quarantine_feedback)

    def _quarantine(self, record: dict[str, Any], exc: DataRejected) -> None:
        reason = "; ".join(violations(record)) or exc.message
        # Payloads go along only sealed (encryption on, the default), as records keep them.
        sealed = [record.get(k) for k in ("inputs", "outputs") if record.get(k) is not None]
        keep = bool(sealed) and all(is_envelope(p) for p in sealed)
        self._set_aside("a record", record, reason, keep)

    def _quarantine_feedback(self, item: dict[str, Any], exc: DataRejected) -> None:
        kept = {"request_id": item.get("request_id"), "at": item.get("at")}
        self._set_aside("feedback", kept, f"feedback: {exc.message}", keep_payloads=False)

    def _set_aside(
        self, what: str, record: dict[str, Any], reason: str, keep_payloads: bool
    ) -> None:
        row, new = self.repo.quarantine(record, reason, keep_payloads=keep_payloads)
        if not new:  # replayed after a crash: counted and told the first time
            return
        self.quarantined += 1
        _write_count(self.journal.directory / QUARANTINED_FILE, self.quarantined)
        # The row's number and why: never the record's ids or payload.
        log.warning("quarantined %s the database refused (#%d): %s", what, row, reason)

    def fold_feedback(self) -> int:
        """Fold feedback whose record has arrived into the aggregates."""
        folded = 0
        while (n := self.feedback.aggregate_pending()) > 0:
            folded += n
        return folded

    def run(self, stop: threading.Event, keep_going: Any = lambda: True) -> None:
        """Store lines until ``stop`` is set or ``keep_going()`` turns false, then drain."""
        backoff = self.idle_s
        while not stop.is_set() and keep_going():
            try:
                read = self.flush_once()
                self.fold_feedback()
            except Exception as exc:  # noqa: BLE001 - database down or refusing: keep, retry
                if not self.failing:
                    log.warning(
                        "cannot store records (%s); keeping them in the journal and retrying",
                        _problem(exc),
                    )
                    self.failing = True
                backoff = min(backoff * 2, self.max_backoff_s)
                stop.wait(backoff)
                continue
            if self.failing:
                log.warning("storing records again; the journal holds %d bytes", self.journal.size)
                self.failing = False
            backoff = self.idle_s
            if not read or not self.more:
                stop.wait(self.idle_s)
        self.drain(timeout_s=10)

    def drain(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if self.flush_once() == 0:
                    self.fold_feedback()
                    return
            except Exception as exc:  # noqa: BLE001 - left in the journal for the next start
                log.warning("records left in the journal: %s", _problem(exc))
                return


def _problem(exc: Exception) -> str:
    """One line about ``exc`` for the log: for the database's errors the driver's first line,
    never the statement or its parameters (payloads, subject ids); for any other error its
    own first line."""
    return database_problem(exc)


def _store_isolating(
    items: list[dict[str, Any]],
    store: Callable[[list[dict[str, Any]]], object],
    quarantine: Callable[[dict[str, Any], DataRejected], None],
) -> None:
    """``store(items)``; when the database refuses the batch, halve it until the refused
    items are alone, and ``quarantine`` each of those (log2(n) extra round trips per bad one)."""
    try:
        store(items)
    except DataRejected as exc:
        if len(items) == 1:
            quarantine(items[0], exc)
            return
        half = len(items) // 2
        _store_isolating(items[:half], store, quarantine)
        _store_isolating(items[half:], store, quarantine)


def _read_count(path: Path) -> int:
    try:
        return int(path.read_text())
    except (FileNotFoundError, ValueError):
        return 0


def _write_count(path: Path, count: int) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(str(count))
    os.replace(tmp, path)  # a reader never sees half a number


class WriterProcess:
    """Starts and stops the writer process of one journal slot, from the server."""

    def __init__(self, slot: Path, settings: Settings) -> None:
        self.slot = slot
        self.settings = settings
        self.database_url = settings.resolved_database_url
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "pasarela.telemetry.writer",
            "--journal",
            str(self.slot),
            "--database-url",
            self.database_url,
            "--parent-pid",
            str(os.getpid()),
            "--home",
            str(self.settings.home),
            stdin=subprocess.DEVNULL,
            env=self._env(),
        )

    def _env(self) -> dict[str, str]:
        """The writer opens sealed outputs (label feedback needs the predicted label) with the
        same master key as this server."""
        env = dict(os.environ)
        if self.settings.master_key is not None:
            env["PASARELA_MASTER_KEY"] = self.settings.master_key.get_secret_value()
        return env

    async def stop(self, timeout_s: float = 15.0) -> None:
        """Ask the writer to drain and exit; kill it if it takes longer than ``timeout_s``."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), timeout_s)
        except TimeoutError:
            log.error("the record writer did not stop in %s s; killing it", timeout_s)
            self.process.kill()
            await self.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pasarela.telemetry.writer")
    parser.add_argument("--journal", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--home", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s pasarela.writer: %(message)s")
    # Background work: when the machine is busy, requests go first; the journal absorbs the lag.
    os.nice(WRITER_NICENESS)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # One writer per slot: a writer left over from a killed server finishes first.
    with (args.journal / "writer.lock").open("a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        engine = create_engine(args.database_url)
        settings = Settings(home=args.home, database_url=args.database_url)
        cipher = PayloadCipher(settings, DataKeyRepository(engine))
        writer = RecordWriter(
            Journal.attach(args.journal), TelemetryRepository(engine), codec=cipher
        )
        writer.run(stop, keep_going=lambda: os.getppid() == args.parent_pid)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
