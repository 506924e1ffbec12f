"""The master key a restored install needs (issue 14, item 22): the backup does not hold it, so
a restore refuses, before writing anything, unless the target's master key (or the one given
with ``--master-key``) opens the backup's data keys; and nothing ever makes a new master key
where wrapped data keys exist — on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from pasarela.control.backup import create_backup, restore_backup
from pasarela.errors import ConfigurationError
from pasarela.security.crypto import PayloadCipher, master_key, rotate_data_key
from pasarela.settings import Settings
from pasarela.storage.data_keys import DataKeyRepository
from pasarela.storage.db import create_engine, upgrade
from tests.conftest import POSTGRES_URL, Trained, require_postgres
from tests.integration.test_backup import answers, install


def seal_something(settings: Settings) -> None:
    """What the first ``serve`` does with payload encryption on: the first data key, wrapped
    by a master key made in ``<home>/master.key``."""
    engine = create_engine(settings.resolved_database_url)
    try:
        PayloadCipher(settings, DataKeyRepository(engine)).ensure_key()
    finally:
        engine.dispose()


def opens(settings: Settings) -> None:
    """The install's data keys open (what ``serve`` checks first)."""
    engine = create_engine(settings.resolved_database_url)
    try:
        PayloadCipher(settings, DataKeyRepository(engine)).reload()
    finally:
        engine.dispose()


def test_a_restore_without_the_master_key_is_refused_then_given_it(
    tmp_path: Path, trained: Trained
) -> None:
    source = Settings(home=tmp_path / "a")
    expected = install(source, trained)
    seal_something(source)
    backup = tmp_path / "backup"
    create_backup(source, backup)
    target = Settings(home=tmp_path / "b")
    with pytest.raises(ConfigurationError, match="--master-key FILE"):
        restore_backup(backup, target)
    stranger = tmp_path / "stranger.key"
    stranger.write_text("B" * 43 + "\n")
    with pytest.raises(ConfigurationError, match="does not open the backup's data keys"):
        restore_backup(backup, target, master_key_file=stranger)
    assert not (target.home / "master.key").exists()

    restore_backup(backup, target, master_key_file=source.home / "master.key")
    key = target.home / "master.key"
    assert key.read_bytes() == (source.home / "master.key").read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    opens(target)
    assert answers(target, trained) == expected


def test_a_given_master_key_must_not_contradict_the_one_the_install_has(
    tmp_path: Path, trained: Trained
) -> None:
    source = Settings(home=tmp_path / "a")
    install(source, trained)
    seal_something(source)
    backup = tmp_path / "backup"
    create_backup(source, backup)
    target = Settings(home=tmp_path / "b", master_key="B" * 43)
    with pytest.raises(ConfigurationError, match="differs from this install's master key"):
        restore_backup(backup, target, master_key_file=source.home / "master.key")
    with pytest.raises(ConfigurationError, match="PASARELA_MASTER_KEY does not open"):
        restore_backup(backup, target)


def test_a_backup_with_nothing_sealed_needs_no_master_key(tmp_path: Path, trained: Trained) -> None:
    source = Settings(home=tmp_path / "a", encrypt_payloads=False)
    expected = install(source, trained)
    backup = tmp_path / "backup"
    create_backup(source, backup)
    target = Settings(home=tmp_path / "b", encrypt_payloads=False)
    restore_backup(backup, target)
    assert answers(target, trained) == expected
    assert not (target.home / "master.key").exists()


def test_a_postgresql_restore_reads_the_data_keys_from_the_dump(
    postgres_url: str, tmp_path: Path, trained: Trained
) -> None:
    require_postgres()
    source = Settings(home=tmp_path / "a", database_url=postgres_url)
    expected = install(source, trained)
    seal_something(source)
    backup = tmp_path / "backup"
    create_backup(source, backup)
    schema = postgres_url.rsplit("%3D", 1)[1]
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:  # the database is lost, and the machine with it
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    target = Settings(home=tmp_path / "b", database_url=postgres_url)
    with pytest.raises(ConfigurationError, match="sealed with 1 data key"):
        restore_backup(backup, target)
    restore_backup(backup, target, master_key_file=source.home / "master.key")
    opens(target)
    assert answers(target, trained) == expected


def test_no_master_key_is_made_where_data_keys_exist(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(ConfigurationError, match="no master key"):
        master_key(settings)
    assert not (settings.home / "master.key").exists()
    engine = create_engine(settings.resolved_database_url)
    upgrade(engine)
    cipher = PayloadCipher(settings, DataKeyRepository(engine))
    first = rotate_data_key(cipher, actor="t")  # the first data key brings the master key
    (settings.home / "master.key").unlink()  # lost, as on a machine restored without it
    for attempt in (
        PayloadCipher(settings, DataKeyRepository(engine)).reload,
        lambda: rotate_data_key(PayloadCipher(settings, DataKeyRepository(engine)), actor="t"),
        lambda: PayloadCipher(settings, DataKeyRepository(engine)).open(
            {"enc": "aes-256-gcm", "kid": first, "nonce": "", "ct": ""}
        ),
    ):
        with pytest.raises(ConfigurationError, match="no master key") as info:
            attempt()
        assert "\n" not in info.value.message
        assert not (settings.home / "master.key").exists()
    engine.dispose()
