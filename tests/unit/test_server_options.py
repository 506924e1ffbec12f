"""What ``pasarela serve`` asks of uvicorn and of the BLAS libraries (issue 16, item 6)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import uvicorn
from threadpoolctl import threadpool_info, threadpool_limits

from pasarela.api.server_options import uvicorn_options
from pasarela.runtimes.threads import BLAS_ENV, blas_threads, limit_blas_threads


def test_uvicorn_gets_the_fast_loop_and_parser_and_no_extras() -> None:
    options = uvicorn_options("127.0.0.1", 8123, 1, "warning", 29.5)
    assert options["loop"] == "uvloop"
    assert options["http"] == "httptools"
    assert options["ws"] == "none"
    assert options["access_log"] is False
    assert options["server_header"] is False
    assert options["proxy_headers"] is False
    assert options["timeout_graceful_shutdown"] == 30
    config = uvicorn.Config("pasarela.api.app:create_app", **options)
    assert (config.host, config.port, config.workers) == ("127.0.0.1", 8123, 1)


@pytest.mark.parametrize(
    ("cpus", "workers", "threads"),
    [(1, 1, 1), (2, 1, 1), (2, 2, 1), (4, 1, 3), (16, 1, 15), (16, 4, 3), (8, 16, 1)],
)
def test_each_worker_leaves_a_core_to_its_event_loop(cpus: int, workers: int, threads: int) -> None:
    assert blas_threads(cpus, workers) == threads


def _blas_threads() -> set[int]:
    return {d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"}


@pytest.fixture
def restored_blas() -> Iterator[None]:
    before = max(_blas_threads(), default=1)
    yield
    threadpool_limits(limits=before, user_api="blas")


def test_the_limit_reaches_loaded_libraries_and_worker_processes(restored_blas: None) -> None:
    import numpy  # noqa: F401 - its BLAS must be loaded for threadpoolctl to see it

    environ: dict[str, str] = {}
    assert limit_blas_threads(1, cpus=2, environ=environ) == 1
    assert environ == {name: "1" for name in BLAS_ENV}
    assert _blas_threads() == {1}


def test_a_users_choice_is_left_alone(restored_blas: None) -> None:
    environ = {"OMP_NUM_THREADS": "3"}
    assert limit_blas_threads(1, cpus=16, environ=environ) is None
    assert environ == {"OMP_NUM_THREADS": "3"}
