"""``pasarela models …`` and ``pasarela alias …``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pasarela.cli.common import actor, catalog, console, parse_pairs, registry, reports_errors

if TYPE_CHECKING:
    from pasarela.types import AliasMove, ModelVersion

models_app = typer.Typer(help="Register and inspect model versions.", no_args_is_help=True)
alias_app = typer.Typer(help="Point aliases (name@champion) at versions.", no_args_is_help=True)


@models_app.command("register")
@reports_errors
def register(
    name: Annotated[str, typer.Option("--name", "-n", help="Model name")],
    path: Annotated[
        Path | None,
        typer.Argument(help="Model file: .skops, .onnx (.joblib, .pkl with --trust-pickle)"),
    ] = None,
    train_data: Annotated[
        Path | None,
        typer.Option(help="Training frame (.csv or .parquet) for signature and baseline"),
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="Label column to leave out of the features")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="sklearn, onnx or python (default: from the file)")
    ] = None,
    entrypoint: Annotated[
        str | None, typer.Option(help="For python models: package.module:callable")
    ] = None,
    metric: Annotated[
        list[str] | None, typer.Option(help="Offline metric NAME=NUMBER, repeatable")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option(help="Parameter NAME=VALUE, repeatable")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Tag NAME=VALUE, repeatable")] = None,
    trust_skops_types: Annotated[
        bool, typer.Option(help="Trust the non-default types in a .skops file")
    ] = False,
    trust_pickle: Annotated[
        bool,
        typer.Option(
            help="Allow a .joblib/.pkl file: loading a pickle runs any code inside it; "
            "only for files you trust"
        ),
    ] = False,
) -> None:
    """Register a new version of a model."""
    with console.status(f"registering {name} …"):
        version = registry().register(
            name,
            artifact=path,
            kind=kind,
            entrypoint=entrypoint,
            train_data=train_data,
            target=target,
            metrics=parse_pairs(metric, numeric=True),
            params=parse_pairs(param),
            tags=parse_pairs(tag),
            trust_skops_types=trust_skops_types,
            trust_pickle=trust_pickle,
            actor=actor(),
        )
    features = len(version.signature.features) if version.signature else 0
    console.print(
        f"registered [bold]{version.id}[/] ({version.kind}, {features} features, "
        f"sha256 {(version.artifact_sha256 or '-')[:12]})"
    )


@models_app.command("list")
@reports_errors
def list_models() -> None:
    """Every model with its versions and aliases."""
    tables = catalog()
    table = Table("model", "versions", "latest", "kind", "aliases")
    for name in tables.versions.models():
        versions = tables.versions.of(name)
        aliases = tables.aliases.of(name)
        latest = versions[-1] if versions else None
        table.add_row(
            name,
            str(len(versions)),
            str(latest.version) if latest else "-",
            latest.kind if latest else "-",
            ", ".join(f"{a}→{v}" for a, v in sorted(aliases.items())),
        )
    console.print(table)


@models_app.command("show")
@reports_errors
def show(ref: Annotated[str, typer.Argument(help="name, name@3 or name@alias")]) -> None:
    """One version in detail: signature, metrics, lineage, alias history."""
    reg = registry()
    version = reg.resolve(ref)
    _print_version(version)
    history = reg.aliases.history(version.model)
    if history:
        console.print(_moves_table(history, title="alias moves"))


def _moves_table(history: list[AliasMove], title: str | None = None) -> Table:
    table = Table("alias", "from", "to", "by", "at", title=title)
    for move in history:
        table.add_row(
            move.alias,
            str(move.from_version or "-"),
            str(move.to_version),
            move.actor,
            move.at.isoformat(timespec="seconds"),
        )
    return table


def _print_version(version: ModelVersion) -> None:
    console.print(
        f"[bold]{version.id}[/]  kind={version.kind}  by {version.created_by} at "
        f"{version.created_at.isoformat(timespec='seconds') if version.created_at else '-'}"
    )
    console.print(f"artifact sha256: {version.artifact_sha256 or '-'}")
    if version.entrypoint:
        console.print(f"entrypoint: {version.entrypoint}")
    console.print(f"dataset fingerprint: {version.dataset_fingerprint or '-'}")
    for label, data in (
        ("metrics", version.metrics),
        ("params", version.params),
        ("tags", version.tags),
    ):
        if data:
            console.print(f"{label}: " + ", ".join(f"{k}={v}" for k, v in data.items()))
    if version.signature is not None:
        baseline = (version.baseline or {}).get("features", {})
        table = Table("feature", "dtype", "baseline", title="signature")
        for feature in version.signature.features:
            stats = baseline.get(feature.name, {})
            summary = (
                f"mean {stats['mean']:.4g}, range {stats['min']:.4g}..{stats['max']:.4g}"
                if "mean" in stats
                else f"{len(stats.get('frequencies', {}))} categories"
                if stats
                else ""
            )
            table.add_row(feature.name, feature.dtype, summary)
        console.print(table)
        console.print(f"baseline rows: {(version.baseline or {}).get('rows', '-')}")


@alias_app.command("set")
@reports_errors
def set_alias(
    model: Annotated[str, typer.Argument(help="Model name")],
    alias: Annotated[str, typer.Argument(help="Alias, e.g. champion")],
    version: Annotated[int, typer.Argument(help="Version number")],
) -> None:
    """Point MODEL@ALIAS at VERSION (the move is recorded)."""
    move = registry().aliases.move(model, alias, version, actor=actor())
    was = f" (was {move.from_version})" if move.from_version is not None else ""
    console.print(f"{model}@{alias} → {version}{was}")


@alias_app.command("history")
@reports_errors
def alias_history(model: Annotated[str, typer.Argument(help="Model name")]) -> None:
    """Every recorded alias move of MODEL."""
    from pasarela.registry.service import parse_ref

    name, _ = parse_ref(model)
    console.print(_moves_table(registry().aliases.history(name)))
