"""The record writer against real databases: a record the database refuses is quarantined and
never holds the others back (issue 14, item 1), an outage keeps every record in the journal,
batches are bounded by bytes (item 10), and its logs carry no identifiers (item 9)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from pasarela.control.retention import RetentionJob
from pasarela.registry.service import Registry
from pasarela.storage import schema
from pasarela.storage.catalog import Catalog
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.incidents import IncidentRepository
from pasarela.storage.telemetry import TelemetryRepository, subject_hash
from pasarela.telemetry.incidents import IncidentWatch
from pasarela.telemetry.journal import Journal
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.writer import QUARANTINED_FILE, RecordWriter
from pasarela.types import EndpointSpec


def record(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "record",
        "request_id": f"r{i}",
        "at": time.time(),
        "endpoint": "e",
        "model": "m",
        "version": 1,
        "reason": "single",
        "status": "ok",
        "server_error": False,
        "latency_s": 0.004,
        "queue_s": 0.001,
        "model_s": 0.002,
        "batch_size": 1,
        "unit_id": "u1",
        "subject_id": None,
        "caller": "pk_1a2b3c4d",
        "correlation_id": None,
        "inputs": [[1.0, 2.0]],
        "outputs": [{"label": 1}],
    } | extra


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    opened = Journal.open(tmp_path / "journal", max_bytes=1 << 30)
    yield opened
    opened.close()


@pytest.fixture
def engines() -> Iterator[list[sa.Engine]]:
    made: list[sa.Engine] = []
    yield made
    for engine in made:
        engine.dispose()


def writer_on(url: str, journal: Journal, engines: list[sa.Engine], **options: Any) -> RecordWriter:
    engine = create_engine(url)
    engines.append(engine)
    upgrade(engine)
    return RecordWriter(journal, TelemetryRepository(engine), **options)


def append(journal: Journal, *records: dict[str, Any]) -> None:
    for r in records:
        assert journal.append(orjson.dumps(r))


def quarantined(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(schema.quarantined_records))
        return [dict(r._mapping) for r in rows]


def test_a_value_over_its_column_bound_is_quarantined_and_the_rest_stored(
    postgres_url: str, journal: Journal, engines: list[sa.Engine]
) -> None:
    """On PostgreSQL a 300-character subject id (let in below the door) used to fail every
    batch for good (StringDataRightTruncation)."""
    writer = writer_on(postgres_url, journal, engines)
    long_subject = "s" * 300
    append(journal, *(record(i) for i in range(4)), record(4, subject_id=long_subject))
    append(journal, *(record(i) for i in range(5, 10)))
    assert writer.flush_once() == 10
    repo = writer.repo
    assert repo.count_records() == 9
    assert repo.get_record("r4") is None and repo.get_record("r9") is not None
    assert journal.read(100)[0] == []  # nothing left behind
    (kept,) = quarantined(repo.engine)
    assert kept["request_id"] == "r4" and kept["endpoint"] == "e" and kept["version"] == 1
    assert kept["reason"] == "subject_id has 300 characters, over its limit of 200"
    assert kept["subject_sha256"] == subject_hash(long_subject)
    assert long_subject not in str(kept)  # no id in clear
    assert kept["caller"] == "pk_1a2b3c4d"
    assert kept["inputs"] is None and kept["outputs"] is None  # in clear: not kept
    # counted for the metric, across the slots of the journal
    assert (journal.directory / QUARANTINED_FILE).read_text() == "1"
    metrics = Metrics()
    metrics.count_quarantined(journal.directory.parent)
    assert b"pasarela_records_quarantined_total 1.0" in metrics.render()
    # a replay of the same lines (a crash before the checkpoint) quarantines it once
    writer.store([record(4, subject_id=long_subject)])
    assert len(quarantined(repo.engine)) == 1
    assert writer.quarantined == 1
    # and it is an incident (P2, group "records")
    watch = IncidentWatch(
        IncidentRepository(repo.engine),
        list,
        dict,
        [],
        clear_s=60,
        canary_hold_s=900,
        quarantined=repo.quarantined_since,
    )
    (change,) = watch.tick([])
    assert change.kind == "opened"
    assert change.incident["group"] == "records" and change.incident["severity"] == "P2"
    assert "1 request records quarantined" in change.incident["title"]


def test_missing_and_malformed_fields_are_quarantined_on_every_backend(
    database_url: str, journal: Journal, engines: list[sa.Engine]
) -> None:
    writer = writer_on(database_url, journal, engines)
    malformed = record(2)
    del malformed["latency_s"]
    append(journal, record(0), record(1, endpoint=None), malformed, record(3))
    assert writer.flush_once() == 4
    assert writer.repo.count_records() == 2
    reasons = {q["request_id"]: q["reason"] for q in quarantined(writer.repo.engine)}
    assert reasons == {"r1": "endpoint is missing", "r2": "latency_s is missing"}
    assert writer.quarantined == 2
    # sealed payloads (encryption on, the default) are kept, as records keep them
    sealed = {"enc": "aes-256-gcm", "kid": "k1", "nonce": "bm9uY2U", "data": "c2VhbGVk"}
    writer.store([record(5, endpoint=None, inputs=sealed, outputs=sealed)])
    (kept,) = [q for q in quarantined(writer.repo.engine) if q["request_id"] == "r5"]
    assert kept["inputs"] == sealed and kept["outputs"] == sealed


def test_an_outage_keeps_every_record_in_the_journal(
    journal: Journal, engines: list[sa.Engine]
) -> None:
    """Unlike a refused value, an unreachable database quarantines nothing: the lines wait."""
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    engines.append(engine)
    writer = RecordWriter(journal, TelemetryRepository(engine))
    append(journal, record(0), record(1))
    with pytest.raises(sa.exc.OperationalError):
        writer.flush_once()
    assert len(journal.read(100)[0]) == 2
    assert writer.quarantined == 0
    assert not (journal.directory / QUARANTINED_FILE).exists()


def test_batches_are_bounded_by_bytes_not_only_lines(
    tmp_path: Path, journal: Journal, engines: list[sa.Engine]
) -> None:
    """A 10k-row request makes a record of megabytes: 500 of them made a batch of gigabytes."""
    writer = writer_on(f"sqlite:///{tmp_path / 'p.db'}", journal, engines, batch_bytes=4 << 20)
    rows = [[float(i)] * 30 for i in range(5_000)]  # ~0.5 MB of JSON each
    append(journal, *(record(i, inputs=rows) for i in range(30)))
    line_bytes = len(orjson.dumps(record(0, inputs=rows)))
    read = writer.flush_once()
    assert read == -(-(4 << 20) // line_bytes)  # the lines that reach 4 MiB, not 30
    assert writer.more  # and the writer goes on at once
    total = read
    while (n := writer.flush_once()) > 0:
        total += n
    assert total == 30 and writer.repo.count_records() == 30


def test_failing_batches_log_no_parameters(
    tmp_path: Path, journal: Journal, engines: list[sa.Engine], caplog: pytest.LogCaptureFixture
) -> None:
    """The writer used to log the failed statement with its parameters (subject ids) while
    draining; the engines now hide parameters and the writer logs one line."""
    url = f"sqlite:///{tmp_path / 'p.db'}"
    writer = writer_on(url, journal, engines)
    assert writer.repo.engine.hide_parameters
    with writer.repo.engine.begin() as conn:  # a schema the insert cannot use: it fails
        conn.exec_driver_sql("ALTER TABLE prediction_records RENAME COLUMN subject_id TO s")
    append(journal, record(0, subject_id="subject-secret-77", inputs=[["payload-secret"]]))
    stop = threading.Event()
    stop.set()  # run() goes straight to its drain, which fails and logs
    with caplog.at_level(logging.INFO):
        writer.run(stop)
    assert "records left in the journal" in caplog.text
    assert "subject-secret-77" not in caplog.text and "payload-secret" not in caplog.text
    assert len(journal.read(100)[0]) == 1  # kept for the next start


def test_quarantined_records_age_out_with_their_endpoints_records(
    tmp_path: Path, journal: Journal, engines: list[sa.Engine]
) -> None:
    writer = writer_on(f"sqlite:///{tmp_path / 'p.db'}", journal, engines)
    engine = writer.repo.engine
    writer.store([record(0, endpoint=None), record(1, latency_s=None)])  # the second has "e"
    repo = Catalog(engine).endpoints
    repo.put(
        EndpointSpec("e", "single", ("m@1",), {"target": "m@1"}, retention_days=7), actor="ana"
    )
    registry = Registry(Catalog(engine), store=None)  # type: ignore[arg-type]  # no artifacts
    job = RetentionJob(registry, default_days=None, clock=time.time)
    job.purge("e", time.time() - 60)  # kept: quarantined a moment ago
    assert len(quarantined(engine)) == 2
    job.purge("e", time.time() + 60)
    assert [q["endpoint"] for q in quarantined(engine)] == [None]  # only e's went


def test_feedback_the_database_refuses_is_quarantined_and_holds_nothing_back(
    postgres_url: str, journal: Journal, engines: list[sa.Engine]
) -> None:
    """Feedback journaled through an outage is stored by the writer; one item PostgreSQL
    refuses (a request id over its column, let in below the door) is set aside, and the
    records and feedback beside it are stored."""
    writer = writer_on(postgres_url, journal, engines)
    long_id = "f" * 300

    def feedback(request_id: str) -> dict[str, Any]:
        return {"type": "feedback", "request_id": request_id, "kind": "reward", "value": 1.0} | {
            "attributes": None,
            "at": time.time(),
        }

    append(journal, record(0), feedback("r0"), feedback(long_id), feedback("r1"), record(1))
    assert writer.flush_once() == 5
    assert writer.repo.count_records() == 2
    with writer.repo.engine.connect() as conn:
        stored = conn.execute(sa.select(schema.feedback.c.request_id)).scalars().all()
    assert sorted(stored) == ["r0", "r1"]
    (kept,) = quarantined(writer.repo.engine)
    assert kept["reason"].startswith("feedback: ")
    assert kept["request_id"] == long_id[:256]
    assert writer.quarantined == 1
    assert journal.read(100)[0] == []  # nothing left to hold the journal back
