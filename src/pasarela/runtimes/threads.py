"""How many threads the BLAS libraries under numpy may use in a serving process.

A server process runs its event loop on one core and its model calls on model threads. On a
small box, a BLAS call that fans out over every core takes the event loop's core too: the
loop, which parses, routes and answers every request, waits behind a matrix product. So each
worker process gets ``(cores - workers) // workers`` BLAS threads, at least one: a 2-core box
with one worker keeps one core for the loop and one for the model; a 16-core box with one
worker lets a large model use 15. Small models (a single row, a logistic regression) never
fan out, whatever the limit.

Nothing is changed when the user already chose (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``
or ``MKL_NUM_THREADS`` set).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

__all__ = ["BLAS_ENV", "blas_threads", "limit_blas_threads"]

BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""The variables the BLAS builds numpy and scikit-learn ship with read at load."""


def blas_threads(cpus: int, workers: int) -> int:
    """BLAS threads per worker process: the cores left once each worker has its event loop's.

    >>> blas_threads(cpus=2, workers=1), blas_threads(cpus=16, workers=1)
    (1, 15)
    """
    return max(1, (cpus - workers) // max(1, workers))


def limit_blas_threads(
    workers: int,
    cpus: int | None = None,
    environ: MutableMapping[str, str] = os.environ,
) -> int | None:
    """Apply ``blas_threads`` to this process (libraries already loaded, via threadpoolctl)
    and to the worker processes it starts (through ``environ``); the limit, or None when the
    user set one of ``BLAS_ENV``."""
    if any(name in environ for name in BLAS_ENV):
        return None
    threads = blas_threads(cpus or os.cpu_count() or 1, workers)
    for name in BLAS_ENV:
        environ[name] = str(threads)
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:  # no scikit-learn: numpy alone reads the variables at import
        return threads
    threadpool_limits(limits=threads, user_api="blas")
    return threads
