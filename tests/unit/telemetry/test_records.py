"""Request records (``telemetry/records.py``): one journal line per routed request, with every
field the writer stores, bounded, its payloads sampled and passed through the codec (plain,
redacting or sealed with a real data key), and shed — counted, never blocking — when the
journal is full."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from pasarela.bounds import MAX_CALLER_CHARS
from pasarela.security.crypto import PayloadCipher, is_envelope
from pasarela.settings import Settings
from pasarela.storage.data_keys import DataKeyRepository
from pasarela.storage.db import create_engine, upgrade
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.recent import RecentRequests
from pasarela.telemetry.records import Recorder
from pasarela.types import RequestContext, VersionId

CHURN = VersionId("churn", 3)
FIELDS = {
    "type", "request_id", "at", "endpoint", "model", "version", "reason", "status",
    "server_error", "latency_s", "queue_s", "model_s", "batch_size", "unit_id", "subject_id",
    "caller", "correlation_id", "inputs", "outputs", "shadow_of", "agreement", "abs_error",
}  # fmt: skip


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    opened = Journal.open(tmp_path / "journal", max_bytes=1 << 20)
    yield opened
    opened.close()


def request(request_id: str = "r1", **fields: Any) -> RequestContext:
    return RequestContext(request_id=request_id, endpoint="churn", **fields)


def lines(journal: Journal) -> list[dict[str, Any]]:
    read, _ = journal.read(1000)
    return [orjson.loads(line) for line in read]


def test_a_record_holds_every_field_the_writer_stores(journal: Journal) -> None:
    before = time.time()
    ok = Recorder(journal).record(
        request("r1", unit_id="u1", subject_id="s1", caller="pk_0123abcd", correlation_id="c1"),
        CHURN,
        "candidate",
        "ok",
        [{"tenure": 3}],
        [0.9],
        latency_s=0.004,
        queue_s=0.001,
        model_s=0.002,
        batch_size=8,
    )
    assert ok
    (line,) = lines(journal)
    assert line.keys() == FIELDS
    assert before <= line.pop("at") <= time.time()
    assert line == {
        "type": "record",
        "request_id": "r1",
        "endpoint": "churn",
        "model": "churn",
        "version": 3,
        "reason": "candidate",
        "status": "ok",
        "server_error": False,
        "latency_s": 0.004,
        "queue_s": 0.001,
        "model_s": 0.002,
        "batch_size": 8,
        "unit_id": "u1",
        "subject_id": "s1",
        "caller": "pk_0123abcd",
        "correlation_id": "c1",
        "inputs": [{"tenure": 3}],
        "outputs": [0.9],
        "shadow_of": None,
        "agreement": None,
        "abs_error": None,
    }


def test_a_failure_and_a_shadow_are_recorded_with_their_own_fields(journal: Journal) -> None:
    recorder = Recorder(journal)
    recorder.record(
        request("r1"), CHURN, "single", "model_timeout", [[1]], None,
        latency_s=2.0, server_error=True,
    )  # fmt: skip
    recorder.record(
        request("r1"), VersionId("churn", 4), "shadow", "ok", [[1]], [1],
        latency_s=0.01, shadow_of="churn@3", agreement=1.0, abs_error=0.0,
    )  # fmt: skip
    failure, shadow = lines(journal)
    assert (failure["status"], failure["server_error"], failure["outputs"]) == (
        "model_timeout",
        True,
        None,
    )
    assert (shadow["version"], shadow["shadow_of"], shadow["agreement"]) == (4, "churn@3", 1.0)
    assert shadow["abs_error"] == 0.0


def test_the_caller_is_clipped_to_its_column(journal: Journal) -> None:
    long_sub = "x" * (MAX_CALLER_CHARS + 50)
    Recorder(journal).record(
        request(caller=long_sub), CHURN, "single", "ok", None, None, latency_s=0
    )
    (line,) = lines(journal)
    assert line["caller"] == "x" * MAX_CALLER_CHARS


def test_sampled_out_payloads_are_left_out_but_the_request_is_counted(journal: Journal) -> None:
    recorder = Recorder(journal, rng=random.Random(7))
    for n in range(400):
        recorder.record(
            request(f"r{n}"), CHURN, "single", "ok", [[n]], [n], latency_s=0.001,
            payload_sample_rate=0.25,
        )  # fmt: skip
    recorded = lines(journal)
    assert len(recorded) == 400  # every request has its record
    kept = [r for r in recorded if r["inputs"] is not None]
    assert all(r["outputs"] is not None for r in kept)
    assert 60 <= len(kept) <= 140  # about a quarter (binomial, 5 standard deviations)
    Recorder(journal).record(
        request("none"), CHURN, "single", "ok", [[1]], [1], latency_s=0, payload_sample_rate=0.0
    )
    assert lines(journal)[-1]["inputs"] is None


class Redacting:
    """A codec that redacts (what a deployment may plug in at the seam)."""

    def __init__(self) -> None:
        self.calls = 0

    def seal(self, value: Any) -> Any:
        self.calls += 1
        return "<REDACTED>" if isinstance(value, list) and isinstance(value[0], dict) else value

    def open(self, value: Any) -> Any:
        return value


def test_payloads_pass_through_the_codec_only_when_there_are_any(journal: Journal) -> None:
    codec = Redacting()
    recorder = Recorder(journal, codec)
    recorder.record(request("a"), CHURN, "single", "ok", [{"email": "a@b.c"}], [1], latency_s=0)
    recorder.record(request("b"), CHURN, "single", "overloaded", None, None, latency_s=0)
    first, second = lines(journal)
    assert (first["inputs"], first["outputs"]) == ("<REDACTED>", [1])
    assert (second["inputs"], second["outputs"]) == (None, None)
    assert codec.calls == 2  # inputs and outputs, each on its own; none for no payload


def test_sealed_payloads_open_with_the_installs_data_key(tmp_path: Path, journal: Journal) -> None:
    settings = Settings(home=tmp_path / "home", encrypt_payloads=True)
    settings.home.mkdir()
    engine = create_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        cipher = PayloadCipher(settings, DataKeyRepository(engine))
        cipher.ensure_key()
        recorder = Recorder(journal, cipher)
        recorder.record(request(), CHURN, "single", "ok", [{"tenure": 3}], [0.9], latency_s=0)
        recorder.record(request("r2"), CHURN, "single", "model_error", [[1]], None, latency_s=0)
        sealed, failed = lines(journal)
        assert is_envelope(sealed["inputs"]) and is_envelope(sealed["outputs"])
        assert b"tenure" not in orjson.dumps(sealed)
        assert cipher.open(sealed["inputs"]) == [{"tenure": 3}]
        assert cipher.open(sealed["outputs"]) == [0.9]
        assert is_envelope(failed["inputs"]) and failed["outputs"] is None
    finally:
        engine.dispose()


def test_a_full_journal_sheds_the_record_and_counts_it(tmp_path: Path) -> None:
    shed: list[int] = []
    journal = Journal.open(tmp_path / "small", max_bytes=1500, on_drop=lambda: shed.append(1))
    recent = RecentRequests()
    recorder = Recorder(journal, recent=recent)
    try:
        results = [
            recorder.record(request(f"r{n}"), CHURN, "single", "ok", [[n]], [n], latency_s=0)
            for n in range(10)
        ]
        assert results[0] is True
        assert results[-1] is False  # dropped, not raised, not waited for
        dropped = results.count(False)
        assert dropped > 0 and journal.dropped == dropped == len(shed)
        assert len(lines(journal)) == results.count(True)
        # feedback's scope check still knows every request, recorded or shed
        assert all(recent.endpoint_of(f"r{n}") == "churn" for n in range(10))
    finally:
        journal.close()


def test_recent_requests_keep_the_first_endpoint_of_an_id(journal: Journal) -> None:
    recent = RecentRequests()
    recorder = Recorder(journal, recent=recent)
    recorder.record(request("same"), CHURN, "single", "ok", None, None, latency_s=0)
    other = RequestContext(request_id="same", endpoint="fraud")
    recorder.record(other, VersionId("fraud", 1), "single", "ok", None, None, latency_s=0)
    assert recent.endpoint_of("same") == "churn"
