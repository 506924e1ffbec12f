"""Any runtime kind in a child process of its own (an endpoint's ``isolation: process``).

A model that segfaults, runs out of memory or is killed then takes only its child with it:
the call in flight fails at once with ``ModelError`` (the pipe to the child closes, no timeout
is waited for), a fresh child is started in the background, and once it has loaded the model
it serves again. While the new child loads, calls fail fast with ``ModelError`` too, so
retries and a fallback chain answer instead. A child that dies again before it has answered a
call (at load, or on every call) is restarted after a growing pause (``restart_backoff_s``,
doubled up to ``max_backoff_s``), so such a model does not spin.

The child is started with the ``spawn`` method (a fresh interpreter: no copy of the server's
threads, locks or sockets) and is a daemon (it never outlives the server). Rows and answers
cross a pipe, pickled. A call still running after ``call_timeout_s`` is taken as hung: the
child is killed and replaced, and its thread in the server is free again.

Example::

    runtime = ProcessRuntime("sklearn")
    runtime.load(RuntimeContext(version=version, artifact_path=path))
    runtime.predict_batch([[1.0, 2.0]])
    runtime.unload()
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from pasarela.errors import ArtifactError, ConfigurationError, ModelError, PasarelaError
from pasarela.types import JSON, Output, RuntimeContext

__all__ = ["ProcessRuntime"]

log = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("spawn")
_STOP_S = 5.0
"""How long ``unload`` lets a child finish before it is killed."""


class ProcessRuntime:
    """Runs a ``kind`` runtime (``sklearn``, ``onnx``, ``python`` or a plugin) in a child."""

    holds_gil = False
    """The server's thread only waits on a pipe: it runs beside the other versions."""
    retry_safe = True
    """A call to a separate process is safe to repeat: predictions are pure, and a failure
    (the child died) may well not happen again on a fresh child."""

    def __init__(
        self,
        kind: str,
        *,
        load_timeout_s: float = 120.0,
        call_timeout_s: float | None = 60.0,
        restart_backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
    ) -> None:
        self.kind = kind
        self.outputs: tuple[Output, ...] = ()
        self.load_timeout_s = load_timeout_s
        self.call_timeout_s = call_timeout_s
        self.restart_backoff_s = restart_backoff_s
        self.max_backoff_s = max_backoff_s
        self.restarts = 0
        """Children started after the first (each one logged)."""
        self._context: RuntimeContext | None = None
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        """One call at a time on the pipe (endpoints sharing the version share the child)."""
        self._state_lock = threading.Lock()
        self._restarting = False
        self._stopped = threading.Event()
        self._failures = 0
        """Deaths and failed starts since a child last answered a call: the restart pause."""

    @property
    def pid(self) -> int | None:
        """The serving child's process id (None while none is up)."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    @property
    def name(self) -> str:
        return str(self._context.version.id) if self._context is not None else self.kind

    # -- lifecycle -------------------------------------------------------------------------
    def load(self, context: RuntimeContext) -> None:
        """Start the child and load the model in it; its load error, if any, is raised here."""
        self._context = context
        self._stopped.clear()
        process, conn, outputs = self._spawn()
        self.outputs = outputs
        with self._state_lock:
            self._process, self._conn = process, conn
        log.info("model process of %s started (pid %s)", self.name, process.pid)

    def unload(self) -> None:
        """Stop the child (and any restart in progress)."""
        self._stopped.set()
        with self._state_lock:
            process, conn = self._process, self._conn
            self._process = self._conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(None)
        if process is not None:
            _stop(process)
        if conn is not None:
            conn.close()

    # -- calls -----------------------------------------------------------------------------
    def predict_batch(self, rows: list[list[Any]]) -> list[JSON]:
        with self._lock:
            with self._state_lock:
                process, conn = self._process, self._conn
            if process is None or conn is None:
                if self._stopped.is_set():
                    raise ModelError(f"the model process of {self.name} is stopped")
                raise ModelError(
                    f"the model's process is restarting ({self.restarts} restart(s) so far)"
                )
            try:
                conn.send(rows)
                if self.call_timeout_s is not None and not conn.poll(self.call_timeout_s):
                    self._replace(process, f"hung for over {self.call_timeout_s:g} s; killed")
                    raise ModelError(
                        f"the model did not answer within {self.call_timeout_s:g} s; its "
                        "process was killed and is being replaced"
                    )
                reply = conn.recv()
            except (EOFError, OSError) as exc:
                process.join(1.0)
                why = _death(process)
                self._replace(process, why)
                raise ModelError(
                    f"the model's process died ({why}); a new one is starting"
                ) from exc
        status, value = reply
        self._failures = 0  # the child answers (the model may still raise): it is healthy
        if status == "ok":
            result: list[JSON] = value
            return result
        raise ModelError(str(value))

    # -- restarts --------------------------------------------------------------------------
    def _replace(self, dead: BaseProcess, why: str) -> None:
        """Drop ``dead`` and start a fresh child in the background (once at a time)."""
        with self._state_lock:
            if self._process is not dead:
                return
            conn = self._conn
            self._process = self._conn = None
            self._failures += 1
            if self._restarting or self._stopped.is_set():
                return
            self._restarting = True
        if conn is not None:
            conn.close()
        if dead.is_alive():
            dead.kill()
            dead.join(1.0)
        log.warning("model process of %s (pid %s) %s; starting a new one", self.name, dead.pid, why)
        threading.Thread(target=self._restart, name=f"restart-{self.name}", daemon=True).start()

    def _restart(self) -> None:
        """Start children until one loads (pausing more after each failure), then serve it.
        ``_restarting`` is cleared under the state lock with the new child installed, so a
        death right after is never missed."""
        while not self._stopped.is_set():
            if self._failures > 1:  # the first death after a healthy run: at once
                pause = min(
                    self.max_backoff_s, self.restart_backoff_s * 2.0 ** (self._failures - 2)
                )
                if self._stopped.wait(pause):
                    break
            self.restarts += 1
            started = time.monotonic()
            try:
                process, conn, outputs = self._spawn()
            except PasarelaError as exc:
                self._failures += 1
                log.error(
                    "model process of %s failed to start again (restart %d): %s",
                    self.name,
                    self.restarts,
                    exc.message,
                )
                continue
            with self._state_lock:
                self._restarting = False
                unloaded = self._stopped.is_set()
                if not unloaded:
                    self.outputs = outputs
                    self._process, self._conn = process, conn
            if unloaded:
                conn.close()
                _stop(process)
                return
            log.warning(
                "model process of %s restarted (restart %d, pid %s) in %.2f s",
                self.name,
                self.restarts,
                process.pid,
                time.monotonic() - started,
            )
            return
        with self._state_lock:
            self._restarting = False

    def _spawn(self) -> tuple[BaseProcess, Connection, tuple[Output, ...]]:
        """A started child with the model loaded, its end of the pipe and its outputs."""
        assert self._context is not None
        ours, theirs = _CONTEXT.Pipe(duplex=True)
        process = _CONTEXT.Process(
            target=_serve_child,
            args=(theirs, self.kind, self._context),
            name=f"pasarela-model-{self.name}",
            daemon=True,
        )
        process.start()
        theirs.close()  # ours alone: the child's death then reads as EOF at once
        try:
            if not ours.poll(self.load_timeout_s):
                raise ArtifactError(
                    f"the model process of {self.name} did not load within "
                    f"{self.load_timeout_s:g} s"
                )
            status, value = ours.recv()
        except (EOFError, OSError):
            process.join(1.0)
            ours.close()
            raise ArtifactError(
                f"the model process of {self.name} died while loading ({_death(process)})"
            ) from None
        except ArtifactError:
            ours.close()
            _stop(process)
            raise
        if status != "ok":
            ours.close()
            _stop(process)
            kind, message = value
            error = ConfigurationError if kind == "ConfigurationError" else ArtifactError
            raise error(message)
        outputs: tuple[Output, ...] = value
        return process, ours, outputs


def _serve_child(conn: Connection, kind: str, context: RuntimeContext) -> None:
    """The child's loop: load, answer ``("ok", outputs)``, then one reply per batch until
    ``None`` (or the server's end of the pipe closes)."""
    from pasarela.runtimes import create_runtime

    # Ctrl-C reaches the whole process group; the server stops its children itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        runtime = create_runtime(kind)
        runtime.load(context)
    except PasarelaError as exc:
        kind_name = "ConfigurationError" if isinstance(exc, ConfigurationError) else "other"
        conn.send(("error", (kind_name, exc.message)))
        return
    except Exception as exc:  # noqa: BLE001 - any load failure is the model's, reported
        conn.send(("error", ("other", f"cannot load the model: {type(exc).__name__}: {exc}")))
        return
    conn.send(("ok", tuple(runtime.outputs)))
    while True:
        try:
            rows = conn.recv()
        except (EOFError, OSError):
            break
        if rows is None:
            break
        try:
            reply: tuple[str, Any] = ("ok", runtime.predict_batch(rows))
        except PasarelaError as exc:
            reply = ("error", exc.message)
        except Exception as exc:  # noqa: BLE001 - a model's own exception becomes model_error
            reply = ("error", f"the model raised {type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - an answer that cannot be pickled
            conn.send(("error", f"the model's answer cannot be sent back: {exc}"))
    runtime.unload()


def _death(process: BaseProcess) -> str:
    code = process.exitcode
    if code is None:
        return "no answer on its pipe"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _stop(process: BaseProcess) -> None:
    process.join(_STOP_S)
    if process.is_alive():
        process.kill()
        process.join(1.0)
