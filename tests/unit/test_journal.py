"""The local journal: append, read from a checkpoint, commit, bound, slots."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from pasarela.telemetry.journal import Journal, JournalFull


def test_lines_come_back_in_order_and_commit_moves_on(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, max_bytes=1 << 20)
    for i in range(5):
        assert journal.append(b'{"n": %d}' % i)
    lines, position = journal.read(3)
    assert lines == [b'{"n": 0}', b'{"n": 1}', b'{"n": 2}']
    journal.commit(position)
    lines, position = journal.read(100)
    assert lines == [b'{"n": 3}', b'{"n": 4}']
    journal.commit(position)
    assert journal.read(100)[0] == []
    journal.close()


def test_a_read_stops_at_its_byte_bound_but_always_takes_one_line(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, max_bytes=1 << 30)
    for size in (3000, 10, 10, 10, 10):
        journal.append(b"x" * size)
    lines, position = journal.read(100, max_bytes=1000)
    assert [len(line) for line in lines] == [3000]  # alone, however long
    journal.commit(position)
    lines, _ = journal.read(100, max_bytes=22)  # each line is 11 bytes with its newline
    assert [len(line) for line in lines] == [10, 10]
    journal.close()


def test_a_reopened_slot_replays_what_was_not_committed(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, max_bytes=1 << 20)
    journal.append(b"a")
    journal.append(b"b")
    _, position = journal.read(1)
    journal.commit(position)
    journal.close()  # as if the process died here
    again = Journal.open(tmp_path, max_bytes=1 << 20)
    assert again.directory == journal.directory
    assert again.read(100)[0] == [b"b"]
    again.close()


def test_live_slots_are_not_shared(tmp_path: Path) -> None:
    first = Journal.open(tmp_path, max_bytes=1 << 20)
    second = Journal.open(tmp_path, max_bytes=1 << 20)
    assert first.directory != second.directory
    first.close()
    second.close()


def test_segments_rotate_and_spent_ones_are_deleted(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, max_bytes=1 << 20, segment_bytes=64)
    for i in range(40):
        journal.append(b"line-%02d" % i)
    assert len(list(journal.directory.glob("segment-*"))) > 3
    lines, position = journal.read(1000)
    assert lines == [b"line-%02d" % i for i in range(40)]
    journal.commit(position)
    assert len(list(journal.directory.glob("segment-*"))) == 1  # only the one being written
    journal.close()


def test_a_full_journal_drops_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    journal = Journal.open(tmp_path, max_bytes=50)
    caplog.set_level(logging.ERROR)
    assert journal.append(b"x" * 30)
    assert not journal.append(b"y" * 30)
    assert journal.dropped == 1
    assert "is full" in caplog.text
    with pytest.raises(JournalFull):
        journal.append(b"z" * 30, required=True)
    journal.close()


def test_a_full_journal_reports_its_drops_once_it_has_room_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    counted: list[int] = []
    journal = Journal.open(tmp_path, max_bytes=100, on_drop=lambda: counted.append(1))
    caplog.set_level(logging.WARNING)
    assert journal.append(b"x" * 60)
    assert [journal.append(b"y" * 60) for _ in range(3)] == [False] * 3
    assert journal.dropped == len(counted) == 3
    journal.commit(journal.read(10)[1])
    assert journal.append(b"z" * 60)  # the spent segment is gone: room again
    assert "3 records were dropped while it was full" in caplog.text
    journal.close()


def test_stored_lines_never_fill_the_journal(tmp_path: Path) -> None:
    # The segment being written keeps its stored lines until it rotates: segments much smaller
    # than the bound are what lets a reader that keeps up free the room.
    journal = Journal.open(tmp_path, max_bytes=1 << 20)
    assert journal.segment_bytes == (1 << 20) // 16
    line = b"r" * 1023
    for _ in range(4):  # four times the bound, read and stored as it goes
        for _ in range(1024):
            assert journal.append(line)
            journal.commit(journal.read(1000)[1])
    assert journal.dropped == 0
    assert journal.size <= journal.segment_bytes
    journal.close()


def test_a_torn_last_line_waits(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, max_bytes=1 << 20)
    journal.append(b"whole")
    segment = next(journal.directory.glob("segment-*"))
    with segment.open("ab") as f:
        f.write(b"half-writ")
    assert journal.read(10)[0] == [b"whole"]
    journal.close()


def test_a_reader_in_another_process_shares_the_bound(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, max_bytes=1 << 20, segment_bytes=32)
    for i in range(20):
        journal.append(b"record-%02d" % i)
    reader = Journal.attach(journal.directory)
    lines, position = reader.read(1000)
    assert len(lines) == 20
    reader.commit(position)
    assert journal.size > reader.size  # the writer side learns on its next size check
    journal._next_size_check = 0.0
    journal.append(b"more")
    assert journal.size == reader.size + len(b"more\n")
    journal.close()


def test_a_failing_disk_loses_the_line_not_the_request(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = Journal.open(tmp_path, max_bytes=1 << 20)
    os.close(journal._fd)  # any write now fails with EBADF, as a dead disk would
    caplog.set_level(logging.ERROR)
    assert journal.append(b"lost") is False
    assert journal.dropped == 1
    assert "cannot be written" in caplog.text
    with pytest.raises(JournalFull):
        journal.append(b"needed", required=True)
    journal._fd = os.open(os.devnull, os.O_WRONLY)  # so close() has something to close
    journal.close()
