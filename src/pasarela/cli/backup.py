"""``pasarela backup create|verify`` and ``pasarela restore`` (``control/backup.py``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from pasarela.cli.common import actor, console, err_console, reports_errors, settings

backup_app = typer.Typer(
    help="Online backups of the database and the artifacts, and their check.",
    no_args_is_help=True,
)


@backup_app.command("create")
@reports_errors
def create(
    path: Annotated[
        Path | None,
        typer.Argument(help="A new directory (default: <home>/backups/<UTC time>)"),
    ] = None,
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Seal every file with PASARELA_BACKUP_KEY")
    ] = False,
) -> None:
    """Back up while the server keeps serving: a consistent copy of the database and every
    artifact, with a manifest of their SHA-256. The master key is not in it: keep it apart."""
    from pasarela.control.backup import create_backup

    config = settings()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = path or config.home / "backups" / stamp
    summary = create_backup(config, target, encrypt=encrypt)
    console.print(
        f"backup {summary.path}: {summary.files} files, {summary.bytes:,} bytes "
        f"in {summary.seconds:.2f} s"
    )
    err_console.print(
        "the master key is not in the backup: a restore needs the same PASARELA_MASTER_KEY "
        "(or <home>/master.key, or restore --master-key FILE)"
    )


@backup_app.command("verify")
@reports_errors
def verify(path: Annotated[Path, typer.Argument(help="A backup directory")]) -> None:
    """Recompute every file's SHA-256 and check the database copy (an encrypted backup's
    files are opened too when PASARELA_BACKUP_KEY is set); exit 1 naming any problem."""
    from pasarela.control.backup import verify_backup
    from pasarela.security.file_crypto import backup_key

    config = settings()
    key = backup_key(config) if config.backup_key is not None else None
    problems = verify_backup(path, key)
    for problem in problems:
        err_console.print(f"[red]✗[/red] {problem}")
    if problems:
        raise typer.Exit(1)
    console.print(f"backup {path}: every file matches its manifest; the database copy is sound")


@reports_errors
def restore(
    path: Annotated[Path, typer.Argument(help="A backup directory")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the database this install already has")
    ] = False,
    master_key: Annotated[
        Path | None,
        typer.Option(
            "--master-key",
            help="The backed-up install's master.key, when this one has none (installed as "
            "<home>/master.key)",
        ),
    ] = None,
) -> None:
    """Rebuild this install (PASARELA_HOME / PASARELA_DATABASE_URL) from a backup: verified
    first, refused unless this install's master key (PASARELA_MASTER_KEY, <home>/master.key
    or --master-key) opens the backup's data keys, then the database and artifacts put back,
    the schema migrated forward, the restore audited. Then `pasarela serve`."""
    from pasarela.control.backup import restore_backup

    summary = restore_backup(
        path, settings(), force=force, actor=actor(), master_key_file=master_key
    )
    console.print(
        f"restored {summary.path}: {summary.files} files, {summary.bytes:,} bytes "
        f"in {summary.seconds:.2f} s"
    )
