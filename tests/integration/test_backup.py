"""Backup and restore: an install is backed up while its database is open, checked, and
rebuilt elsewhere — registry, endpoints, keys, audit chain and artifacts — answering the same
predictions; a changed file is named, an install with data is not overwritten by accident; on
SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from pasarela.control.backup import create_backup, restore_backup, verify_backup
from pasarela.control.endpoints import put_endpoint
from pasarela.control.workspace import open_registry
from pasarela.errors import ConfigurationError
from pasarela.security.audit import check_log, verify
from pasarela.settings import Settings
from pasarela.storage.audit import AuditRepository
from tests.conftest import POSTGRES_URL, Trained, require_postgres

MASTER = "A" * 43  # a 32-byte key in base64url: the same on both sides of the restore


def install(settings: Settings, trained: Trained) -> list[float]:
    """A model and an endpoint; the model's answers to three rows."""
    registry = open_registry(settings)
    try:
        version = registry.register_estimator(
            "cancer", trained.model, train_data=trained.frame, target="target"
        )
        put_endpoint(registry, "cancer", ["cancer@1"], actor="ana")
        rows = trained.features.iloc[:3].values.tolist()
        return [o for o in registry.load(version).predict_batch(rows)]  # type: ignore[misc]
    finally:
        registry.engine.dispose()


def answers(settings: Settings, trained: Trained) -> list[float]:
    registry = open_registry(settings)
    try:
        version = registry.aliases.resolve("cancer", "1")
        rows = trained.features.iloc[:3].values.tolist()
        assert [e.name for e in registry.endpoints.all()] == ["cancer"]
        return [o for o in registry.load(version).predict_batch(rows)]  # type: ignore[misc]
    finally:
        registry.engine.dispose()


def test_a_sqlite_install_comes_back_whole(tmp_path: Path, trained: Trained) -> None:
    source = Settings(home=tmp_path / "a", master_key=MASTER)
    expected = install(source, trained)
    backup = tmp_path / "backup"
    summary = create_backup(source, backup)
    assert summary.files == 2  # the database and the one artifact
    assert verify_backup(backup) == []

    target = Settings(home=tmp_path / "b", master_key=MASTER)
    restore_backup(backup, target, actor="ops")
    assert answers(target, trained) == expected
    engine = sa.create_engine(target.resolved_database_url)
    repo = AuditRepository(engine)
    entries = list(repo.entries())
    assert verify(entries, repo.anchors()).ok  # the chain continues across the restore
    assert entries[-1].action == "backup.restore" and entries[-1].actor == "ops"
    engine.dispose()


def test_a_changed_or_missing_file_is_named_and_nothing_is_restored(
    tmp_path: Path, trained: Trained
) -> None:
    source = Settings(home=tmp_path / "a")
    install(source, trained)
    backup = tmp_path / "backup"
    create_backup(source, backup)
    artifact = next((backup / "artifacts").iterdir())
    artifact.write_bytes(artifact.read_bytes()[:-1] + b"x")
    problems = verify_backup(backup)
    assert problems == [
        f"artifacts/{artifact.name}: changed since the backup (its SHA-256 differs)"
    ]
    with pytest.raises(ConfigurationError, match="does not verify"):
        restore_backup(backup, Settings(home=tmp_path / "b"))
    assert not (tmp_path / "b" / "pasarela.db").exists()
    (backup / "manifest.json").unlink()
    assert verify_backup(backup) == [
        "manifest.json is missing: the backup is unfinished or not a backup"
    ]


def test_an_install_with_data_is_replaced_only_when_asked(tmp_path: Path, trained: Trained) -> None:
    source = Settings(home=tmp_path / "a")
    install(source, trained)
    backup = tmp_path / "backup"
    create_backup(source, backup)
    with pytest.raises(ConfigurationError, match="--force"):
        restore_backup(backup, source)
    restore_backup(backup, source, force=True)
    assert answers(source, trained)
    with pytest.raises(ConfigurationError, match="not empty"):
        create_backup(source, backup)


def test_a_restore_over_newer_entries_is_witnessed_here_and_named_elsewhere(
    tmp_path: Path, trained: Trained
) -> None:
    """Restoring an older backup rolls the audit log back. The home that restores witnesses
    the restored log (and keeps the head it replaced); a server on another home that
    witnessed the newer log is told it was rolled back, by which restore — not "intact", and
    not an unexplained TAMPERED."""
    source = Settings(home=tmp_path / "a")
    install(source, trained)
    backup = tmp_path / "backup"
    create_backup(source, backup)
    elsewhere = Settings(home=tmp_path / "b", database_url=source.resolved_database_url)
    newer = open_registry(elsewhere)  # a second server on the same database
    put_endpoint(newer, "cancer-2", ["cancer@1"], actor="ana")
    newer_head = AuditRepository(newer.engine).head()
    newer.engine.dispose()
    assert newer_head is not None

    restore_backup(backup, source, force=True, actor="ops")
    here = open_registry(source)
    there = open_registry(elsewhere)
    try:
        restored = check_log(AuditRepository(here.engine))
        assert restored.ok, restored.problems
        restore = AuditRepository(here.engine).head()
        assert restore is not None and restore.action == "backup.restore"
        assert restore.detail["replaced_head"] == {"seq": newer_head.seq, "hash": newer_head.hash}
        seen_there = check_log(AuditRepository(there.engine))
        assert [(p.seq, p.kind) for p in seen_there.problems] == [(newer_head.seq, "rolled_back")]
        assert f"entry {restore.seq} records a restore" in seen_there.problems[0].message
        assert "by ops" in seen_there.problems[0].message
    finally:
        here.engine.dispose()
        there.engine.dispose()


