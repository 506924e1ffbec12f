"""The acceptance test of the shared limit: two OS processes hammer one Redis key, and
together they stay within one token bucket's bound in every window of time, while getting
nearly everything the bucket gives."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

from pasarela.security.ratelimit import Limit
from tests.contract.test_ratelimit import REDIS_URL, delete_prefix, require_redis

RATE, BURST = 50.0, 20
DURATION_S = 3.0
TASKS = 4  # concurrent callers in each process
EPSILON_S = 0.002
"""Clock skew allowed between the Redis server's clock, which refills the bucket, and the
children's ``time.time()``, which stamps admissions. All three run on this machine and read
one clock, so it only covers the two reading it at slightly different moments."""
WINDOWS_S = (0.1, 0.5, 1.0, 2.0)

CHILD = """
import asyncio, json, sys, time
from pasarela.security.ratelimit import Limit, RedisRateLimiter

url, prefix, key, rate, burst, start, duration, tasks = sys.argv[1:]
limit = Limit(float(rate), int(burst))
start, end = float(start), float(start) + float(duration)

async def hammer(limiter, admitted):
    while (asked := time.time()) < end:
        if (await limiter.acquire(key, limit)).allowed:
            admitted.append((asked, time.time()))

async def main():
    limiter = RedisRateLimiter(url, prefix=prefix)
    admitted = []
    await asyncio.sleep(max(0.0, start - time.time()))
    await asyncio.gather(*(hammer(limiter, admitted) for _ in range(int(tasks))))
    print(json.dumps({"admitted": admitted, "fallbacks": limiter.fallbacks}))
    await limiter.close()

asyncio.run(main())
"""


def max_in_window(spans: list[tuple[float, float]], width: float) -> int:
    """The most admissions certainly decided within one window of ``width`` seconds.

    Redis decided each admission at some moment between the child's asking and its answer
    (a span); an admission whose whole span lies inside ``[t, t + width]`` was decided in that
    window. So this never counts more than a window held, whatever the scheduling delays (a
    stamp taken after the answer alone could be late by any pause), and with spans a
    millisecond long it misses hardly any. The best ``t`` is the start of some span.
    """
    ordered = sorted(spans)
    most = 0
    for first, (start, _) in enumerate(ordered):
        # ordered by start, so every later span starts at or after ``start``
        inside = sum(1 for _, end in ordered[first:] if end <= start + width)
        most = max(most, inside)
    return most


def test_two_processes_share_one_bucket_through_redis() -> None:
    require_redis()
    prefix = f"pasarela:test:rl:{uuid.uuid4().hex}:"
    # Both start at one agreed time, after their imports, so they overlap for the whole run.
    start = time.time() + 2.0
    args = [REDIS_URL, prefix, "shared", str(RATE), str(BURST), str(start), str(DURATION_S)]
    root = Path(__file__).resolve().parents[2]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, *args, str(TASKS)],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outputs = [child.communicate(timeout=60) for child in children]
    finally:
        for child in children:
            child.kill()
        asyncio.run(delete_prefix(prefix))
    results = []
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        results.append(json.loads(out))
    assert [r["fallbacks"] for r in results] == [0, 0]  # every decision came from Redis
    assert all(r["admitted"] for r in results)  # both processes were admitted some

    spans = [(asked, answered) for r in results for asked, answered in r["admitted"]]
    longest = max(answered - asked for asked, answered in spans)
    limit = Limit(RATE, BURST)
    for width in WINDOWS_S:
        bound = limit.rate * (width + EPSILON_S) + limit.burst
        most = max_in_window(spans, width)
        print(f"window {width:g} s: at most {most} admitted, bound {bound:g}")
        assert most <= bound, (width, most, bound)
    expected = RATE * DURATION_S + BURST
    print(f"admitted {len(spans)} of {expected:g} expected; longest span {longest * 1e3:.1f} ms")
    # the whole run is a window too: nothing admitted before the start or after the end
    assert 0.9 * expected <= len(spans) <= RATE * (DURATION_S + longest + EPSILON_S) + BURST
