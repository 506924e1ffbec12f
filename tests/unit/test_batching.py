"""The batcher groups concurrent requests, bounds its queue and enforces deadlines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pasarela.errors import ModelError, ModelTimeout, Unavailable
from pasarela.serving.batching import Batcher
from pasarela.testing import FailingRuntime, FakeRuntime, SlowRuntime
from pasarela.types import BatchingConfig

pytestmark = pytest.mark.anyio


@pytest.fixture
async def executor() -> AsyncIterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True)


async def test_concurrent_requests_share_batches_and_get_their_own_answers(
    executor: ThreadPoolExecutor,
) -> None:
    runtime = SlowRuntime(delay_s=0.02)
    sizes: list[int] = []
    batcher = Batcher("t", runtime, BatchingConfig(max_batch_size=8), executor, sizes.append)
    batcher.start()
    results = await asyncio.gather(*(batcher.submit([[i, i]], 5.0) for i in range(40)))
    await batcher.close()
    assert [r.outputs for r in results] == [[float(2 * i)] for i in range(40)]
    assert sum(sizes) == 40
    assert max(sizes) <= 8
    assert len(runtime.batches) < 40  # grouped, not one call per request
    assert all(r.batch_size >= 1 for r in results)


async def test_multi_row_requests_are_split_back_correctly(executor: ThreadPoolExecutor) -> None:
    batcher = Batcher("t", SlowRuntime(0.01), BatchingConfig(max_batch_size=5), executor)
    batcher.start()
    a, b, c = await asyncio.gather(
        batcher.submit([[1], [2], [3]], 5.0),
        batcher.submit([[10], [20]], 5.0),
        batcher.submit([[100]] * 7, 5.0),  # larger than a batch: runs alone
    )
    await batcher.close()
    assert a.outputs == [1.0, 2.0, 3.0]
    assert b.outputs == [10.0, 20.0]
    assert c.outputs == [100.0] * 7


async def test_full_queue_answers_overloaded_at_once(executor: ThreadPoolExecutor) -> None:
    batcher = Batcher(
        "t", SlowRuntime(0.2), BatchingConfig(max_batch_size=1, max_queue=2), executor
    )
    batcher.start()
    first = asyncio.ensure_future(batcher.submit([[1]], 5.0))
    await asyncio.sleep(0.05)  # the first batch is running; the queue is empty
    queued = [asyncio.ensure_future(batcher.submit([[i]], 5.0)) for i in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(Unavailable) as info:
        await batcher.submit([[9]], 5.0)
    assert info.value.code == "overloaded"
    assert info.value.retry_after >= 1
    assert (await first).outputs == [1.0]
    assert [(await q).outputs for q in queued] == [[0.0], [1.0]]
    await batcher.close()


async def test_deadline_turns_into_model_timeout(executor: ThreadPoolExecutor) -> None:
    batcher = Batcher("t", SlowRuntime(0.3), BatchingConfig(), executor)
    batcher.start()
    with pytest.raises(ModelTimeout, match=r"within 0\.05 s"):
        await batcher.submit([[1]], 0.05)
    await batcher.close()


async def test_model_failures_reach_every_request_of_the_batch(
    executor: ThreadPoolExecutor,
) -> None:
    batcher = Batcher("t", FailingRuntime(), BatchingConfig(), executor)
    batcher.start()
    results = await asyncio.gather(
        *(batcher.submit([[i]], 5.0) for i in range(3)), return_exceptions=True
    )
    await batcher.close()
    assert all(isinstance(r, ModelError) for r in results)


async def test_foreign_exceptions_become_model_errors(executor: ThreadPoolExecutor) -> None:
    batcher = Batcher("t", FailingRuntime(ValueError("bad shape")), BatchingConfig(), executor)
    batcher.start()
    with pytest.raises(ModelError, match="ValueError: bad shape"):
        await batcher.submit([[1]], 5.0)
    await batcher.close()


async def test_wrong_output_count_is_a_model_error(executor: ThreadPoolExecutor) -> None:
    class Short(FakeRuntime):
        def predict_batch(self, rows: list[list[object]]) -> list[object]:
            return []

    batcher = Batcher("t", Short(), BatchingConfig(), executor)
    batcher.start()
    with pytest.raises(ModelError, match="0 outputs for 1 rows"):
        await batcher.submit([[1]], 5.0)
    await batcher.close()


async def test_closed_batcher_refuses_new_work(executor: ThreadPoolExecutor) -> None:
    batcher = Batcher("t", FakeRuntime(), BatchingConfig(), executor)
    batcher.start()
    assert (await batcher.submit([[2]], 5.0)).outputs == [2.0]
    await batcher.close()
    with pytest.raises(Unavailable, match="shutting down"):
        await batcher.submit([[1]], 5.0)


async def test_max_wait_gathers_a_fuller_batch_under_concurrency(
    executor: ThreadPoolExecutor,
) -> None:
    runtime = FakeRuntime()
    batcher = Batcher("t", runtime, BatchingConfig(max_batch_size=8, max_wait_ms=80), executor)
    batcher.start()
    # two concurrent requests mark the traffic as concurrent ...
    await asyncio.gather(batcher.submit([[0]], 5.0), batcher.submit([[0]], 5.0))
    runtime.batches.clear()

    async def late(i: int) -> None:
        await asyncio.sleep(0.01 * i)
        await batcher.submit([[i]], 5.0)

    # ... so the next batch waits for the requests arriving over the following 40 ms
    await asyncio.gather(*(late(i) for i in range(5)))
    await batcher.close()
    assert len(runtime.batches) == 1
    assert sorted(r[0] for r in runtime.batches[0]) == [0, 1, 2, 3, 4]


async def test_a_lone_caller_never_waits(executor: ThreadPoolExecutor) -> None:
    # A minute of max_wait against a 2 s deadline: any wait for company would time out.
    batcher = Batcher("t", FakeRuntime(), BatchingConfig(max_wait_ms=60_000), executor)
    batcher.start()
    results = [await batcher.submit([[i]], 2.0) for i in range(3)]
    await batcher.close()
    assert [r.outputs for r in results] == [[0.0], [1.0], [2.0]]


async def test_close_gives_up_on_a_stuck_queue(executor: ThreadPoolExecutor) -> None:
    batcher = Batcher("t", SlowRuntime(0.3), BatchingConfig(max_batch_size=1), executor)
    batcher.start()
    running = asyncio.ensure_future(batcher.submit([[1]], 5.0))
    await asyncio.sleep(0.05)
    waiting = asyncio.ensure_future(batcher.submit([[2]], 5.0))
    await asyncio.sleep(0)
    await batcher.close(drain_timeout_s=0.01)
    with pytest.raises(Unavailable, match="shut down"):
        await waiting
    running.cancel()


class _CountingRuntime(SlowRuntime):
    """Records how many calls of every runtime sharing ``running`` overlap."""

    def __init__(self, running: list[int], peak: list[int]) -> None:
        super().__init__(delay_s=0.01)
        self.running = running
        self.peak = peak

    def predict_batch(self, rows: list[list[Any]]) -> list[Any]:
        self.running[0] += 1
        self.peak[0] = max(self.peak[0], self.running[0])
        try:
            return super().predict_batch(rows)
        finally:
            self.running[0] -= 1


async def test_batchers_sharing_a_turn_never_overlap_and_gather_while_waiting(
    executor: ThreadPoolExecutor,
) -> None:
    running, peak = [0], [0]
    turn = asyncio.Semaphore(1)
    runtimes = [_CountingRuntime(running, peak) for _ in range(3)]
    batchers = [
        Batcher(f"b{i}", r, BatchingConfig(max_batch_size=64), executor, slots=turn)
        for i, r in enumerate(runtimes)
    ]
    for batcher in batchers:
        batcher.start()
    requests = [batchers[i % 3].submit([[i]], 5.0) for i in range(300)]
    results = await asyncio.gather(*requests)
    for batcher in batchers:
        await batcher.close()
    assert [r.outputs for r in results] == [[float(i)] for i in range(300)]
    assert peak == [1]  # one model call at a time across the three versions
    calls = sum(len(r.batches) for r in runtimes)
    assert calls <= 30  # requests that waited for the turn joined a batch: not 300 calls


async def test_close_waits_for_the_batch_inside_the_model(executor: ThreadPoolExecutor) -> None:
    batcher = Batcher("t", SlowRuntime(0.2), BatchingConfig(max_batch_size=4), executor)
    batcher.start()
    inside = asyncio.ensure_future(batcher.submit([[1, 2]], 5.0))
    await asyncio.sleep(0.05)  # the batch is in the model now
    await batcher.close()
    assert (await inside).outputs == [3.0]


async def test_a_queue_over_its_time_budget_sheds_newcomers_at_once(
    executor: ThreadPoolExecutor,
) -> None:
    config = BatchingConfig(max_batch_size=1, max_queue_wait_ms=50)
    batcher = Batcher("t", SlowRuntime(0.2), config, executor)
    batcher.start()
    running = asyncio.ensure_future(batcher.submit([[1]], 5.0))
    await asyncio.sleep(0.01)
    waiting = asyncio.ensure_future(batcher.submit([[2]], 5.0))  # the queue's head from now
    await asyncio.sleep(0.08)  # it has waited 80 ms > 50 ms
    with pytest.raises(Unavailable) as refused:
        await batcher.submit([[3]], 5.0)
    assert refused.value.code == "overloaded" and "queue-time budget" in refused.value.message
    assert not running.done()  # refused at the door, not after waiting for the model
    assert (await running).outputs == [1.0] and (await waiting).outputs == [2.0]
    # the queue drained: newcomers are admitted again
    assert (await batcher.submit([[4]], 5.0)).outputs == [4.0]
    await batcher.close()


async def test_a_free_shared_slot_is_taken_without_a_timeout_and_given_back(
    executor: ThreadPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_timeout(delay: float | None) -> Any:
        raise AssertionError("a free slot must not arm a timeout")

    turn = asyncio.Semaphore(1)
    batcher = Batcher("t", FakeRuntime(), BatchingConfig(), executor, slots=turn)
    batcher.start()
    monkeypatch.setattr(asyncio, "timeout", no_timeout)
    results = [await batcher.submit([[i, 1]], 5.0) for i in range(3)]
    monkeypatch.undo()
    await batcher.close()
    assert [r.outputs for r in results] == [[1.0], [2.0], [3.0]]
    assert not turn.locked()  # released after every batch


async def test_a_slot_held_too_long_is_run_beside(executor: ThreadPoolExecutor) -> None:
    turn = asyncio.Semaphore(1)
    await turn.acquire()  # another version's batch hangs in its model
    batcher = Batcher("t", FakeRuntime(), BatchingConfig(), executor, slots=turn)
    batcher.start()
    result = await asyncio.wait_for(batcher.submit([[1, 2]], 5.0), timeout=2.0)
    await batcher.close()
    assert result.outputs == [3.0]
    assert turn.locked()  # the batch that ran beside did not release what it never held
