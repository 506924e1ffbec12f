"""What a rate-limit check costs, in microseconds per ``acquire`` (``python
benchmarks/ratelimit_cost.py [REDIS_URL]``): the memory backend, and Redis called one check
at a time and by 50 concurrent tasks (where a check's time includes waiting for the event
loop, and the throughput is the figure to read). Keys are spread over 1,000 buckets with a
limit that admits everything, so each check does the full read-refill-write."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
import uuid

import redis.asyncio as aioredis

from pasarela.security.ratelimit import Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter

CALLS = 20_000
CONCURRENCY = 50
LIMIT = Limit(rate=1e9, burst=1_000_000)
KEYS = [f"tenant-{i}" for i in range(1000)]


async def timed(limiter: RateLimiter, calls: int, offset: int = 0) -> list[float]:
    """Seconds each of ``calls`` checks took."""
    took = []
    for i in range(calls):
        start = time.perf_counter()
        await limiter.acquire(KEYS[(i + offset) % len(KEYS)], LIMIT)
        took.append(time.perf_counter() - start)
    return took


def row(name: str, took: list[float], wall_s: float) -> None:
    cuts = statistics.quantiles(took, n=100)
    print(
        f"| {name} | {len(took)} | {cuts[49] * 1e6:.1f} | {cuts[98] * 1e6:.1f} | "
        f"{len(took) / wall_s:,.0f} |"
    )


async def measure(name: str, limiter: RateLimiter, tasks: int = 1) -> None:
    await timed(limiter, 2000)  # warm-up: connections, the script loaded, buckets created
    start = time.perf_counter()
    parts = await asyncio.gather(*(timed(limiter, CALLS // tasks, i) for i in range(tasks)))
    row(name, [t for part in parts for t in part], time.perf_counter() - start)


async def main(url: str) -> None:
    print("| backend | checks | p50 µs | p99 µs | checks/s |\n|---|---:|---:|---:|---:|")
    memory = MemoryRateLimiter()
    await measure("memory", memory)
    await memory.close()
    prefix = f"pasarela:bench:rl:{uuid.uuid4().hex}:"
    limiter = RedisRateLimiter(url, prefix=prefix)
    try:
        await measure("redis, sequential", limiter)
        await measure(f"redis, {CONCURRENCY} tasks", limiter, tasks=CONCURRENCY)
        if limiter.fallbacks:
            print(f"Redis failed {limiter.errors} times: the Redis rows are not Redis's")
    finally:
        await limiter.close()
        client = aioredis.Redis.from_url(url)
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "redis://127.0.0.1:6379/0"))
