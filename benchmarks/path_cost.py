"""What each piece of the request path costs, in microseconds per request, measured in-process
with the real objects (``make bench-path``, or ``python benchmarks/path_cost.py [--redis URL]``).

The pieces are the stages a ``POST /v1/endpoints/<name>/predict`` goes through, each timed
alone on the bench's request (one breast-cancer row of 30 numbers, a client key): parse the
body and the headers, authenticate the key, check a rate limit (memory; Redis when it
answers), run each input guard over the row, decide the route per policy, look the answer up
in the response cache, the batcher's round trip to a real scikit-learn model and the model
alone, append the request record (plain and sealed), count the metrics, encode the reply.
Compare the sum with a request's time under ``make bench``: what is left is the HTTP server
and the event loop.

Each piece is one small function that builds its objects and returns the call to time, so it
is easy to point at a stage's new home when the path is rebuilt.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pasarela.guards.config import chain, parse
from pasarela.routing import build_policy
from pasarela.runtimes.sklearn import SklearnRuntime
from pasarela.security.auth import Authenticator
from pasarela.security.keys import KeyRing, key_hash, new_key
from pasarela.security.ratelimit import Limit, MemoryRateLimiter, RateLimiter
from pasarela.serving.batching import Batcher
from pasarela.serving.cache import CacheConfig, MemoryResponseCache, ResponseCache
from pasarela.serving.protection import guard
from pasarela.storage.keys import KeyRecord
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.records import Recorder
from pasarela.types import BatchingConfig, RequestContext, VersionId

Call = Callable[[], object]
AsyncCall = Callable[[], Awaitable[object]]

VERSION = VersionId("bc", 1)
VERSIONS = {"bc@1": VERSION, "bc@2": VersionId("bc", 2)}
LIMIT = Limit(rate=1e9, burst=1_000_000)
GUARDS: dict[str, dict[str, Any]] = {
    "injection": {"type": "injection", "action": "block"},
    "pii": {"type": "pii", "action": "redact"},
    "secrets": {"type": "secrets", "action": "block"},
    "content": {"type": "content", "action": "flag", "categories": ["violence", "hate"]},
}
POLICIES: dict[str, tuple[str, dict[str, Any], dict[str, Any] | None]] = {
    "single": ("single", {"target": "bc@1"}, None),
    "blue_green": ("blue_green", {"active": "bc@1", "standby": "bc@2"}, None),
    "canary (50 %)": (
        "canary",
        {"baseline": "bc@1", "candidate": "bc@2", "steps": [50, 100], "interval": "1h"},
        {"step": 0, "weight": 50},
    ),
    "experiment, sticky unit": (
        "experiment",
        {
            "experiment": "bench",
            "variants": [
                {"name": "control", "target": "bc@1", "weight": 50},
                {"name": "treatment", "target": "bc@2", "weight": 50},
            ],
            "primary_metric": {"kind": "task_completed", "stat": "rate"},
        },
        {"phase": "running"},
    ),
    "bandit": (
        "bandit",
        {"arms": [{"name": "a", "target": "bc@1"}, {"name": "b", "target": "bc@2"}]},
        {"allocation": {"a": 0.3, "b": 0.7}},
    ),
}


# -- the request ------------------------------------------------------------------------------
def fitted_model() -> tuple[Any, list[float]]:
    """The bench's pipeline and its first row (``benchmarks/harness/envs.py``)."""
    data = load_breast_cancer()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(data.data, data.target)
    return model, [float(v) for v in data.data[0]]


def raw_headers(secret: str) -> list[tuple[bytes, bytes]]:
    """What an ASGI server hands the app for wrk's request."""
    return [
        (b"host", b"127.0.0.1:8080"),
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {secret}".encode()),
        (b"content-length", b"700"),
    ]


# -- the pieces: each returns the call to time ------------------------------------------------
def parse_piece(body: bytes, headers: list[tuple[bytes, bytes]]) -> Call:
    def run() -> object:
        names = {k.decode("latin-1"): v.decode("latin-1") for k, v in headers}
        return orjson.loads(body), names

    return run


def key_piece() -> tuple[Call, str]:
    key_id, secret = new_key()
    now = datetime.now(UTC)
    record = KeyRecord(
        id=key_id,
        secret_sha256=key_hash(secret),
        name="bench",
        role="client",
        endpoints=None,
        rate_limit=None,
        created_by="bench",
        created_at=now,
        expires_at=None,
        revoked_at=None,
    )
    authenticator = Authenticator(KeyRing([record]))
    headers = {"authorization": f"Bearer {secret}"}
    return (lambda: authenticator.authenticate(headers)), secret


def limit_piece(limiter: RateLimiter) -> AsyncCall:
    return lambda: limiter.acquire("key:bench", LIMIT)


def guard_piece(section: dict[str, Any], payload: Any) -> Call:
    guards = chain(parse({"input": [section]}).input)
    assert guards is not None
    return lambda: guard(guards, payload, "input", lambda verdict: None)


def policy_piece(kind: str, options: dict[str, Any], state: dict[str, Any] | None) -> Call:
    policy = build_policy(kind, options, VERSIONS, state)
    request = RequestContext("r", "bc", unit_id="user-42")
    rng = random.Random(1)
    return lambda: policy.decide(request, rng)


def cache_piece(cache: ResponseCache, row: list[float]) -> AsyncCall:
    return lambda: cache.get(ResponseCache.key(VERSION, [row]))


def runtime_of(model: Any) -> SklearnRuntime:
    """The runtime as the server runs this model: the pipeline was fitted on an array, so it
    is fed arrays (no per-batch DataFrame)."""
    runtime = SklearnRuntime()
    runtime.model = model
    return runtime


