"""``pasarela``: serve, register, route, predict, demo."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup, TyperOption

from pasarela._version import __version__
from pasarela.cli.backup import backup_app, restore
from pasarela.cli.common import (
    actor,
    console,
    err_console,
    home_option,
    registry,
    reports_errors,
    settings,
    workspace,
)
from pasarela.cli.experiments import experiments_app
from pasarela.cli.incidents import incidents_app
from pasarela.cli.models import alias_app, models_app
from pasarela.cli.rollouts import apply, get_app, rollout_app, shadow_app
from pasarela.cli.security import (
    audit_app,
    compliance_app,
    create_admin_key,
    guards_app,
    keys_app,
    print_new_key,
    subjects_app,
)
from pasarela.private_files import private_dir, restrict_umask

# Commands in the order a newcomer meets them, grouped by what they are for (``--help``).
START, MODELS, ROLLOUTS, WATCH, SECURITY, OPERATIONS = (
    "Start",
    "Models and endpoints",
    "Rollouts and experiments",
    "Watch",
    "Security and data",
    "Operations",
)
ORDER = (
    *("demo", "serve", "predict"),
    *("models", "alias", "endpoints", "apply", "get"),
    *("rollout", "shadow", "experiments"),
    *("stats", "incidents"),
    *("keys", "audit", "subjects", "compliance", "guards"),
    *("backup", "restore", "db", "version"),
)


class OrderedGroup(TyperGroup):
    """Lists its commands in ORDER (typer lists plain commands before groups otherwise)."""

    def list_commands(self, ctx: Any) -> list[str]:  # a click.Context (typer vendors click)
        names = super().list_commands(ctx)
        known = [n for n in ORDER if n in names]
        return known + [n for n in names if n not in known]


app = typer.Typer(
    cls=OrderedGroup,
    help="pasarela: carry AI and ML models from demo to production.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(models_app, name="models", rich_help_panel=MODELS)
app.add_typer(alias_app, name="alias", rich_help_panel=MODELS)
endpoints_app = typer.Typer(help="Create and list endpoints.", no_args_is_help=True)
app.add_typer(endpoints_app, name="endpoints", rich_help_panel=MODELS)
app.command("apply", rich_help_panel=MODELS)(apply)
app.add_typer(get_app, name="get", rich_help_panel=MODELS)
app.add_typer(rollout_app, name="rollout", rich_help_panel=ROLLOUTS)
app.add_typer(shadow_app, name="shadow", rich_help_panel=ROLLOUTS)
app.add_typer(experiments_app, name="experiments", rich_help_panel=ROLLOUTS)
app.add_typer(incidents_app, name="incidents", rich_help_panel=WATCH)
app.add_typer(keys_app, name="keys", rich_help_panel=SECURITY)
app.add_typer(audit_app, name="audit", rich_help_panel=SECURITY)
app.add_typer(subjects_app, name="subjects", rich_help_panel=SECURITY)
app.add_typer(compliance_app, name="compliance", rich_help_panel=SECURITY)
app.add_typer(guards_app, name="guards", rich_help_panel=SECURITY)
app.add_typer(backup_app, name="backup", rich_help_panel=OPERATIONS)
app.command("restore", rich_help_panel=OPERATIONS)(restore)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db", rich_help_panel=OPERATIONS)


def _flags_take_no_value() -> None:
    """typer's rich help tags every flag ``<bool>`` (its plain help does not), as if it took a
    value: show flags without a type, as ``--help`` itself is meant to read. (typer before
    0.29 has no display_type_rich and shows no type on flags.)"""
    display_type_rich = getattr(TyperOption, "display_type_rich", None)
    if display_type_rich is None:
        return

    def without_flag_type(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        shown: str | None = display_type_rich(self, ctx)
        return shown

    TyperOption.display_type_rich = without_flag_type  # type: ignore[method-assign]


_flags_take_no_value()


def _print_version(value: bool) -> None:
    if value:
        print(f"pasarela {__version__}")
        raise typer.Exit


@app.callback()
def main(
    home: Annotated[Path | None, typer.Option(help="Data directory (env PASARELA_HOME)")] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit"
        ),
    ] = False,
) -> None:
    # everything the CLI and the server it starts write is the owner's only (private_files)
    restrict_umask()
    home_option(home)


@app.command(rich_help_panel=OPERATIONS)
def version() -> None:
    """Print the version."""
    print(f"pasarela {__version__}")


@app.command(rich_help_panel=START)
@reports_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (env PASARELA_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (env PASARELA_PORT)")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
) -> None:
    """Serve every endpoint over HTTP."""
    import uvicorn

    from pasarela.api.lifecycle import DrainingServer, run_workers
    from pasarela.api.server_options import uvicorn_options
    from pasarela.runtimes.threads import limit_blas_threads
    from pasarela.security.jwt import JwtVerifier
    from pasarela.storage.db import create_engine, upgrade
    from pasarela.telemetry.metrics import MULTIPROCESS_ENV

    config = settings()
    upgrade(create_engine(config.resolved_database_url))
    # Wrapped data keys need the master key that wrapped them: refuse here, in one line,
    # rather than start, make a new master key, and fail on the first sealed payload.
    from pasarela.security.crypto import PayloadCipher

    opened = workspace()
    PayloadCipher(config, opened.data_keys).reload()
    if config.bootstrap_admin_key and not JwtVerifier.configured(config):
        keys = opened.keys
        if keys.count() == 0:  # a fresh install: close it at once
            record, secret = create_admin_key()
            print_new_key(record, secret)
    if workers > 1:
        # Workers share their metrics through files; set before any worker imports the client.
        metrics_dir = config.home / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        private_dir(metrics_dir)
        os.environ[MULTIPROCESS_ENV] = str(metrics_dir.resolve())
    # Each worker leaves a core to its event loop (runtimes/threads.py).
    limit_blas_threads(workers)
    options = uvicorn_options(
        host or config.host, port or config.port, workers, log_level, config.shutdown_timeout_s
    )
    server_config = uvicorn.Config("pasarela.api.app:create_app", **options)
    if workers > 1:  # each worker drains on its own (api/lifecycle.py)
        run_workers(server_config)
    else:
        DrainingServer(server_config, config.shutdown_delay_s).run()


@endpoints_app.command("create")
@reports_errors
def create_endpoint(
    name: Annotated[str, typer.Argument(help="Endpoint name, used in the URL")],
    model: Annotated[str, typer.Option(help="Target: name@3, name@alias or name (latest)")],
    max_batch_size: Annotated[int | None, typer.Option(help="Rows per model call")] = None,
    max_wait_ms: Annotated[float | None, typer.Option(help="Longest wait to fill a batch")] = None,
    max_queue: Annotated[int | None, typer.Option(help="Requests waiting before 503")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds before model_timeout")] = None,
) -> None:
    """Create (or replace) an endpoint; running servers pick it up within seconds."""
    from pasarela.control.endpoints import put_endpoint
    from pasarela.types import BatchingConfig

    config = settings()
    batching = None
    if max_batch_size is not None or max_wait_ms is not None or max_queue is not None:
        batching = BatchingConfig(
            max_batch_size=max_batch_size or config.max_batch_size,
            max_wait_ms=config.max_wait_ms if max_wait_ms is None else max_wait_ms,
            max_queue=max_queue or config.max_queue,
        )
    spec = put_endpoint(
        registry(),
        name,
        [model],
        batching=batching,
        timeout_s=timeout,
        actor=actor(),
    )
    console.print(f"endpoint [bold]{spec.name}[/] → {', '.join(spec.targets)} ({spec.policy})")


@endpoints_app.command("list")
@reports_errors
def list_endpoints() -> None:
    """Every endpoint and what it points at."""
    reg = registry()
    table = Table("endpoint", "policy", "targets", "resolves to")
    for spec in reg.endpoints.all():
        resolved = []
        for target in spec.targets:
            try:
                resolved.append(str(reg.resolve(target).id))
            except Exception as exc:  # noqa: BLE001 - show the problem in the table
                resolved.append(f"[red]{exc}[/]")
        table.add_row(spec.name, spec.policy, ", ".join(spec.targets), ", ".join(resolved))
    console.print(table)


@app.command(rich_help_panel=START)
@reports_errors
def predict(
    endpoint: Annotated[str, typer.Argument(help="Endpoint name")],
    data: Annotated[str | None, typer.Option(help="JSON body or rows, e.g. '[{\"x\": 1}]'")] = None,
    file: Annotated[
        Path | None, typer.Option(help="File with the JSON body ('-' for stdin)")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="Server URL (default from PASARELA_HOST/PORT)")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(help="API key (default: env PASARELA_API_KEY)", envvar="PASARELA_API_KEY"),
    ] = None,
) -> None:
    """Send one prediction request to a running server and print the reply."""
    import httpx

    if file is not None:
        text = sys.stdin.read() if str(file) == "-" else file.read_text()
    elif data is not None:
        text = data
    else:
        raise typer.BadParameter("give --data or --file")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not JSON: {exc}") from None
    if isinstance(body, list):
        body = {"inputs": body}
    config = settings()
    base = url or f"http://{config.host}:{config.port}"
    try:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        reply = httpx.post(
            f"{base}/v1/endpoints/{endpoint}/predict", json=body, headers=headers, timeout=30
        )
    except httpx.HTTPError as exc:
        err_console.print(f"[bold red]error[/] cannot reach {base}: {exc}")
        raise typer.Exit(2) from None
    console.print_json(reply.text)
    if reply.status_code >= 400:
        raise typer.Exit(1)


@app.command(rich_help_panel=WATCH)
@reports_errors
def stats(
    endpoint: Annotated[str, typer.Argument(help="Endpoint name")],
    window: Annotated[str, typer.Option(help="15m, 1h, 24h, 7d …")] = "1h",
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON")] = False,
) -> None:
    """Traffic, errors, latency, feedback and performance of an endpoint, per version."""
    from pasarela.cli.stats import print_stats

    print_stats(endpoint, window, as_json=as_json)


@db_app.command("upgrade")
@reports_errors
def db_upgrade() -> None:
    """Apply pending database migrations."""
    from pasarela.storage.db import create_engine, current_revision, upgrade

    engine = create_engine(settings().resolved_database_url)
    upgrade(engine)
    console.print(f"database at revision {current_revision(engine)}")


@app.command(rich_help_panel=START)
@reports_errors
def demo(
    port: Annotated[
        int | None, typer.Option(help="Port to serve on (default: env PASARELA_PORT, or 8000)")
    ] = None,
    requests: Annotated[int, typer.Option(help="Requests of sample traffic")] = 200,
    serve_forever: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Keep serving after the tour")
    ] = True,
) -> None:
    """Train two versions, register them, serve an endpoint and send it traffic."""
    from pasarela.demo.tour import run_demo

    run_demo(port=port or settings().port, requests=requests, serve_forever=serve_forever)
