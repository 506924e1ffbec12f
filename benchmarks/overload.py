"""Load shedding under overload: admitted latency and refusals at 3× the sustainable rate.

A real ``pasarela serve`` with a model that takes ``DELAY_S`` per call, one row per call
(``max_batch_size: 1``): it sustains about ``1 / DELAY_S`` requests per second. Two endpoints
serve it: ``queued`` (only the queue-length bound) and ``shed``
(``max_queue_wait_ms: BUDGET_MS``). An open-loop client (requests sent on a fixed schedule,
whatever the answers do, as real traffic arrives) measures each endpoint unloaded (a third of
the sustainable rate) and at three times it: the admitted requests' p50/p99 latency, the share
refused (503) and how fast a refusal comes back. Run with the project's environment:

    .venv/bin/python benchmarks/overload.py [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

DELAY_S = 0.02
BUDGET_MS = 30
MANIFEST = f"""\
name: queued
policy: {{type: single, target: slow@1}}
batching: {{max_batch_size: 1}}
timeout_s: 30
---
name: shed
policy: {{type: single, target: slow@1}}
batching: {{max_batch_size: 1, max_queue_wait_ms: {BUDGET_MS}}}
timeout_s: 30
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def drive(url: str, rate: float, seconds: float) -> tuple[list[float], list[float]]:
    """Open loop: ``rate`` requests a second for ``seconds``; (admitted latencies, refused
    latencies) in milliseconds."""
    admitted: list[float] = []
    refused: list[float] = []
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one() -> None:
            started = time.perf_counter()
            reply = await client.post(url, json={"inputs": [[1, 2]]})
            elapsed = (time.perf_counter() - started) * 1000
            (admitted if reply.status_code == 200 else refused).append(elapsed)

        tasks = []
        start = time.perf_counter()
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return admitted, refused


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    sustainable = 1 / DELAY_S
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PASARELA_")}
        env |= {
            "PASARELA_HOME": str(home),
            "PASARELA_BOOTSTRAP_ADMIN_KEY": "false",
            "PASARELA_TEST_DELAY_S": str(DELAY_S),
        }
        cli = str(Path(sys.executable).with_name("pasarela"))
        register = [cli, "models", "register", "--name", "slow"]
        subprocess.run([*register, "--entrypoint", "pasarela.testing:SlowModel"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        manifest = Path(tmp) / "endpoints.yaml"
        manifest.write_text(MANIFEST)
        subprocess.run([cli, "apply", "-f", str(manifest)], env=env, check=True,
                       capture_output=True)  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [cli, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            print(
                f"model: {DELAY_S * 1000:.0f} ms a call, one row a call: ~{sustainable:.0f} req/s "
                f"sustainable; shed budget {BUDGET_MS} ms; {args.seconds:g} s a phase\n"
            )
            print(f"{'endpoint':<8}{'load':>7}{'sent/s':>8}{'ok p50':>9}{'ok p99':>9}"
                  f"{'refused':>9}{'503 p99':>9}")  # fmt: skip
            for name in ("queued", "shed"):
                url = f"{base}/v1/endpoints/{name}/predict"
                for label, rate in (("1/3×", sustainable / 3), ("3×", sustainable * 3)):
                    admitted, refused = asyncio.run(drive(url, rate, args.seconds))
                    share = len(refused) / max(1, len(admitted) + len(refused))
                    print(
                        f"{name:<8}{label:>7}{rate:>8.0f}{p(admitted, 0.5):>8.0f}ms"
                        f"{p(admitted, 0.99):>7.0f}ms{share:>9.0%}{p(refused, 0.99):>7.0f}ms"
                    )
                    time.sleep(1)
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
