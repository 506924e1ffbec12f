"""``pasarela experiments list|start|stop|report|size``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from pasarela.cli.common import actor, console, registry, reports_errors
from pasarela.errors import InvalidRequest

experiments_app = typer.Typer(help="A/B/n experiments.", no_args_is_help=True)

Id = Annotated[str, typer.Argument(help="Experiment id")]


@experiments_app.command("list")
@reports_errors
def list_command() -> None:
    """Every experiment, its endpoint and phase."""
    from pasarela.control.experiments import list_experiments

    table = Table("experiment", "endpoint", "phase", "variants")
    for e in list_experiments(registry()):
        variants = ", ".join(f"{v.name}={v.target} ({v.weight:g} %)" for v in e.options.variants)
        table.add_row(e.id, e.spec.name, e.phase, variants)
    console.print(table)


@experiments_app.command("start")
@reports_errors
def start_command(experiment: Id) -> None:
    """draft → running: traffic splits from now on."""
    from pasarela.control.experiments import start

    result = start(registry(), experiment, actor=actor())
    console.print(f"experiment [bold]{experiment}[/] {result['phase']}")


@experiments_app.command("stop")
@reports_errors
def stop_command(
    experiment: Id,
    winner: Annotated[str | None, typer.Option(help="The winning variant")] = None,
    roll_out: Annotated[
        bool, typer.Option("--roll-out", help="Make the winner the endpoint's single version")
    ] = False,
    conclusion: Annotated[str, typer.Option(help="What was learned, for the history")] = "",
) -> None:
    """running → stopped, with a winner or none."""
    from pasarela.control.experiments import stop

    result = stop(
        registry(),
        experiment,
        actor=actor(),
        winner=winner,
        roll_out=roll_out,
        conclusion=conclusion,
    )
    console.print(f"experiment [bold]{experiment}[/] stopped; winner: {result['winner']}")
    if "rolled_out" in result:
        rolled = result["rolled_out"]
        console.print(f"rolled out {rolled['target']} (revision {rolled['revision']})")


@experiments_app.command("report")
@reports_errors
def report_command(
    experiment: Id,
    output: Annotated[str, typer.Option("--output", "-o", help="table or json")] = "table",
) -> None:
    """Effects per variant, the sample-ratio check and what can be concluded yet."""
    from pasarela.control.experiment_report import experiment_report, tuning_sentence

    report = experiment_report(registry(), experiment)
    if output == "json":
        print(json.dumps(report, indent=2))
        return
    console.print(
        f"experiment [bold]{report['experiment']}[/] on {report['endpoint']}: {report['phase']}"
        + (f" — {report['hypothesis']}" if report["hypothesis"] else "")
    )
    variants = Table("variant", "target", "weight", "units", "requests", "errors")
    for v in report["variants"]:
        variants.add_row(
            v["name"],
            v["target"],
            f"{v['weight']:g} %",
            str(v["units"]),
            str(v["requests"]),
            str(v["errors"]),
        )
    console.print(variants)
    for section in report["metrics"]:
        console.print(_metric_table(section))
    ratio = report["sample_ratio"]
    flag = "[red]MISMATCH[/]" if ratio["flagged"] else "ok"
    console.print(f"sample ratio: {flag} (p = {ratio['p_value']:.3g}, units {ratio['observed']})")
    console.print(tuning_sentence(report["sequential_tuning"]))
    for line in report["conclusions"]:
        console.print(f"• {line}")


@experiments_app.command("size")
@reports_errors
def size_command(
    baseline: Annotated[float, typer.Option(help="The control's mean (a rate: 0.12 is 12 %)")],
    mde: Annotated[float, typer.Option(help="Minimum detectable effect")],
    kind: Annotated[str, typer.Option(help="rate or mean")] = "rate",
    sd: Annotated[float | None, typer.Option(help="A mean's standard deviation")] = None,
    absolute: Annotated[
        bool, typer.Option("--absolute", help="The effect is in the metric's units, not relative")
    ] = False,
    alpha: Annotated[float, typer.Option(help="Significance level")] = 0.05,
    power: Annotated[float, typer.Option(help="Chance to detect the effect")] = 0.8,
    variants: Annotated[int, typer.Option(help="Variants, the control included")] = 2,
    daily_units: Annotated[
        float | None, typer.Option(help="Units a day, to say how long it takes")
    ] = None,
    share: Annotated[float, typer.Option(help="Share of the traffic in the experiment")] = 1.0,
) -> None:
    """Units per variant (and days) to detect an effect: plan before starting.

    pasarela experiments size --baseline 0.10 --mde 0.05 --daily-units 20000
    """
    from pasarela.stats.design import duration_days, sample_size

    # The checks that name a command-line option; sample_size's own name its arguments.
    if kind not in ("rate", "mean"):
        raise InvalidRequest(f"--kind is rate or mean, not {kind!r}")
    if kind == "rate" and sd is not None:
        raise InvalidRequest("--sd applies to --kind mean; a rate's follows from its mean")
    if kind == "mean" and (sd is None or not sd > 0):
        raise InvalidRequest("--kind mean needs a positive --sd (the mean's standard deviation)")
    if daily_units is not None and not daily_units > 0:
        raise InvalidRequest(f"--daily-units must be positive, not {daily_units:g}")
    if not 0 < share <= 1:
        raise InvalidRequest(f"--share must be in (0, 1], not {share:g}")
    try:
        units = sample_size(
            kind=kind,  # type: ignore[arg-type]  # checked by sample_size
            baseline_mean=baseline,
            mde=mde,
            relative=not absolute,
            alpha=alpha,
            power=power,
            baseline_sd=sd,
            variants=variants,
        )
        days = (
            duration_days(units, variants, daily_units, share) if daily_units is not None else None
        )
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc
    effect = f"{mde:+g}" if absolute else f"{mde:+.1%}"
    console.print(
        f"{units:,} units per variant ({units * variants:,} in all) to detect {effect} on a "
        f"{kind} of {baseline:g} with power {power:.0%} at α = {alpha:g}"
        + (f" (Bonferroni over {variants - 1} comparisons)" if variants > 2 else "")
    )
    if days is not None:
        console.print(f"≈ {days:.1f} days at {daily_units:,.0f} units a day, {share:.0%} of them")


def _metric_table(section: dict[str, Any]) -> Table:
    table = Table(
        "variant",
        "n",
        "effect",
        "relative",
        "95 % CI",
        "p (fixed)",
        "p (always valid)",
        "P(beat control)",
        title=f"{section['metric']} ({section['stat']})",
    )
    for row in section["comparisons"]:
        fixed = row.get("fixed_horizon")
        if fixed is None:
            table.add_row(row["variant"], str(row["n"]), "—", "—", "—", "—", "—", "—")
            continue
        relative = fixed.get("relative")
        low, high = fixed["absolute_ci"]
        table.add_row(
            row["variant"],
            str(row["n"]),
            f"{fixed['absolute']:+.4g}",
            "—" if relative is None else f"{relative:+.1%}",
            f"[{low:+.4g}, {high:+.4g}]",
            f"{fixed['p_value']:.3g}",
            f"{row['sequential']['p_adjusted']:.3g}",
            f"{row['bayesian']['probability_to_beat']:.1%}",
        )
    return table
