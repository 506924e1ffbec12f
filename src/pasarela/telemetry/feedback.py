"""Feedback: outcomes that arrive after a prediction (a label, a reward, a rating, a completed
task, a cost), checked and made durable before the client hears 202."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from typing import Any

import orjson

from pasarela.errors import Conflict, Forbidden, InvalidInput, InvalidRequest, Unavailable
from pasarela.storage.db import UNREACHABLE, unavailable
from pasarela.storage.feedback import (
    FEEDBACK_KINDS,
    MAX_LABEL,
    MAX_NUMBER,
    MAX_REQUEST_ID,
    FeedbackRepository,
)
from pasarela.telemetry.journal import Journal, JournalFull
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.recent import RecentRequests

log = logging.getLogger(__name__)

MAX_ITEMS = 1000
_FIELDS = {"request_id", "label", "reward", "rating", "task_completed", "cost", "attributes"}


def _refuse(message: str) -> InvalidInput:
    """A value out of its documented range (docs/user-guide.md#feedback): 422
    ``invalid_feedback``."""
    return InvalidInput(message, code="invalid_feedback")


def _number(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _refuse(f"{where} must be a finite number")
    if not low <= value <= high:
        raise _refuse(f"{where} must be between {low:g} and {high:g}")
    return float(value)


def _text(value: str, where: str, most: int) -> str:
    if not 0 < len(value) <= most:
        raise _refuse(f"{where} must be 1 to {most} characters")
    # A control character (NUL above all: PostgreSQL text cannot hold it) would be stored and
    # then fail every fold of the aggregates it joins.
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise _refuse(f"{where} must not contain control characters")
    return value


def parse_feedback(body: Any) -> list[dict[str, Any]]:
    """Items to store from a body: one object, a list of them, or ``{"feedback": [...]}``.
    Each object yields one item per kind it carries. Values outside their range (see
    ``storage.feedback``'s bounds) are refused with InvalidInput ``invalid_feedback``."""
    if isinstance(body, Mapping) and "feedback" in body:
        body = body["feedback"]
    entries = body if isinstance(body, list) else [body]
    if not entries or len(entries) > MAX_ITEMS:
        raise InvalidRequest(f"send between 1 and {MAX_ITEMS} feedback objects")
    now = time.time()
    items: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        items.extend(_parse_one(entry, f"feedback[{i}]", now))
    return items


def _parse_one(entry: Any, where: str, now: float) -> list[dict[str, Any]]:
    if not isinstance(entry, Mapping):
        raise InvalidRequest(f"{where} must be an object")
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise InvalidRequest(f"{where} has unknown fields: {', '.join(map(str, unknown))}")
    request_id = entry.get("request_id")
    if not isinstance(request_id, str):
        raise InvalidRequest(f"{where}.request_id must be the request id a prediction returned")
    _text(request_id, f"{where}.request_id", MAX_REQUEST_ID)
    attributes = entry.get("attributes")
    if attributes is not None and not isinstance(attributes, Mapping):
        raise InvalidRequest(f"{where}.attributes must be an object")
    base = {"request_id": request_id, "attributes": attributes, "at": now}
    items = [
        base | {"kind": kind, **_checked(kind, entry[kind], f"{where}.{kind}")}
        for kind in FEEDBACK_KINDS
        if kind in entry
    ]
    if not items:
        raise InvalidRequest(
            f"{where} carries no feedback: give label, reward, rating, task_completed or cost"
        )
    return items


def _checked(kind: str, raw: Any, where: str) -> dict[str, Any]:
    """The stored fields of one kind of feedback, or InvalidInput saying what is wrong."""
    if kind == "label":
        if isinstance(raw, str):
            return {"label": _text(raw, where, MAX_LABEL)}
        if isinstance(raw, bool):
            return {"label": raw}
        if isinstance(raw, int | float):
            return {"label": _number(raw, where, -MAX_NUMBER, MAX_NUMBER)}
        raise _refuse(f"{where} must be a class or a value (string, number, bool)")
    if kind == "rating":
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 5:
            raise _refuse(f"{where} must be an integer from 1 to 5")
        return {"value": float(raw)}
    if kind == "task_completed":
        if not isinstance(raw, bool):
            raise _refuse(f"{where} must be true or false")
        return {"value": float(raw)}
    if kind == "cost":
        return {"value": _number(raw, where, 0.0, MAX_NUMBER)}
    return {"value": _number(raw, where, -MAX_NUMBER, MAX_NUMBER)}


class FeedbackService:
    """Stores feedback in the database; when the database fails, in the journal, fsynced. Either
    way it is durable when ``submit`` returns."""

    def __init__(
        self,
        repo: FeedbackRepository,
        journal: Journal | None,
        metrics: Metrics,
        recent: RecentRequests | None = None,
    ) -> None:
        self.repo = repo
        self.journal = journal
        self.metrics = metrics
        self.recent = recent
        """The requests this server answered last: their endpoints, known without a lookup."""

    def submit(self, items: list[dict[str, Any]], scope: frozenset[str] | None = None) -> int:
        """Blocking (run it off the event loop). Returns how many items were accepted.

        ``scope``: the endpoints the sender may call (None: all). Feedback is scoped like
        predictions: on a request of another endpoint it is Forbidden. Whose a request is, this
        server knows for the requests it answered last (``recent``); for the others the stored
        records say, so feedback from a scoped sender on a request neither answered here lately
        nor stored yet is a Conflict (``record_pending``) to retry."""
        if scope is not None:
            self._check_scope(items, scope)
        try:
            self.repo.store(items)
        # Only "not now" goes to the journal: a row the database refuses would be refused again
        # by the writer, batch after batch.
        except UNREACHABLE as exc:
            if self.journal is None:
                raise Unavailable("the database is unavailable; retry the feedback") from exc
            log.warning(
                "database unavailable for feedback (%s); journaling it", exc.__class__.__name__
            )
            try:
                for item in items:
                    self.journal.append(
                        orjson.dumps({"type": "feedback", **item}), sync=True, required=True
                    )
            except JournalFull as full:
                raise Unavailable(str(full), code="overloaded", retry_after=30) from full
        for item in items:
            self.metrics.feedback.labels(item["kind"]).inc()
        return len(items)

    def _check_scope(self, items: list[dict[str, Any]], scope: frozenset[str]) -> None:
        request_ids = sorted({item["request_id"] for item in items})
        endpoints: dict[str, str] = {}
        if self.recent is not None:
            for request_id in request_ids:
                if (endpoint := self.recent.endpoint_of(request_id)) is not None:
                    endpoints[request_id] = endpoint
        unknown = [r for r in request_ids if r not in endpoints]
        if unknown:  # answered elsewhere, or long ago: the stored records say
            try:
                endpoints |= self.repo.endpoints_of(unknown)
            except UNREACHABLE as exc:
                raise unavailable(exc) from exc
        foreign = [r for r in request_ids if r in endpoints and endpoints[r] not in scope]
        if foreign:  # refused first: no retry would make it right
            raise Forbidden(
                f"request {foreign[0]!r} was answered by an endpoint this key may not call"
            )
        pending = [r for r in request_ids if r not in endpoints]
        if pending:
            raise Conflict(
                f"no prediction {pending[0]!r} is stored yet: a key limited to endpoints "
                "sends feedback once the prediction is recorded (seconds); retry",
                code="record_pending",
            )