def test_a_postgresql_install_comes_back_after_its_schema_is_lost(
    postgres_url: str, tmp_path: Path, trained: Trained
) -> None:
    require_postgres()
    settings = Settings(home=tmp_path / "a", database_url=postgres_url, master_key=MASTER)
    expected = install(settings, trained)
    backup = tmp_path / "backup"
    create_backup(settings, backup)
    assert (backup / "database.pgdump").is_file() and verify_backup(backup) == []
    schema = postgres_url.rsplit("%3D", 1)[1]
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:  # the database is lost
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    restore_backup(backup, settings, actor="ops")
    assert answers(settings, trained) == expected


def test_scheduled_backups_come_on_time_and_only_the_newest_are_kept(
    tmp_path: Path, trained: Trained
) -> None:
    from pasarela.control.backup import BackupJob

    settings = Settings(home=tmp_path / "a", backup_interval_s=60, backup_keep=2)
    install(settings, trained)
    now = [1_800_000_000.0]
    job = BackupJob(settings, clock=lambda: now[0])
    (job.directory / "20000101T000000.000000Z").mkdir(parents=True)  # a crashed backup
    taken = []
    for _ in range(5):  # every 30 s: a backup every other tick
        summary = job.tick()
        if summary is not None:
            taken.append(summary.path.name)
        now[0] += 30
    assert len(taken) == 3
    kept = sorted(p.name for p in job.directory.iterdir())
    assert kept == taken[-2:]  # the oldest finished one and the crashed one are gone
    assert all(verify_backup(job.directory / name) == [] for name in kept)
    assert BackupJob(Settings(home=tmp_path / "b")).tick() is None  # off unless configured


BACKUP_KEY = "B" * 43


def test_an_encrypted_backup_opens_with_its_key_only(tmp_path: Path, trained: Trained) -> None:
    source = Settings(home=tmp_path / "a", master_key=MASTER, backup_key=BACKUP_KEY)
    expected = install(source, trained)
    backup = tmp_path / "backup"
    create_backup(source, backup, encrypt=True)
    stored = sorted(p.name for p in backup.rglob("*") if p.is_file())
    assert all(name.endswith(".sealed") or name == "manifest.json" for name in stored)
    assert b"SQLite format" not in (backup / "database.sqlite.sealed").read_bytes()[:64]
    assert verify_backup(backup) == []  # without the key: the stored bytes check out

    target = Settings(home=tmp_path / "b", master_key=MASTER, backup_key=BACKUP_KEY)
    restore_backup(backup, target)
    assert answers(target, trained) == expected
    with pytest.raises(ConfigurationError, match="PASARELA_BACKUP_KEY"):
        restore_backup(backup, Settings(home=tmp_path / "c", master_key=MASTER))
    wrong = Settings(home=tmp_path / "d", master_key=MASTER, backup_key="C" * 43)
    with pytest.raises(ConfigurationError, match="does not open"):
        restore_backup(backup, wrong)


def test_a_sealed_file_changed_cut_or_moved_does_not_open(tmp_path: Path) -> None:
    from pasarela.security import file_crypto

    key = bytes(range(32))
    plain = tmp_path / "plain"
    plain.write_bytes(bytes(range(256)) * 9000)  # > 2 chunks of 1 MiB
    sealed = tmp_path / "sealed"
    file_crypto.seal_file(plain, sealed, key, "artifacts/x")
    opened = tmp_path / "opened"
    file_crypto.open_file(sealed, opened, key, "artifacts/x")
    assert opened.read_bytes() == plain.read_bytes()
    data = sealed.read_bytes()
    cases = {
        "moved to another name": (data, "artifacts/y"),
        "cut after its first chunk": (data[: 17 + 4 + (1 << 20) + 16], "artifacts/x"),
        "one byte flipped": (data[:100] + bytes([data[100] ^ 1]) + data[101:], "artifacts/x"),
    }
    for content, name in cases.values():
        sealed.write_bytes(content)
        with pytest.raises(ConfigurationError, match="does not open"):
            file_crypto.open_file(sealed, opened, key, name)
