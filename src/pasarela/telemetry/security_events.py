"""Security events on their way to the audit log: denied requests, blocked inputs, keys used on
admin routes.

They happen on the hot path, which never waits on the database, so they are counted in memory
and appended in one transaction per flush (every second, from a background task). Events that
repeat within a flush — the same actor, action, target and code, as in a flood of bad
requests — become one entry with a ``count``, so an attack cannot turn into as many audit
writes; at most ``max_distinct`` distinct events are held, beyond which events are dropped and
the drop itself is audited with the next flush.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from pasarela.errors import StorageUnavailable
from pasarela.storage.audit import AuditRepository, bounded
from pasarela.storage.db import storage_errors

log = logging.getLogger(__name__)

Key = tuple[str, str, str, str]


class SecurityEvents:
    def __init__(self, repo: AuditRepository | None, max_distinct: int = 10_000) -> None:
        self.repo = repo
        self.max_distinct = max_distinct
        self._pending: dict[Key, dict[str, Any]] = {}
        self.dropped = 0
        self.written = 0

    def record(self, actor: str, action: str, target: str, code: str = "", **detail: Any) -> None:
        """Count one event (no I/O). Its fields are bounded here, as the audit log stores
        them: events that differ only past a column's length are one event, and what waits
        in memory is at most ``max_distinct`` entries of bounded size, however long the paths
        a flood of requests sends."""
        key = (bounded(actor, "actor"), bounded(action, "action"), bounded(target, "target"), code)
        found = self._pending.get(key)
        if found is not None:
            found["count"] += 1
            return
        if len(self._pending) >= self.max_distinct:
            self.dropped += 1
            return
        self._pending[key] = {"count": 1, "first_at": time.time(), **detail}

    def take(self) -> list[dict[str, Any]]:
        """The audit entries for everything counted since the last call."""
        pending, self._pending = self._pending, {}
        items = [
            {
                "actor": actor,
                "action": action,
                "target": target,
                "detail": {**({"code": code} if code else {}), **detail},
                "at": detail["first_at"],
            }
            for (actor, action, target, code), detail in pending.items()
        ]
        if self.dropped:
            items.append(
                {
                    "actor": "pasarela",
                    "action": "audit.dropped",
                    "target": "security-events",
                    "detail": {"count": self.dropped},
                    "at": time.time(),
                }
            )
            self.dropped = 0
        return items

    def flush(self, write: Callable[[Sequence[dict[str, Any]]], Any] | None = None) -> int:
        """Append what was counted (blocking: call it off the event loop). Entries that fail
        to write are counted again, so a database outage delays them rather than losing them
        (up to ``max_distinct``)."""
        items = self.take()
        if not items or self.repo is None:
            return 0
        try:
            with storage_errors():  # ``write`` is a storage function, passed in as it is
                (write or self.repo.append_many)(items)
        except StorageUnavailable as exc:  # keep them for the next flush
            # the driver's first line only: SQLAlchemy's text carries the rows' parameters
            log.warning("security events not written yet (%d kept): %s", len(items), exc.message)
            for item in items:
                if item["action"] == "audit.dropped":
                    self.dropped += item["detail"]["count"]
                    continue
                detail = dict(item["detail"])
                key = (item["actor"], item["action"], item["target"], str(detail.pop("code", "")))
                found = self._pending.get(key)
                if found is not None:
                    found["count"] += detail["count"]
                elif len(self._pending) < self.max_distinct:
                    self._pending[key] = detail
            return 0
        self.written += len(items)
        return len(items)
