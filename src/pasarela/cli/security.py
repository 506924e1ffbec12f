"""``pasarela keys create|list|revoke`` and ``pasarela audit verify|export``.

The CLI opens the database itself, so whoever runs it is an admin (``via="local"``); what it
does is audited under ``PASARELA_ACTOR`` (or the login name).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.table import Table

from pasarela.cli.common import (
    actor,
    console,
    err_console,
    registry,
    reports_errors,
    settings,
    workspace,
)
from pasarela.errors import InvalidRequest

if TYPE_CHECKING:
    from pasarela.security.roles import Principal
    from pasarela.storage.keys import KeyRecord

keys_app = typer.Typer(
    help="API keys: create, list, revoke; and the data keys payloads are sealed with.",
    no_args_is_help=True,
)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
compliance_app = typer.Typer(help="Compliance evidence from the live configuration.")
guards_app = typer.Typer(
    help="Guards: reveal what reversible PII guards hid.", no_args_is_help=True
)
subjects_app = typer.Typer(
    help="A data subject's records: export, erase (GDPR, LGPD).", no_args_is_help=True
)


def local() -> Principal:
    from pasarela.security.roles import Principal

    return Principal(actor(), "admin", None, "local")


def create_admin_key(name: str = "admin") -> tuple[KeyRecord, str]:
    """An admin key for this install (the first ``serve`` and the demo make one)."""
    from pasarela.security.keys import KeyService

    return KeyService(workspace().keys).create(name=name, role="admin", by=local())


def print_new_key(record: KeyRecord, secret: str) -> None:
    """Show a new key's secret: the only time anyone sees it."""
    console.print(f"key [bold]{record.id}[/] ({record.role}, {record.name!r}) created:")
    print(secret)  # the secret alone on its line, for scripts to capture
    console.print("[yellow]Store it now: it is shown this once and cannot be recovered.[/]")


@keys_app.command("create")
@reports_errors
def create(
    name: Annotated[str, typer.Option(help="What the key is for: an app, a person")],
    role: Annotated[str, typer.Option(help="admin, operator, analyst or client")] = "client",
    endpoint: Annotated[
        list[str] | None, typer.Option(help="Limit the key to this endpoint (repeatable)")
    ] = None,
    expires_in_days: Annotated[float | None, typer.Option(help="Expire after days")] = None,
    rate_limit: Annotated[
        str | None, typer.Option(help="This key's own limit, e.g. '100/s burst=200'")
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option(help="Write the key to this new file (mode 0600) instead of printing it"),
    ] = None,
) -> None:
    """Create a key and print it once (or save it to a file only its owner can read)."""
    from pasarela.security.keys import KeyService

    fd = None
    if save is not None:
        # O_EXCL: never overwrite a file; opened first, so no key is made that cannot be kept.
        try:
            fd = os.open(save, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise InvalidRequest(f"cannot save the key to {save}: {exc.strerror}") from exc
    try:
        record, secret = KeyService(workspace().keys).create(
            name=name,
            role=role,
            by=local(),
            endpoints=endpoint or None,
            expires_in_days=expires_in_days,
            rate_limit=rate_limit,
        )
    except BaseException:
        if fd is not None and save is not None:
            os.close(fd)
            save.unlink()
        raise
    if fd is None:
        print_new_key(record, secret)
        return
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secret + "\n")
    console.print(f"key [bold]{record.id}[/] ({record.role}, {record.name!r}) saved to {save}")


@keys_app.command("list")
@reports_errors
def list_keys() -> None:
    """Every key: id, name, role, endpoints, expiry, state (active, expired, revoked).
    Never a secret."""

    table = Table("id", "name", "role", "endpoints", "rate limit", "created", "expires", "state")
    now = datetime.now(UTC)  # one instant for the whole table
    for k in workspace().keys.list():
        table.add_row(
            k.id,
            k.name,
            k.role,
            ", ".join(k.endpoints) if k.endpoints else "all",
            k.rate_limit or "-",
            f"{k.created_at:%Y-%m-%d %H:%M} by {k.created_by}",
            f"{k.expires_at:%Y-%m-%d %H:%M}" if k.expires_at else "never",
            k.state(now),
        )
    console.print(table)


@keys_app.command("revoke")
@reports_errors
def revoke(key_id: Annotated[str, typer.Argument(help="The key's id, pk_…")]) -> None:
    """Revoke a key; servers refuse it from their next snapshot on."""
    from pasarela.security.keys import KeyService

    record = KeyService(workspace().keys).revoke(key_id, by=local())
    console.print(f"key [bold]{record.id}[/] revoked")


@keys_app.command("rotate-data-key")
@reports_errors
def rotate_data_key_command() -> None:
    """Seal new payloads with a new data key; older keys stay, so old records stay readable."""
    from pasarela.security.crypto import PayloadCipher, rotate_data_key

    reg = registry()
    cipher = reg.payloads
    if not isinstance(cipher, PayloadCipher):
        raise InvalidRequest("this install has no payload encryption configured")
    kid = rotate_data_key(cipher, actor=actor())
    console.print(f"data key [bold]{kid}[/] is now active; servers seal with it within seconds")


