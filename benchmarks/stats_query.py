"""How long the stats API's query takes over a full day of aggregates.

Fills a fresh database with a day of traffic for one endpoint with two versions (records spread
over 1,440 minutes, feedback on a tenth of them), then times ``endpoint_stats`` for a 24-hour
window. Run with the project's environment:

    .venv/bin/python benchmarks/stats_query.py [--database-url URL] [--per-minute 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.feedback import FeedbackRepository
from pasarela.storage.telemetry import TelemetryRepository
from pasarela.telemetry.aggregates import endpoint_stats


def fill(repo: TelemetryRepository, feedback: FeedbackRepository, per_minute: int) -> int:
    rng = random.Random(1)
    now = time.time()
    batch: list[dict[str, Any]] = []
    count = 0
    for minute in range(1440):
        at = now - minute * 60
        for i in range(per_minute):
            version = 1 if rng.random() < 0.8 else 2
            batch.append(
                {
                    "request_id": f"m{minute}-{i}",
                    "at": at,
                    "endpoint": "e",
                    "model": "m",
                    "version": version,
                    "reason": "canary",
                    "status": "ok",
                    "server_error": rng.random() < 0.01,
                    "latency_s": rng.lognormvariate(-5, 0.5),
                    "queue_s": 0.0,
                    "model_s": 0.001,
                    "batch_size": 8,
                    "unit_id": None,
                    "subject_id": None,
                    "inputs": None,
                    "outputs": [{"label": rng.choice([0, 1]), "probabilities": {}}],
                }
            )
        if len(batch) >= 5000:
            count += repo.store_records(batch)
            batch = []
    count += repo.store_records(batch)
    labels = [
        {"request_id": f"m{m}-0", "kind": "label", "label": m % 2, "at": now}
        for m in range(0, 1440)
    ]
    feedback.store(labels)
    while feedback.aggregate_pending():
        pass
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--per-minute", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{Path(tmp) / 'stats.db'}"
    engine = create_engine(url)
    upgrade(engine)
    repo, feedback = TelemetryRepository(engine), FeedbackRepository(engine)
    records = fill(repo, feedback, args.per_minute)
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        stats = endpoint_stats(repo, "e", 86400, feedback=feedback)
        timings.append(time.perf_counter() - started)
    assert stats["requests"] == records
    print(
        f"{engine.dialect.name}: {records} records over 24 h; endpoint_stats(24h) median "
        f"{statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms "
        f"(20 runs)"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
