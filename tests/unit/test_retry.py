"""Retry policy (jittered exponential backoff) and the batcher's retries of calls that are safe
to repeat, never past a request's deadline. No test sleeps for a delay: the delays are drawn
from a seeded RNG and checked, and the batcher's are tiny."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import ValidationError

from pasarela.errors import ModelError, ModelTimeout
from pasarela.retry import RetryConfig, RetryPolicy
from pasarela.serving.batching import Batcher
from pasarela.testing import FakeRuntime
from pasarela.types import JSON, BatchingConfig


def test_delays_grow_exponentially_within_their_caps() -> None:
    policy = RetryPolicy(attempts=6, base_s=0.02, max_s=0.5)
    assert [policy.cap(n) for n in range(6)] == [0.02, 0.04, 0.08, 0.16, 0.32, 0.5]
    rng = random.Random(1)
    for _ in range(200):
        delays = policy.delays(rng)
        assert len(delays) == 6
        assert all(0 <= d <= policy.cap(n) for n, d in enumerate(delays))


def test_full_jitter_spreads_the_delays_and_is_reproducible() -> None:
    policy = RetryPolicy(attempts=1, base_s=1.0, max_s=1.0)
    draws = [policy.delay(0, random.Random(seed)) for seed in range(100)]
    assert min(draws) < 0.1 and max(draws) > 0.9  # the whole range, not a fixed step
    assert policy.delays(random.Random(5)) == policy.delays(random.Random(5))


def test_no_attempts_means_no_delays() -> None:
    assert RetryPolicy(attempts=0).delays(random.Random(0)) == []


def test_config_defaults_and_validation() -> None:
    assert RetryPolicy.from_config(None) == RetryPolicy(2, 0.02, 0.5)
    assert RetryPolicy.from_config({"attempts": 4}) == RetryPolicy(4, 0.02, 0.5)
    with pytest.raises(ValidationError):
        RetryConfig.model_validate({"attempts": -1})
    with pytest.raises(ValidationError):
        RetryConfig.model_validate({"tries": 3})


class FlakyRuntime(FakeRuntime):
    """Fails its first ``failures`` calls with ModelError, then answers."""

    retry_safe = True

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.calls = 0

    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]:
        self.calls += 1
        if self.calls <= self.failures:
            raise ModelError("the model's process died (killed by SIGKILL)")
        return super().predict_batch(rows)


class UnsafeFlakyRuntime(FlakyRuntime):
    retry_safe = False


@pytest.fixture
async def executor() -> AsyncIterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True)


TINY = RetryPolicy(attempts=2, base_s=0.001, max_s=0.002)


@pytest.mark.anyio
async def test_a_retry_safe_runtime_is_retried_until_it_answers(
    executor: ThreadPoolExecutor,
) -> None:
    runtime = FlakyRuntime(failures=2)
    retried: list[int] = []
    batcher = Batcher(
        "t",
        runtime,
        BatchingConfig(),
        executor,
        retry=TINY,
        rng=random.Random(0),
        on_retry=lambda: retried.append(1),
    )
    batcher.start()
    result = await batcher.submit([[1, 2]], 5.0)
    await batcher.close()
    assert result.outputs == [3.0]
    assert runtime.calls == 3 and len(retried) == 2


@pytest.mark.anyio
async def test_retries_run_out_and_the_error_reaches_the_caller(
    executor: ThreadPoolExecutor,
) -> None:
    runtime = FlakyRuntime(failures=10)
    batcher = Batcher("t", runtime, BatchingConfig(), executor, retry=TINY)
    batcher.start()
    with pytest.raises(ModelError, match="process died"):
        await batcher.submit([[1, 2]], 5.0)
    await batcher.close()
    assert runtime.calls == 3  # the call and two retries


@pytest.mark.anyio
async def test_a_runtime_not_safe_to_repeat_is_never_retried(
    executor: ThreadPoolExecutor,
) -> None:
    runtime = UnsafeFlakyRuntime(failures=1)
    batcher = Batcher("t", runtime, BatchingConfig(), executor, retry=TINY)
    batcher.start()
    with pytest.raises(ModelError):
        await batcher.submit([[1, 2]], 5.0)
    await batcher.close()
    assert runtime.calls == 1


@pytest.mark.anyio
async def test_no_retry_when_the_deadline_leaves_no_room_for_the_wait(
    executor: ThreadPoolExecutor,
) -> None:
    # A delay of at least 10 s (base = max): a 5 s deadline never has room for it.
    runtime = FlakyRuntime(failures=1)
    slow = RetryPolicy(attempts=2, base_s=10.0, max_s=10.0)

    class Floor(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return b

    batcher = Batcher("t", runtime, BatchingConfig(), executor, retry=slow, rng=Floor())
    batcher.start()
    with pytest.raises(ModelError):
        await batcher.submit([[1, 2]], 5.0)
    await batcher.close()
    assert runtime.calls == 1


@pytest.mark.anyio
async def test_a_request_whose_deadline_passes_during_the_wait_times_out(
    executor: ThreadPoolExecutor,
) -> None:
    # The earliest deadline decides: a batch holding a request with little time left is not
    # retried, and that request gets its ModelTimeout, not a late answer.
    runtime = FlakyRuntime(failures=10)
    policy = RetryPolicy(attempts=10, base_s=0.05, max_s=0.05)
    batcher = Batcher("t", runtime, BatchingConfig(), executor, retry=policy)
    batcher.start()
    with pytest.raises((ModelTimeout, ModelError)):
        await batcher.submit([[1, 2]], 0.12)
    await asyncio.sleep(0)
    await batcher.close()
    assert runtime.calls < 11  # stopped retrying at the deadline, not after ten retries
