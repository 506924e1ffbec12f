"""Feedback: outcomes that arrive after a prediction (a label, a reward, a rating, a completed
task, a cost), checked and made durable before the client hears 202."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy.exc import SQLAlchemyError

from pasarela.errors import InvalidRequest, Unavailable
from pasarela.storage.feedback import FEEDBACK_KINDS, FeedbackRepository
from pasarela.telemetry.journal import Journal, JournalFull
from pasarela.telemetry.metrics import Metrics

log = logging.getLogger(__name__)

MAX_ITEMS = 1000
_FIELDS = {"request_id", "label", "reward", "rating", "task_completed", "cost", "attributes"}


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidRequest(f"{where} must be a finite number")
    return float(value)


def parse_feedback(body: Any) -> list[dict[str, Any]]:
    """Items to store from a body: one object, a list of them, or ``{"feedback": [...]}``.
    Each object yields one item per kind it carries."""
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
    if not isinstance(request_id, str) or not 0 < len(request_id) <= 128:
        raise InvalidRequest(f"{where}.request_id must be the request id a prediction returned")
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
    """The stored fields of one kind of feedback, or InvalidRequest saying what is wrong."""
    if kind == "label":
        if not isinstance(raw, str | int | float | bool):
            raise InvalidRequest(f"{where} must be a class or a value (string, number, bool)")
        return {"label": raw}
    if kind == "rating":
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 5:
            raise InvalidRequest(f"{where} must be an integer from 1 to 5")
        return {"value": float(raw)}
    if kind == "task_completed":
        if not isinstance(raw, bool):
            raise InvalidRequest(f"{where} must be true or false")
        return {"value": float(raw)}
    value = _number(raw, where)
    if kind == "cost" and value < 0:
        raise InvalidRequest(f"{where} must not be negative")
    return {"value": value}


class FeedbackService:
    """Stores feedback in the database; when the database fails, in the journal, fsynced. Either
    way it is durable when ``submit`` returns."""

    def __init__(self, repo: FeedbackRepository, journal: Journal | None, metrics: Metrics) -> None:
        self.repo = repo
        self.journal = journal
        self.metrics = metrics

    def submit(self, items: list[dict[str, Any]]) -> int:
        """Blocking (run it off the event loop). Returns how many items were accepted."""
        try:
            self.repo.store(items)
        except SQLAlchemyError as exc:
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
