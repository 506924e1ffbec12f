"""Adaptive batching: requests to one version are grouped into model calls.

One batch runs at a time per version, off the event loop. While it runs, new requests queue up
and form the next batch, so batches grow with load by themselves. When the last batch held more
than one request (there is concurrent traffic), a new batch first lets requests that already
arrived join it (a few event-loop turns, no timer), then waits up to ``max_wait_ms`` (default 0:
latency first) for a full batch; a lone caller never waits. The queue is bounded: beyond
``max_queue`` waiting requests, ``submit`` fails at once with ``Unavailable`` (503).

A batch whose model call fails with ``ModelError`` is retried (``retry``, jittered
exponential backoff) when the runtime says ``retry_safe = True``, but only while every request
of the batch still has time for the wait: a retry never pushes a request past its deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from pasarela.errors import ModelError, ModelTimeout, PasarelaError, Unavailable
from pasarela.retry import RetryPolicy
from pasarela.types import JSON, BatchingConfig, Runtime


@dataclass(frozen=True, slots=True)
class BatchResult:
    outputs: list[JSON]
    batch_size: int
    queue_s: float
    model_s: float


_GATHER_TURNS = 4
TURN_WAIT_S = 0.25
"""How long a batch waits for the shared model slot before it runs without it."""


class _Pending:
    __slots__ = ("deadline", "enqueued", "future", "rows", "timer")

    def __init__(
        self, rows: list[list[Any]], future: asyncio.Future[BatchResult], timeout_s: float
    ) -> None:
        self.rows = rows
        self.future = future
        self.enqueued = time.perf_counter()
        self.deadline = self.enqueued + timeout_s
        self.timer: asyncio.TimerHandle | None = None


class Batcher:
    """Feeds one runtime with batches. ``on_batch(rows)`` is told the size of every call,
    ``on_retry()`` of every retried call."""

    def __init__(
        self,
        name: str,
        runtime: Runtime,
        config: BatchingConfig,
        executor: Executor,
        on_batch: Callable[[int], None] | None = None,
        slots: asyncio.Semaphore | None = None,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
        on_retry: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.runtime = runtime
        self.config = config
        self.executor = executor
        self.on_batch = on_batch
        self.slots = slots
        """Model threads shared with other batchers: a batch is taken only once one is free,
        so requests that arrive while every thread is busy join it."""
        self.retry = retry if getattr(runtime, "retry_safe", False) else None
        """Only a runtime whose calls are safe to repeat is retried."""
        self.rng = rng or random.Random()
        self.on_retry = on_retry
        self._queue: deque[_Pending] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_batch_requests = 0
        self._closed = False
        self._busy = False
        """A batch is in the model: ``close`` waits for it, it is somebody's answer."""
        self._batch_s: float | None = None
        """Recent time per model call (an exponential moving average), for load shedding."""

    @property
    def queued(self) -> int:
        return len(self._queue)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)

    async def submit(self, rows: list[list[Any]], timeout_s: float) -> BatchResult:
        if self._closed:
            raise Unavailable(f"{self.name} is shutting down", code="not_ready")
        if len(self._queue) >= self.config.max_queue:
            raise Unavailable(
                f"{self.name} has {len(self._queue)} requests waiting; try again shortly",
                code="overloaded",
            )
        budget_ms = self.config.max_queue_wait_ms
        if budget_ms is not None and (self._queue or self._busy):
            wait_ms = self._expected_wait_s(len(rows)) * 1000
            if wait_ms > budget_ms:
                raise Unavailable(
                    f"{self.name} is over its queue-time budget (a wait of ~{wait_ms:.0f} ms "
                    f"> {budget_ms:g} ms); try again shortly",
                    code="overloaded",
                    retry_after=1,
                )
        loop = asyncio.get_running_loop()
        pending = _Pending(rows, loop.create_future(), timeout_s)
        pending.timer = loop.call_later(timeout_s, _expire, pending, timeout_s)
        self._queue.append(pending)
        self._wakeup.set()
        return await pending.future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                if self._last_batch_requests > 1:
                    await self._wait_for_company()
            held = await self._take_turn()
            try:
                batch = self._take_batch()
                if batch:
                    await self._execute(loop, batch)
            finally:
                if held and self.slots is not None:
                    self.slots.release()

    async def _take_turn(self) -> bool:
        """The shared model slot, when there is one — but waited for at most ``TURN_WAIT_S``:
        a version whose batch hangs in its model holds its slot for as long, and the other
        versions (a fallback among them) must not hang behind it. True when it is held (the
        caller releases it).

        A free slot is taken without a timeout: arming and cancelling one per batch showed in
        the event loop's profile, and a free semaphore's ``acquire`` returns at once."""
        if self.slots is None:
            return False
        if not self.slots.locked():
            await self.slots.acquire()
            return True
        try:
            async with asyncio.timeout(TURN_WAIT_S):
                await self.slots.acquire()
        except TimeoutError:
            return False  # run beside the holder: slower for both, never stuck
        return True

    async def _wait_for_company(self) -> None:
        # First let requests that have already arrived reach the queue: a few turns of the
        # event loop, no timer. Then, if configured, wait up to max_wait_ms for a full batch.
        for _ in range(_GATHER_TURNS):
            before = len(self._queue)
            await asyncio.sleep(0)
            if len(self._queue) == before or self._queued_rows() >= self.config.max_batch_size:
                break
        if self.config.max_wait_ms <= 0:
            return
        deadline = self._queue[0].enqueued + self.config.max_wait_ms / 1000
        while self._queued_rows() < self.config.max_batch_size:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining, 0.0005))

    def _expected_wait_s(self, rows: int) -> float:
        """How long a newcomer of ``rows`` rows would wait before its batch starts: the
        batches ahead of it (the queue's rows, batch by batch) at the recent time per batch,
        plus what is left of the one running. Before any batch has run, the head of the
        queue's own wait stands in for it."""
        while self._queue and self._queue[0].future.done():  # timed out while waiting
            self._queue.popleft()
        per_batch = self._batch_s
        if per_batch is None:
            return time.perf_counter() - self._queue[0].enqueued if self._queue else 0.0
        ahead = (self._queued_rows() + rows - 1) // self.config.max_batch_size
        running = per_batch if self._busy else 0.0
        return ahead * per_batch + running

    def _queued_rows(self) -> int:
        return sum(len(p.rows) for p in self._queue)

    def _take_batch(self) -> list[_Pending]:
        batch: list[_Pending] = []
        rows = 0
        while self._queue:
            pending = self._queue[0]
            if pending.future.done():  # timed out or cancelled while waiting
                self._queue.popleft()
                continue
            if batch and rows + len(pending.rows) > self.config.max_batch_size:
                break
            self._queue.popleft()
            batch.append(pending)
            rows += len(pending.rows)
        return batch

    async def _execute(self, loop: asyncio.AbstractEventLoop, batch: list[_Pending]) -> None:
        rows = [row for pending in batch for row in pending.rows]
        started = time.perf_counter()
        self._last_batch_requests = len(batch)
        self._busy = True
        try:
            outputs = await self._call(loop, batch, rows)
        except asyncio.CancelledError:
            _fail(batch, Unavailable(f"{self.name} shut down", code="not_ready"))
            raise
        except PasarelaError as exc:
            _fail(batch, exc)
            return
        except Exception as exc:  # noqa: BLE001 - a model's own exception becomes model_error
            _fail(batch, ModelError(f"the model raised {type(exc).__name__}: {exc}"))
            return
        finally:
            self._busy = False
        model_s = time.perf_counter() - started
        self._batch_s = model_s if self._batch_s is None else 0.8 * self._batch_s + 0.2 * model_s
        if self.on_batch is not None:
            self.on_batch(len(rows))
        start = 0
        for pending in batch:
            end = start + len(pending.rows)
            if pending.timer is not None:
                pending.timer.cancel()
            if not pending.future.done():
                pending.future.set_result(
                    BatchResult(outputs[start:end], len(rows), started - pending.enqueued, model_s)
                )
            start = end

    async def _call(
        self, loop: asyncio.AbstractEventLoop, batch: list[_Pending], rows: list[list[Any]]
    ) -> list[JSON]:
        """The model's outputs for ``rows``, the call retried per ``self.retry`` on a
        ``ModelError`` while the batch's earliest deadline leaves room for the wait."""
        delays = self.retry.delays(self.rng) if self.retry is not None else []
        for retry in range(len(delays) + 1):
            try:
                outputs = await loop.run_in_executor(
                    self.executor, self.runtime.predict_batch, rows
                )
            except ModelError:
                if retry == len(delays) or not self._room_for(batch, delays[retry]):
                    raise
            else:
                if len(outputs) != len(rows):
                    raise ModelError(
                        f"the model returned {len(outputs)} outputs for {len(rows)} rows"
                    )
                return outputs
            if self.on_retry is not None:
                self.on_retry()
            await asyncio.sleep(delays[retry])
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    @staticmethod
    def _room_for(batch: list[_Pending], delay_s: float) -> bool:
        """Whether every request of ``batch`` still waiting has time left after ``delay_s``
        (requests whose deadline passed already have their ModelTimeout)."""
        waiting = [p.deadline for p in batch if not p.future.done()]
        return bool(waiting) and min(waiting) - time.perf_counter() > delay_s

    async def close(self, drain_timeout_s: float = 30.0) -> None:
        """Stop taking requests, let queued ones and the batch in the model finish (up to
        ``drain_timeout_s``), then stop. Requests still waiting after that get 503
        ``not_ready``."""
        self._closed = True
        deadline = time.perf_counter() + drain_timeout_s
        while (self._queue or self._busy) and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        _fail(list(self._queue), Unavailable(f"{self.name} shut down", code="not_ready"))
        self._queue.clear()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def _expire(pending: _Pending, timeout_s: float) -> None:
    if not pending.future.done():
        pending.future.set_exception(
            ModelTimeout(f"no answer from the model within {timeout_s:g} s")
        )


def _fail(batch: list[_Pending], error: PasarelaError) -> None:
    for pending in batch:
        if pending.timer is not None:
            pending.timer.cancel()
        if not pending.future.done():
            pending.future.set_exception(error)
