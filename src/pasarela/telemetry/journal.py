"""A local append-only journal: what the hot path has promised to store, before the database
has it.

The request path appends one line per record with a single ``write`` (no fsync: the page cache
survives the process being killed); a background writer reads from a checkpoint, stores the
lines in the database and moves the checkpoint. If the database is slow or down, lines wait
here, on disk, not in memory, up to ``max_bytes``; beyond that new lines are dropped, counted
and logged: one error when the journal fills, one warning with the number dropped when it has
room again (below half the bound).

``max_bytes`` bounds everything the slot holds on disk, stored lines included: the reader
deletes a segment only once it has moved past it, so the segment being written keeps its
stored lines until it rotates. Segments are therefore at most a sixteenth of the bound, so
lines already stored never take more than that from the room left for waiting ones.

Each process takes one slot directory (``journal/<n>``) under an exclusive file lock, so workers
never share a file, and a restarted process adopts and replays what a killed one left behind.
The reader may live in another process (``Journal.attach``): the writer side then learns how
much room is left by looking at the files once a second.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pasarela.private_files import private_dir

log = logging.getLogger(__name__)

_SEGMENT = "segment-{:012d}.jsonl"
_MAX_SLOTS = 256
_SEGMENTS_PER_BOUND = 16


@dataclass(frozen=True, slots=True, order=True)
class Position:
    segment: int
    offset: int


class JournalFull(Exception):
    """Raised by ``append(..., required=True)`` when the journal is at its size bound."""


class Journal:
    """Append-only, segmented, bounded. Example::

    journal = Journal.open(home / "journal", max_bytes=1 << 30)
    journal.append(b'{"request_id": "r1"}')
    lines, position = journal.read(1000)
    journal.commit(position)  # after the lines are stored elsewhere

    ``dropped`` counts the lines dropped since the journal was opened; ``on_drop``, when set,
    is called once for each (a metric's ``inc``).
    """

    def __init__(
        self,
        directory: Path,
        lock_fd: int | None,
        max_bytes: int,
        segment_bytes: int,
        on_drop: Callable[[], object] | None = None,
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        # A segment as big as the bound would keep its stored lines until the bound is reached,
        # and the journal would be full for good (see the module's docstring).
        self.segment_bytes = (
            min(segment_bytes, max(1, max_bytes // _SEGMENTS_PER_BOUND))
            if max_bytes
            else segment_bytes
        )
        self.dropped = 0
        self.on_drop = on_drop
        self._dropped_when_full = 0
        self._lock_fd = lock_fd
        # Records are appended on the event loop, feedback from worker threads.
        self._append_lock = threading.Lock()
        self._size_lock = threading.Lock()
        self._checkpoint = self._read_checkpoint()
        segments = self._segments()
        self._size = self._disk_size()
        self._next_size_check = time.monotonic() + 1.0
        self._segment = max(segments, default=self._checkpoint.segment)
        self._fd = self._open_segment(self._segment) if lock_fd is not None else -1
        self._offset = os.lseek(self._fd, 0, os.SEEK_END) if lock_fd is not None else 0
        self._full_logged = False

    @classmethod
    def attach(cls, directory: Path) -> Journal:
        """The reading side of a slot another process appends to."""
        return cls(directory, None, max_bytes=0, segment_bytes=0)

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        max_bytes: int,
        segment_bytes: int = 16 * 1024 * 1024,
        on_drop: Callable[[], object] | None = None,
    ) -> Journal:
        """The first slot under ``root`` no other live process holds; ``segment_bytes`` is
        capped at a sixteenth of ``max_bytes``."""
        for slot in range(_MAX_SLOTS):
            directory = private_dir(root / str(slot))
            fd = os.open(directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return cls(directory, fd, max_bytes, segment_bytes, on_drop)
        raise RuntimeError(f"all {_MAX_SLOTS} journal slots under {root} are in use")

    # -- writing (the request path) ----------------------------------------------------------
    def append(self, line: bytes, *, sync: bool = False, required: bool = False) -> bool:
        """Append one line (it must not contain a newline). ``sync`` also fsyncs it. When the
        journal is full the line is dropped and False returned, or JournalFull raised when
        ``required``."""
        with self._append_lock:
            return self._append(line + b"\n", sync=sync, required=required)

    def _append(self, data: bytes, *, sync: bool, required: bool) -> bool:
        now = time.monotonic()
        if now >= self._next_size_check:  # the reader may be another process
            self._next_size_check = now + 1.0
            with self._size_lock:
                self._size = self._disk_size()
            self._check_room()
        try:
            # Rotated even when the line will not fit: the reader deletes only segments it has
            # moved past, so a full journal whose last segment never closed would stay full.
            if self._offset >= self.segment_bytes:
                self._rotate()
            if self._size + len(data) > self.max_bytes:
                return self._full(required)
            os.write(self._fd, data)
            if sync:
                os.fsync(self._fd)
        except OSError as exc:  # disk full or failing: the request must not fail for it
            self._drop()
            log.error("journal %s cannot be written (%s); a record is lost", self.directory, exc)
            if required:
                raise JournalFull(f"the local journal cannot be written: {exc}") from exc
            return False
        self._offset += len(data)
        with self._size_lock:
            self._size += len(data)
        return True

    def _full(self, required: bool) -> bool:
        """Drop a line that does not fit: False, or JournalFull when ``required``."""
        self._drop()
        if not self._full_logged:
            log.error(
                "journal %s is full (%d bytes, limit %d): new records are dropped until "
                "the database catches up",
                self.directory,
                self._size,
                self.max_bytes,
            )
            self._full_logged = True
            self._dropped_when_full = self.dropped - 1
        if required:
            raise JournalFull(f"the local journal is full ({self.max_bytes} bytes)")
        return False

    def _drop(self) -> None:
        self.dropped += 1
        if self.on_drop is not None:
            self.on_drop()

    def _check_room(self) -> None:
        """Say so once a full journal is below half its bound again (the hysteresis keeps a
        journal hovering at its bound from logging on every line)."""
        if self._full_logged and self._size < self.max_bytes // 2:
            log.warning(
                "journal %s has room again (%d bytes); %d records were dropped while it was full",
                self.directory,
                self._size,
                self.dropped - self._dropped_when_full,
            )
            self._full_logged = False

    def _rotate(self) -> None:
        os.close(self._fd)
        self._segment += 1
        self._fd = self._open_segment(self._segment)
        self._offset = 0

    def _open_segment(self, number: int) -> int:
        path = self.directory / _SEGMENT.format(number)
        return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    # -- reading (the background writer) -----------------------------------------------------
    def read(self, limit: int, max_bytes: int | None = None) -> tuple[list[bytes], Position]:
        """Up to ``limit`` complete lines after the checkpoint, and the position after them;
        with ``max_bytes``, no more lines once they reach that many bytes (the first line is
        always read, however long), so a batch's size does not grow with its lines' size."""
        lines: list[bytes] = []
        size = 0
        position = self._checkpoint
        for segment in self._segments():
            if segment < position.segment:
                continue
            offset = position.offset if segment == position.segment else 0
            with (self.directory / _SEGMENT.format(segment)).open("rb") as f:
                f.seek(offset)
                for raw in f:
                    if not raw.endswith(b"\n"):
                        break  # a line still being written, or torn by a crash
                    lines.append(raw[:-1])
                    offset += len(raw)
                    size += len(raw)
                    if len(lines) >= limit or (max_bytes is not None and size >= max_bytes):
                        return lines, Position(segment, offset)
            position = Position(segment, offset)
        return lines, position

    def commit(self, position: Position) -> None:
        """Everything before ``position`` is stored: checkpoint it and delete spent segments."""
        tmp = self.directory / "checkpoint.tmp"
        tmp.write_text(f"{position.segment} {position.offset}")
        os.replace(tmp, self.directory / "checkpoint")
        self._checkpoint = position
        for segment in self._segments():
            if segment < position.segment:
                path = self.directory / _SEGMENT.format(segment)
                spent = path.stat().st_size
                path.unlink()
                with self._size_lock:
                    self._size -= spent
        if self._lock_fd is None:  # the appending side is another process: look at the files
            with self._size_lock:
                self._size = self._disk_size()
        self._check_room()  # when the reader lives in this process

    @property
    def size(self) -> int:
        return self._size

    def _disk_size(self) -> int:
        total = 0
        for segment in self._segments():
            try:
                total += (self.directory / _SEGMENT.format(segment)).stat().st_size
            except FileNotFoundError:  # spent and deleted by the reader meanwhile
                continue
        return total

    def _segments(self) -> list[int]:
        return sorted(
            int(p.name[len("segment-") : -len(".jsonl")])
            for p in self.directory.glob("segment-*.jsonl")
        )

    def _read_checkpoint(self) -> Position:
        try:
            segment, offset = (self.directory / "checkpoint").read_text().split()
            return Position(int(segment), int(offset))
        except (FileNotFoundError, ValueError):
            return Position(0, 0)

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._fd)
            os.close(self._lock_fd)  # releases the slot's lock
