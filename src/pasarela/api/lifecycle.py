"""Stopping without dropping anyone: readiness turns false first, then the server drains.

On SIGTERM (what an orchestrator or ``systemctl stop`` sends) ``pasarela serve`` first marks
itself draining — ``/readyz`` answers 503 ``draining`` — and keeps serving for
``PASARELA_SHUTDOWN_DELAY_S``, so a load balancer that polls readiness stops sending it
traffic before it stops listening. Then uvicorn stops accepting connections and waits for the
requests in flight (at most ``PASARELA_SHUTDOWN_TIMEOUT_S``), and the app's shutdown
(``Server.stop``, ``pasarela/server.py``) drains the batchers (queued requests are answered),
stops the record writer (every acknowledged record is in the journal or the database) and
exits. Ctrl-C (SIGINT) skips the delay; a second one forces the exit.

With ``--workers N`` uvicorn's supervisor passes the SIGTERM on to every worker and waits for
them; each worker is a ``DrainingServer`` too (``run_workers``), so each turns its readiness
false, serves the delay, then drains.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import uvicorn
from uvicorn.supervisors import multiprocess

__all__ = ["DRAINING", "DrainingServer", "run_workers"]

# uvicorn's own logger: the one `pasarela serve` prints, beside its other lifecycle lines.
log = logging.getLogger("uvicorn.error")

DRAINING = threading.Event()
"""Set once this process was asked to stop: readiness is false from then on."""


class DrainingServer(uvicorn.Server):
    """uvicorn's server, with readiness turned false ``delay_s`` before a SIGTERM stops it."""

    def __init__(self, config: uvicorn.Config, delay_s: float) -> None:
        super().__init__(config)
        self.delay_s = delay_s

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig != signal.SIGTERM or self.delay_s <= 0 or DRAINING.is_set():
            DRAINING.set()
            super().handle_exit(sig, frame)
            return
        DRAINING.set()
        log.info("SIGTERM: readiness is false; serving %.1f s more, then draining", self.delay_s)
        timer = threading.Timer(self.delay_s, uvicorn.Server.handle_exit, (self, sig, frame))
        timer.daemon = True
        timer.start()


class _DrainingWorker(multiprocess.Process):
    """A worker of uvicorn's supervisor that runs a ``DrainingServer``. It is built in the
    supervisor and unpickled in the worker (spawned), so it reads its delay there, from the
    environment both share."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            from pasarela.settings import Settings

            self._server = DrainingServer(self.config, Settings().shutdown_delay_s)
        return self._server


def run_workers(config: uvicorn.Config) -> None:
    """``config.workers`` worker processes under uvicorn's supervisor, each a
    ``DrainingServer`` (what ``uvicorn.run`` does for workers, with that one change)."""
    # The supervisor builds (and rebuilds, when one dies) its workers by this module name.
    multiprocess.Process = _DrainingWorker  # type: ignore[misc]
    multiprocess.Multiprocess(config, sockets=[config.bind_socket()]).run()
