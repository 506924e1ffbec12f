"""wrk: install it when missing, write the Lua script, run it, read its JSON summary."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARKER = "BENCH_JSON "
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]+")

# wrk calls done() once at the end; latencies are in microseconds. errors.status counts
# responses with a status of 400 or more (wrk's "Non-2xx or 3xx responses").
_LUA = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{headers}wrk.body = [==[{body}]==]

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{marker}{{"requests":%d,"duration_us":%d,"bytes":%d,'
    .. '"mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,'
    .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n',
    summary.requests, summary.duration, summary.bytes,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def ensure_wrk() -> str:
    """Path of wrk, installing Debian's package first when it is missing (needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("wrk is missing: install it (apt-get install wrk) or run as root")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get installed wrk but it is not on PATH")
    return found


def wrk_version(wrk: str) -> str:
    out = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    return (out.stdout + out.stderr).splitlines()[0].split(" Copyright")[0].strip()


def _lua_string(text: str, what: str) -> str:
    if "]==]" in text:
        raise ValueError(f"{what} cannot be embedded in a Lua long string")
    return f"[==[{text}]==]"


def write_script(path: Path, body: bytes, headers: Mapping[str, str] | None = None) -> Path:
    """The Lua script posting ``body`` with ``headers`` besides Content-Type."""
    text = body.decode()
    _lua_string(text, "request body")
    lines = []
    for name, value in (headers or {}).items():
        if not _HEADER_NAME.fullmatch(name) or any(c in value for c in "\r\n"):
            raise ValueError(f"header {name!r} is not one header line")
        lines.append(f'wrk.headers["{name}"] = {_lua_string(value, "header value")}\n')
    script = _LUA.format(body=text, headers="".join(lines), marker=MARKER)
    # The script may hold an API key: only its owner may read it.
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(script)
    return path


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    mean_ms: float
    max_ms: float
    errors: dict[str, int]

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "error_count": self.error_count}


def parse(stdout: str) -> WrkResult:
    lines = [line for line in stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise RuntimeError(f"wrk printed no summary:\n{stdout[-2000:]}")
    raw: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
    seconds = raw["duration_us"] / 1e6
    return WrkResult(
        requests=raw["requests"],
        seconds=round(seconds, 3),
        rps=round(raw["requests"] / seconds, 1) if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        p999_ms=raw["p999_us"] / 1000,
        mean_ms=round(raw["mean_us"] / 1000, 3),
        max_ms=raw["max_us"] / 1000,
        errors={k: int(raw[k]) for k in ("status", "connect", "read", "write", "timeout")},
    )


def run_wrk(
    wrk: str, url: str, script: Path, duration: float, connections: int, threads: int = 1
) -> WrkResult:
    argv = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip()}")
    return parse(out.stdout)