@audit_app.command("verify")
@reports_errors
def verify_command(
    accept_restore: Annotated[
        bool,
        typer.Option(
            "--accept-restore",
            help="Accept that the database was restored from an older backup: when the only "
            "problems are 'rolled_back', the head this home witnessed moves to today's head",
        ),
    ] = False,
) -> None:
    """Check the whole chain, its anchors and the head this home witnessed; name every
    edited, deleted, reordered or cut entry. Exit status 1 when the log was tampered with."""
    from pasarela.security.audit import check_log

    repo = workspace().audit
    result = check_log(repo, accept_restore_by=actor() if accept_restore else None)
    for accepted in result.accepted:
        console.print(f"accepted: {accepted.message}")
    if result.ok:
        witnessed = result.witnessed
        console.print(
            f"audit log intact: {result.entries} entries, head {result.head_seq} "
            f"({result.head_hash[:16]}…), {result.anchors_checked} anchors, "
            + (
                f"witnessed head {witnessed.seq}"
                if witnessed
                else "no head witnessed by this home yet"
            )
        )
        return
    for problem in result.problems:
        err_console.print(f"[red]{problem.kind}[/] at {problem.seq}: {problem.message}")
    err_console.print(f"audit log [bold red]TAMPERED[/]: {len(result.problems)} problem(s)")
    raise typer.Exit(1)


@audit_app.command("export")
@reports_errors
def export(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout)")
    ] = None,
    since_seq: Annotated[int, typer.Option(help="From this entry on")] = 1,
) -> None:
    """Every entry as JSON lines, each with its hash and its predecessor's, for auditors to
    verify on their own; the last line is the verification of the whole log."""
    from pasarela.security.audit import check_log

    repo = workspace().audit
    target = output.open("wb") if output else sys.stdout.buffer
    try:
        for entry in repo.entries(since_seq=since_seq):
            target.write(orjson.dumps(entry.to_json()) + b"\n")
        result = check_log(repo)
        target.write(orjson.dumps({"verification": result.to_json()}) + b"\n")
    finally:
        if output:
            target.close()
    if output:
        console.print(f"exported to {output}")


@subjects_app.command("export")
@reports_errors
def export_subject(
    subject_id: Annotated[str, typer.Argument(help="The id clients sent as X-Subject-Id")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default stdout)")
    ] = None,
) -> None:
    """Every record of the subject (payloads opened) and the feedback on them, as JSON."""

    found = workspace().subjects.export(subject_id)
    data = orjson.dumps(found, option=orjson.OPT_INDENT_2) + b"\n"
    if output is None:
        sys.stdout.buffer.write(data)
        return
    output.write_bytes(data)
    console.print(f"{len(found['records'])} records exported to {output}")


@subjects_app.command("erase")
@reports_errors
def erase_subject(
    subject_id: Annotated[str, typer.Argument(help="The id clients sent as X-Subject-Id")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Delete every record of the subject and the feedback on them (audited)."""

    if not yes and not typer.confirm(f"erase every record of subject {subject_id!r}?"):
        raise typer.Exit(1)
    counts = workspace().subjects.erase(subject_id, actor=actor())
    console.print(
        f"erased {counts['records']} records and {counts['feedback']} feedback items of the subject"
    )


@compliance_app.command("report")
@reports_errors
def compliance_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """A SOC 2 / GDPR / HIPAA-style checklist, each line evidence read from this install.
    Exit status 1 when a check fails."""
    from pasarela.control.compliance import compliance_report

    checks = compliance_report(registry(), settings())
    if as_json:
        print(orjson.dumps([c.to_json() for c in checks], option=orjson.OPT_INDENT_2).decode())
    else:
        colour = {"pass": "green", "warn": "yellow", "fail": "red"}
        table = Table("", "control", "frameworks", "evidence")
        for c in checks:
            table.add_row(
                f"[{colour[c.status]}]{c.status}[/]", c.control, ", ".join(c.frameworks), c.evidence
            )
        console.print(table)
    if any(c.status == "fail" for c in checks):
        raise typer.Exit(1)


@guards_app.command("reveal")
@reports_errors
def reveal_command(
    text: Annotated[str | None, typer.Option(help="The text (default: read stdin)")] = None,
) -> None:
    """Put back the values a reversible PII guard replaced with ``<LABEL#token>``; needs the
    server's PASARELA_PSEUDONYMIZATION_KEY."""
    from pasarela.guards.pii import RevealError
    from pasarela.guards.pseudonym import pseudonymizer_of

    pseudonymizer = pseudonymizer_of(settings())
    if pseudonymizer is None:
        raise InvalidRequest("set PASARELA_PSEUDONYMIZATION_KEY to the key the server uses")
    source = text if text is not None else sys.stdin.read()
    try:
        print(pseudonymizer.reveal(source))
    except RevealError as exc:
        raise InvalidRequest(str(exc), code="reveal_failed") from exc
