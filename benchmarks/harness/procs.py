"""Server processes: free ports, start in their own session, readiness, RSS, clean stop."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def process_tree(root: int) -> list[int]:
    """``root`` and all its live descendants (servers may fork workers into new sessions)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] != "Z":
                children.setdefault(stat[1], []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        if alive(pid):
            tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def rss_bytes(pids: list[int]) -> int:
    """Resident memory of the given processes, summed."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    return total


@dataclass
class Server:
    """A running server process (and whatever it spawned)."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    ready_s: float = 0.0

    def tree(self) -> list[int]:
        return process_tree(self.proc.pid)

    def rss(self) -> int:
        return rss_bytes(self.tree())

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


_RUNNING: list[Server] = []


def start(name: str, argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> Server:
    """Start ``argv`` in a new session, its output going to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, proc, log)
    _RUNNING.append(server)
    return server


def _signal_groups(pids: list[int], sig: signal.Signals) -> None:
    own = os.getpgrp()
    groups = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            groups.add(os.getpgid(pid))
    for group in groups - {own}:
        with contextlib.suppress(OSError):
            os.killpg(group, sig)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, sig)


def stop(server: Server, grace: float = 10.0) -> None:
    """SIGTERM the server's process groups, then SIGKILL whatever outlives ``grace``."""
    pids = server.tree()
    if server.proc.poll() is None or pids:
        _signal_groups(pids, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            server.proc.poll()
            if not any(alive(p) for p in pids):
                break
            time.sleep(0.1)
        left = [p for p in pids if alive(p)]
        if left:
            _signal_groups(left, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.proc.wait(timeout=5)
    if server in _RUNNING:
        _RUNNING.remove(server)


def stop_all() -> None:
    for server in list(_RUNNING):
        stop(server)


def http(
    method: str,
    url: str,
    body: bytes | None = None,
    timeout: float = 10.0,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, bytes]:
    """One request; returns (status, body). Connection failures raise OSError."""
    request = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            status: int = reply.status
            return status, reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(server: Server, url: str, timeout: float = 180.0) -> float:
    """Poll ``url`` until it answers 200; returns the seconds it took."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if server.proc.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with {server.proc.returncode} before it was ready:\n"
                f"{server.log_tail()}"
            )
        with contextlib.suppress(OSError):
            if http("GET", url, timeout=2.0)[0] == 200:
                return time.monotonic() - began
        time.sleep(0.25)
    raise RuntimeError(f"{server.name} not ready after {timeout:.0f} s:\n{server.log_tail()}")


def post_json(url: str, body: bytes, headers: Mapping[str, str] | None = None) -> tuple[int, Any]:
    status, raw = http("POST", url, body, headers=headers)
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


@dataclass
class RssSampler:
    """Samples a server's RSS every ``interval`` seconds in a background thread."""

    server: Server
    interval: float
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self._began = time.monotonic()
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()

    def sample(self) -> None:
        self.samples.append((round(time.monotonic() - self._began, 2), self.server.rss()))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def summary(self) -> dict[str, float]:
        values = [rss for _, rss in self.samples]
        return {
            "first_mib": round(values[0] / MIB, 1),
            "peak_mib": round(max(values) / MIB, 1),
            "final_mib": round(values[-1] / MIB, 1),
        }


def _cpu_times(processes_only: bool = False) -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine; ``processes_only`` counts only
    user, nice and system time as busy, as processes' own tick counts do."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(fields[:8])  # guest time is already part of user time
    busy = sum(fields[:3]) if processes_only else total - fields[3] - fields[4]
    return busy, total


def busy_percent(seconds: float = 1.0) -> float:
    """Machine-wide CPU use over ``seconds``: other load on the machine skews the numbers."""
    busy0, total0 = _cpu_times()
    time.sleep(seconds)
    busy1, total1 = _cpu_times()
    return round(100 * (busy1 - busy0) / max(1, total1 - total0), 1)


def settle(threshold: float, patience: float) -> float:
    """Waits up to ``patience`` seconds for machine-wide CPU use to fall to ``threshold``;
    returns the last reading."""
    deadline = time.monotonic() + patience
    busy = busy_percent()
    while busy > threshold and time.monotonic() < deadline:
        busy = busy_percent()
    return busy


def _process_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            text = Path(f"/proc/{pid}/stat").read_text()
            fields = text[text.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])
    return total


def _own_ticks() -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime) * ticks


@dataclass
class OtherLoad:
    """CPU used during a block by anything but ``server``, this harness and its children (wrk),
    as a percentage of the whole machine."""

    server: Server
    percent: float = 0.0

    def __enter__(self) -> OtherLoad:
        self._pids = self.server.tree()
        self._start = (*_cpu_times(processes_only=True), _process_ticks(self._pids), _own_ticks())
        return self

    def __exit__(self, *exc: object) -> None:
        busy0, total0, server0, own0 = self._start
        busy1, total1 = _cpu_times(processes_only=True)
        server1, own1 = _process_ticks(self._pids), _own_ticks()
        other = (busy1 - busy0) - (server1 - server0) - (own1 - own0)
        self.percent = round(max(0.0, 100 * other / max(1, total1 - total0)), 1)
