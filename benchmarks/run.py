"""Serving benchmark: pasarela against MLServer, BentoML and a bare FastAPI app.

Every server serves the same scikit-learn pipeline and answers the same single-row request
with predict_proba; wrk measures each in turn. Run with the project's environment:

    .venv/bin/python benchmarks/run.py [--duration 15] [--connections 32] [--only a,b]
    .venv/bin/python benchmarks/run.py --soak 300 [--soak-warmup 60]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import shutil
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from rich.console import Console

from harness import envs, procs, repeats, report, servers, specs
from harness.flatness import rss_flatness
from harness.measure import Options, measure_server, soak
from harness.wrk import ensure_wrk, wrk_version

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
VENVS = BENCH / ".venvs"
RESULTS = BENCH / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of wrk per row")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of wrk before each")
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated rows: {', '.join(servers.SERVER_OF)} "
        f"(default: {', '.join(servers.DEFAULT_TARGETS)})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run the whole comparison N times and report every row's ratio in each run",
    )
    parser.add_argument(
        "--soak",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="instead: load pasarela alone this long, sampling its RSS every 5 s",
    )
    parser.add_argument(
        "--soak-warmup",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="load before a soak's first RSS sample: the flatness is judged from there, "
        "once the caches, the journal and the allocator have reached their working size",
    )
    args = parser.parse_args(argv)
    only = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in only if k not in servers.SERVER_OF]
    if unknown:
        parser.error(f"unknown --only names: {', '.join(unknown)}")
    args.targets = only or list(servers.DEFAULT_TARGETS)
    return args


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def prepare_peers(keys: list[str], sklearn: str, console: Console) -> dict[str, Any]:
    """Creates (once) the virtual environment of each peer server in ``keys``."""
    wanted = servers.PEER_VENV
    names = sorted({wanted[k] for k in keys if k in wanted})
    requirements = envs.peer_requirements(sklearn, REPO)
    project = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()
    records = {}
    for name in names:
        console.print(f"environment [bold]{name}[/]: {' '.join(requirements[name])}")
        log = WORK / "logs" / f"pip-{name}.log"
        fingerprint = project if name == "pasarela" else ""
        records[name] = envs.ensure_venv(VENVS, name, requirements[name], log, fingerprint)
        if records[name]["installed"] != requirements[name]:
            console.print(f"[yellow]{name}: scikit-learn {sklearn} did not install; unpinned[/]")
    return records


def collect_versions(peers: dict[str, Any]) -> dict[str, dict[str, str]]:
    versions = {}
    for name in peers:
        versions[name] = envs.venv_versions(VENVS / name, envs.PEER_PACKAGES[name])
    return versions


def run_comparison(
    args: argparse.Namespace,
    ctx: specs.Context,
    opts: Options,
    meta: dict[str, Any],
    console: Console,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    order = list(dict.fromkeys(servers.SERVER_OF[k] for k in args.targets))
    meta["server_settings"] = {}
    for key in order:
        spec = servers.BUILDERS[key](ctx)
        meta["server_settings"][key] = spec.settings
        targets = [t for t in spec.targets if t.key in args.targets]
        rows += measure_server(spec, targets, ctx.files.expected, opts, WORK, console)
    # Keep the rows in the order they were asked for.
    rows.sort(key=lambda r: args.targets.index(r["key"]))
    report.add_ratios(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Wide enough for the table when the output is a file or a pipe.
    console = Console(width=shutil.get_terminal_size((150, 40)).columns)
    signal.signal(signal.SIGTERM, _sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    wrk = ensure_wrk()
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "logs").mkdir(parents=True)
    files = envs.train_model(WORK)
    ctx = specs.Context(repo=REPO, work=WORK, venvs=VENVS, files=files)
    opts = Options(wrk, args.duration, args.connections, args.warmup)
    keys = ["pasarela"] if args.soak else [servers.SERVER_OF[k] for k in args.targets]
    sklearn = envs.main_versions().get("scikit-learn", "")
    meta: dict[str, Any] = {
        "timestamp": stamp,
        "options": {
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": 1,
            "warmup_s": args.warmup,
            "tool": wrk_version(wrk),
        },
        "machine": envs.machine_info(),
        "model": {
            "pipeline": "StandardScaler + LogisticRegression(max_iter=1000)",
            "data": "sklearn load_breast_cancer, 30 features",
            "row": files.row,
            "expected_predict_proba": files.expected,
        },
    }
    try:
        peers = prepare_peers(keys, sklearn, console)
        meta["versions"] = collect_versions(peers)
        meta["peer_environments"] = peers
        if args.soak:
            return run_soak(args, ctx, opts, meta, console)
        runs = []
        for i in range(max(1, args.repeat)):
            if args.repeat > 1:
                console.print(f"[bold]run {i + 1} of {args.repeat}[/]")
            runs.append(run_comparison(args, ctx, opts, meta, console))
        rows = runs[-1]
    except KeyboardInterrupt:
        console.print("[red]interrupted[/]")
        return 130
    finally:
        procs.stop_all()
    payload = {**meta, "results": rows}
    extra: list[str] = []
    if len(runs) > 1:
        entries = repeats.summary(runs)
        payload["repeats"] = {"runs": runs, "summary": entries}
        extra = repeats.markdown(entries, len(runs))
    console.print(report.rich_table(rows, f"single-row predict_proba, {stamp}"))
    for line in extra:
        console.print(line, markup=False, highlight=False)
    for row in rows:
        if "rss" in row:
            rss = row["rss"]
            console.print(
                f"{row['label']}: RSS (server process tree) first {rss['first_mib']:.0f} MiB, "
                f"peak {rss['peak_mib']:.0f} MiB, final {rss['final_mib']:.0f} MiB"
            )
    machine = meta["machine"]
    console.print(
        f"machine: {machine['cpu_count']} CPUs ({machine['cpu_model']}), "
        f"{machine['memory_gib']} GiB, Python {machine['python']}; {meta['options']['tool']}"
    )
    for name, versions in meta["versions"].items():
        console.print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    md = report.markdown(rows, meta) + "\n".join(extra) + ("\n" if extra else "")
    paths = report.write(RESULTS, stamp, payload, md)
    console.print("wrote " + ", ".join(str(p.relative_to(REPO)) for p in paths))
    return 0 if all(r["status"] == "ok" for run in runs for r in run) else 1


def run_soak(
    args: argparse.Namespace,
    ctx: specs.Context,
    opts: Options,
    meta: dict[str, Any],
    console: Console,
) -> int:
    spec = servers.pasarela(ctx)
    target = spec.targets[0]
    opts = dataclasses.replace(opts, warmup=args.soak_warmup)
    meta["options"]["warmup_s"] = args.soak_warmup
    result = soak(spec, target, ctx.files.expected, opts, args.soak, WORK, console)
    rss, wrk = result["rss"], result["wrk"]
    growth = rss["final_mib"] - rss["first_mib"]
    result["rss"]["growth_mib"] = round(growth, 1)
    # The first sample is taken after the warm-up (soak() starts sampling with the long run).
    flat = rss_flatness([s["rss_mib"] for s in result["samples"]])
    result["flatness"] = flat
    console.print(
        f"soak {args.soak:.0f} s: {wrk['rps']:,.0f} req/s, p99 {wrk['p99_ms']:.2f} ms, "
        f"errors {wrk['error_count']}; RSS first {rss['first_mib']:.1f} MiB, "
        f"max {rss['peak_mib']:.1f} MiB, last {rss['final_mib']:.1f} MiB ({growth:+.1f} MiB)"
    )
    verdict = "[green]flat[/]" if flat["flat"] else "[red]NOT flat[/]"
    console.print(
        f"RSS {verdict} (±{flat['tolerance']:.0%}): last {flat['last_change']:+.1%}, "
        f"max {flat['max_change']:+.1%} from the first sample after the warm-up"
    )
    payload = {**meta, "soak_s": args.soak, "soak": result}
    paths = report.write(RESULTS, meta["timestamp"], payload, None, prefix="soak-")
    console.print("wrote " + ", ".join(str(p.relative_to(REPO)) for p in paths))
    return 0 if wrk["error_count"] == 0 and result["alive"] and flat["flat"] else 1


if __name__ == "__main__":
    sys.exit(main())