def batcher_piece(batcher: Batcher, row: list[float]) -> AsyncCall:
    return lambda: batcher.submit([row], 30.0)


def record_piece(recorder: Recorder, row: list[float], outputs: list[Any]) -> Call:
    request = RequestContext("0123456789abcdef0123456789abcdef", "bc", caller="key_bench")
    return lambda: recorder.record(
        request, VERSION, "single", "ok", [row], outputs, latency_s=0.004, batch_size=8
    )


def metrics_piece() -> Call:
    bound = Metrics().bind("bc", "bc", 1)

    def run() -> None:
        bound.requests.inc()
        bound.duration.observe(0.004)

    return run


def reply_piece(outputs: list[Any]) -> Call:
    reply = {
        "request_id": "0123456789abcdef0123456789abcdef",
        "endpoint": "bc",
        "model": "bc",
        "version": 1,
        "outputs": outputs,
        "reason": "single",
    }
    return lambda: orjson.dumps(reply)


# -- timing -----------------------------------------------------------------------------------
def timed(call: Call, calls: int) -> list[float]:
    for _ in range(min(calls, 500)):
        call()
    took = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        took.append(time.perf_counter() - start)
    return took


async def timed_async(call: AsyncCall, calls: int) -> list[float]:
    for _ in range(min(calls, 500)):
        await call()
    took = []
    for _ in range(calls):
        start = time.perf_counter()
        await call()
        took.append(time.perf_counter() - start)
    return took


def row(name: str, took: list[float]) -> str:
    cuts = statistics.quantiles(took, n=100)
    return f"| {name} | {cuts[49] * 1e6:.1f} | {cuts[98] * 1e6:.1f} |"


async def measure(calls: int, redis_url: str | None) -> list[str]:
    model, features = fitted_model()
    runtime = runtime_of(model)
    outputs = runtime.predict_batch([features])
    body = orjson.dumps({"inputs": [features]})
    authenticate, secret = key_piece()
    lines = [
        row("parse (orjson + headers)", timed(parse_piece(body, raw_headers(secret)), calls)),
        row("authenticate a key", timed(authenticate, calls)),
    ]
    memory = MemoryRateLimiter()
    lines.append(row("rate limit, memory", await timed_async(limit_piece(memory), calls)))
    await memory.close()
    if redis_url:
        lines.append(await redis_row(redis_url, calls))
    for name, section in GUARDS.items():
        lines.append(row(f"input guard: {name}", timed(guard_piece(section, [features]), calls)))
    for name, (kind, options, state) in POLICIES.items():
        lines.append(row(f"route: {name}", timed(policy_piece(kind, options, state), calls)))
    cache = MemoryResponseCache(CacheConfig(ttl_s=60))
    await cache.put(ResponseCache.key(VERSION, [features]), outputs, subject=None)
    lines.append(
        row("cache lookup (memory, hit)", await timed_async(cache_piece(cache, features), calls))
    )
    lines.append(
        row(
            "model alone (predict_batch, 1 row)",
            timed(lambda: runtime.predict_batch([features]), calls // 4),
        )
    )
    with ThreadPoolExecutor(1, thread_name_prefix="pasarela-model") as executor:
        batcher = Batcher("bc@1", runtime, BatchingConfig(), executor)
        batcher.start()
        took = await timed_async(batcher_piece(batcher, features), calls // 4)
        lines.append(row("batcher round trip (1 caller, model included)", took))
        await batcher.close()
    with tempfile.TemporaryDirectory() as home:
        journal = Journal.open(Path(home) / "journal", max_bytes=1 << 30)
        recorder = Recorder(journal)
        lines.append(
            row("record (plain payloads)", timed(record_piece(recorder, features, outputs), calls))
        )
        sealed = sealing_recorder(Path(home), journal)
        if sealed is not None:
            lines.append(
                row(
                    "record (sealed payloads)",
                    timed(record_piece(sealed, features, outputs), calls),
                )
            )
    lines.append(row("metrics (count + latency)", timed(metrics_piece(), calls)))
    lines.append(row("reply encode (orjson)", timed(reply_piece(outputs), calls)))
    return lines


def sealing_recorder(home: Path, journal: Journal) -> Recorder | None:
    """A recorder that seals payloads with a real data key, as the server does by default."""
    from pasarela.security.crypto import PayloadCipher, rotate_data_key
    from pasarela.settings import Settings
    from pasarela.storage.data_keys import DataKeyRepository
    from pasarela.storage.db import create_engine, upgrade

    settings = Settings(home=home)
    engine = create_engine(settings.resolved_database_url)
    upgrade(engine)
    cipher = PayloadCipher(settings, DataKeyRepository(engine))
    rotate_data_key(cipher, actor="bench")
    return Recorder(journal, codec=cipher)


async def redis_row(url: str, calls: int) -> str:
    import uuid

    from pasarela.security.ratelimit import RedisRateLimiter

    limiter = RedisRateLimiter(url, prefix=f"pasarela:bench:path:{uuid.uuid4().hex}:")
    try:
        took = await timed_async(limit_piece(limiter), calls)
        fell_back = limiter.fallbacks
    finally:
        await limiter.close()
    note = " (Redis did not answer: memory fallback)" if fell_back else ""
    return row(f"rate limit, Redis{note}", took)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=20_000, help="timed calls per piece")
    parser.add_argument("--redis", default=None, help="Redis URL for the Redis rate limit row")
    args = parser.parse_args(argv)
    lines = asyncio.run(measure(args.calls, args.redis))
    print("| piece | p50 µs | p99 µs |\n|---|---:|---:|")
    print("\n".join(lines))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
