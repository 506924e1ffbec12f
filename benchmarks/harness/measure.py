"""Runs one server: set-up commands, start, correctness check, warm-up, wrk, RSS, stop."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from harness import procs
from harness.specs import Spec, Target
from harness.wrk import WrkResult, run_wrk, write_script

TOLERANCE = 1e-6
# Machine-wide CPU use (%) before a server starts above which its numbers are flagged.
BUSY_WARNING = 15.0
# How long to wait for such other load to pass before starting a server anyway.
SETTLE_S = 60.0
# CPU used by other processes during a measured run (% of the machine) worth a note.
OTHER_WARNING = 5.0
# Extra measured runs tried when other load disturbed one.
RETRIES = 2


@dataclass(frozen=True)
class Options:
    wrk: str
    duration: float
    connections: int
    warmup: float
    rss_interval: float = 0.5


def check(spec: Spec, target: Target, expected: list[float]) -> dict[str, Any]:
    """One request: status 200 and probabilities within TOLERANCE of the local ones."""
    try:
        headers = target.headers()
    except (OSError, ValueError) as exc:
        return {"ok": False, "detail": f"no API key: {exc}"}
    try:
        status, reply = procs.post_json(spec.url(target.path), target.body, headers)
    except OSError as exc:
        return {"ok": False, "detail": f"request failed: {exc}"}
    result: dict[str, Any] = {"ok": False, "status": status}
    if status != 200:
        result["detail"] = f"status {status}: {str(reply)[:300]}"
        return result
    try:
        got = target.probabilities(reply)
    except (KeyError, IndexError, TypeError, ValueError, StopIteration) as exc:
        result["detail"] = f"unexpected reply ({exc!r}): {str(reply)[:300]}"
        return result
    result["probabilities"] = got
    if len(got) != len(expected):
        result["detail"] = f"{len(got)} probabilities, expected {len(expected)}"
        return result
    diff = max(abs(a - b) for a, b in zip(got, expected, strict=True))
    result["max_abs_diff"] = diff
    result["ok"] = diff <= TOLERANCE
    if not result["ok"]:
        result["detail"] = f"probabilities differ by {diff:.3g} (> {TOLERANCE})"
    return result


def _failed(spec: Spec, targets: list[Target], detail: str) -> list[dict[str, Any]]:
    return [
        {"key": t.key, "label": t.label, "server": spec.key, "status": "failed", "detail": detail}
        for t in targets
    ]


def _prepare(spec: Spec, log: Path) -> str | None:
    """Runs the set-up commands; returns an error text or None."""
    with log.open("ab") as out:
        for argv in spec.prepare:
            out.write(f"$ {' '.join(argv)}\n".encode())
            out.flush()
            try:
                done = subprocess.run(
                    argv,
                    cwd=spec.cwd,
                    env=spec.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=300,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                return f"{' '.join(argv[1:])}: {exc}"
            if done.returncode != 0:
                return f"{' '.join(argv[1:])} exited {done.returncode} (see {log})"
    return None


def start(spec: Spec, logs: Path) -> procs.Server:
    """Set up and start ``spec`` and wait until it is ready (raises RuntimeError)."""
    log = logs / f"{spec.key}.log"
    error = _prepare(spec, logs / f"{spec.key}-setup.log")
    if error:
        raise RuntimeError(f"set-up failed: {error}")
    server = procs.start(spec.key, spec.argv, spec.cwd, spec.env, log)
    server.ready_s = procs.wait_ready(server, spec.url(spec.ready_path))
    return server


def measure_server(
    spec: Spec,
    targets: list[Target],
    expected: list[float],
    opts: Options,
    work: Path,
    console: Console,
) -> list[dict[str, Any]]:
    """Rows for ``targets``, all served by one run of ``spec``."""
    busy = procs.settle(BUSY_WARNING, SETTLE_S)
    console.print(f"[bold]{spec.label}[/]: starting (machine {busy:.0f}% busy before)")
    if busy > BUSY_WARNING:
        console.print("  [yellow]something else is using the CPUs: these numbers will skew[/]")
    try:
        server = start(spec, work / "logs")
    except RuntimeError as exc:
        console.print(f"[red]{spec.label} did not start[/]: {exc}")
        return _failed(spec, targets, str(exc).splitlines()[0])
    rows = []
    try:
        console.print(f"  ready after {server.ready_s:.1f} s (pid {server.proc.pid})")
        for target in targets:
            row = _measure_target(spec, target, server, expected, opts, work, console)
            rows.append({**row, "background_cpu_pct": busy})
    finally:
        procs.stop(server)
    return rows


def _measure_target(
    spec: Spec,
    target: Target,
    server: procs.Server,
    expected: list[float],
    opts: Options,
    work: Path,
    console: Console,
) -> dict[str, Any]:
    url = spec.url(target.path)
    row: dict[str, Any] = {"key": target.key, "label": target.label, "server": spec.key}
    row["url_path"] = target.path
    row["ready_s"] = round(server.ready_s, 2)
    row["sends_api_key"] = target.headers_file is not None
    try:
        # Read now: the server's set-up commands wrote the key file.
        script = write_script(work / f"{target.key}.lua", target.body, target.headers())
    except (OSError, ValueError) as exc:
        console.print(f"  [red]{target.label}: no wrk script[/]: {exc}")
        row.update(status="failed", detail=f"wrk script: {exc}")
        return row
    with procs.RssSampler(server, opts.rss_interval) as rss:
        row["check"] = check(spec, target, expected)
        verdict = "ok" if row["check"]["ok"] else f"[red]FAILED[/] {row['check'].get('detail')}"
        console.print(f"  {target.label}: correctness check {verdict}")
        try:
            if opts.warmup > 0:
                row["warmup"] = run_wrk(opts.wrk, url, script, opts.warmup, opts.connections)
            result, other, attempts = _measured_run(server, target, url, script, opts, console)
            row.update(other_cpu_pct=other, attempts=attempts)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            row.update(status="failed", detail=f"wrk: {exc}")
            return row
    row["wrk"] = result.as_dict()
    row["rss"] = rss.summary()
    if "warmup" in row:
        row["warmup"] = row["warmup"].as_dict()
    alive = server.proc.poll() is None
    if not row["check"]["ok"]:
        row.update(status="check failed", detail=row["check"].get("detail", ""))
    elif result.error_count or not alive:
        row.update(status="errors", detail=_error_text(result.errors, alive))
    else:
        row.update(status="ok", detail="")
    console.print(
        f"  {target.label}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms, errors {result.error_count}; "
        f"other load {other:.0f}% of the machine"
    )
    return row


def _measured_run(
    server: procs.Server, target: Target, url: str, script: Path, opts: Options, console: Console
) -> tuple[WrkResult, float, int]:
    """The measured wrk run, run again (at most RETRIES times) while other processes took
    more than OTHER_WARNING of the machine; returns the least disturbed run, its other
    load and the number of runs."""
    best: tuple[WrkResult, float] | None = None
    attempt = 0
    for attempt in range(1, RETRIES + 2):
        if attempt > 1:
            procs.settle(BUSY_WARNING, SETTLE_S)
        console.print(f"  {target.label}: wrk {opts.duration:.0f} s, {opts.connections} conns")
        with procs.OtherLoad(server) as load:
            result = run_wrk(opts.wrk, url, script, opts.duration, opts.connections)
        if best is None or load.percent < best[1]:
            best = (result, load.percent)
        if load.percent <= OTHER_WARNING:
            break
        console.print(f"  [yellow]other load took {load.percent:.0f}% of the machine[/]")
    assert best is not None
    return best[0], best[1], attempt


def _error_text(errors: dict[str, int], alive: bool) -> str:
    parts = [f"{k} {v}" for k, v in errors.items() if v]
    if not alive:
        parts.append("server exited")
    return ", ".join(parts)


def soak(
    spec: Spec,
    target: Target,
    expected: list[float],
    opts: Options,
    seconds: float,
    work: Path,
    console: Console,
) -> dict[str, Any]:
    """One long wrk run against ``target`` with RSS sampled every 5 s."""
    server = start(spec, work / "logs")
    try:
        result: dict[str, Any] = {"key": target.key, "check": check(spec, target, expected)}
        if not result["check"]["ok"]:
            raise RuntimeError(f"correctness check failed: {result['check'].get('detail')}")
        script = write_script(work / f"{target.key}.lua", target.body, target.headers())
        url = spec.url(target.path)
        if opts.warmup > 0:
            run_wrk(opts.wrk, url, script, opts.warmup, opts.connections)
        console.print(f"[bold]soak[/]: {target.label}, wrk {seconds:.0f} s, RSS every 5 s")
        with procs.RssSampler(server, 5.0) as rss:
            wrk = run_wrk(opts.wrk, url, script, seconds, opts.connections)
        samples = [{"t_s": t, "rss_mib": round(b / procs.MIB, 1)} for t, b in rss.samples]
        result.update(wrk=wrk.as_dict(), rss=rss.summary(), samples=samples)
        result["alive"] = server.proc.poll() is None
        return result
    finally:
        procs.stop(server)
