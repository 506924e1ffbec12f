"""Directories 0700 and files 0600, whatever the umask of the process that uses pasarela."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from pasarela.private_files import private_dir, private_file, restrict_umask
from pasarela.storage.db import create_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual 022 of a user's shell for the test, restored after it."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.usefixtures("open_umask")
def test_missing_directories_are_made_0700_and_existing_ones_left_alone(tmp_path: Path) -> None:
    (tmp_path / "users").mkdir()
    assert mode(tmp_path / "users") == 0o755
    private_dir(tmp_path / "users" / "home" / "backups")
    assert mode(tmp_path / "users") == 0o755
    assert mode(tmp_path / "users" / "home") == 0o700
    assert mode(tmp_path / "users" / "home" / "backups") == 0o700


@pytest.mark.usefixtures("open_umask")
def test_a_file_is_created_0600_and_an_open_one_narrowed(tmp_path: Path) -> None:
    created = private_file(tmp_path / "home" / "a")
    assert mode(created) == 0o600 and mode(created.parent) == 0o700
    old = tmp_path / "old"
    old.write_text("subject-1")
    assert mode(old) == 0o644
    private_file(old)
    assert mode(old) == 0o600 and old.read_text() == "subject-1"


@pytest.mark.usefixtures("open_umask")
def test_sqlite_database_wal_and_shm_are_0600(tmp_path: Path) -> None:
    database = tmp_path / "home" / "pasarela.db"
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (subject TEXT)"))
            conn.execute(sa.text("INSERT INTO t VALUES ('subject-1')"))
        with engine.connect() as conn:  # keeps the WAL and SHM while we look
            conn.execute(sa.text("SELECT * FROM t")).all()
            companions = [Path(f"{database}{s}") for s in ("-wal", "-shm")]
            assert all(p.exists() for p in companions)
            assert [mode(p) for p in (database, *companions)] == [0o600] * 3
    finally:
        engine.dispose()
    assert mode(database.parent) == 0o700


@pytest.mark.usefixtures("open_umask")
def test_a_database_from_before_the_rule_is_narrowed_with_its_companions(tmp_path: Path) -> None:
    database = tmp_path / "pasarela.db"
    for path in (database, Path(f"{database}-wal")):
        path.touch(mode=0o644)
    create_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600 and mode(Path(f"{database}-wal")) == 0o600


def test_the_entry_points_umask_makes_plain_writes_private(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        restrict_umask()
        (tmp_path / "made").write_text("x")
        (tmp_path / "dir").mkdir()
    finally:
        os.umask(before)
    assert mode(tmp_path / "made") == 0o600 and mode(tmp_path / "dir") == 0o700
