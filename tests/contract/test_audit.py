"""The audit log on every backend: a control-plane change and its entry commit together, the
chain holds under concurrent appends, and ``verify`` names every entry edited, deleted,
reordered, or cut off the end."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from pasarela.registry.service import Registry
from pasarela.security.audit import check_log, verify
from pasarela.storage import schema
from pasarela.storage.audit import ANCHOR_EVERY, AuditRepository, append, witness_appends
from pasarela.storage.audit_witness import WITNESS_FILE, HeadWitness
from pasarela.storage.catalog import Catalog
from pasarela.storage.db import create_engine, upgrade, write
from pasarela.telemetry.security_events import SecurityEvents


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def fill(repo: AuditRepository, n: int) -> None:
    repo.append_many(
        [
            {"actor": "ana", "action": "test.step", "target": f"t{i}", "detail": {"i": i}}
            for i in range(n)
        ]
    )


def check(repo: AuditRepository) -> list[tuple[int, str]]:
    return [(p.seq, p.kind) for p in verify(repo.entries(), repo.anchors()).problems]


def test_control_plane_changes_are_audited_in_their_own_transaction(engine: sa.Engine) -> None:
    registry = Registry(Catalog(engine), store=None)  # type: ignore[arg-type]  # no artifacts
    registry.register("sums", entrypoint="pasarela.testing:row_sums", actor="ana")
    registry.set_alias("sums", "champion", 1, actor="ana")
    entries = list(AuditRepository(engine).entries())
    assert [(e.seq, e.actor, e.action, e.target) for e in entries] == [
        (1, "ana", "version.register", "sums@1"),
        (2, "ana", "alias.move", "sums@champion"),
    ]
    assert entries[1].detail == {"from": None, "to": 1}
    assert verify(entries, []).ok


def test_concurrent_appends_keep_one_chain(engine: sa.Engine) -> None:
    repo = AuditRepository(engine)
    errors: list[BaseException] = []

    def append() -> None:
        try:
            for _ in range(10):
                fill(repo, 3)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=append) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = verify(repo.entries(), repo.anchors())
    assert result.ok and result.entries == 120 and result.head_seq == 120
    assert [seq for seq, _ in repo.anchors()] == [ANCHOR_EVERY]


def test_an_edited_entry_is_named(engine: sa.Engine) -> None:
    repo = AuditRepository(engine)
    fill(repo, 5)
    t = schema.audit_log
    with engine.begin() as conn:
        conn.execute(t.update().where(t.c.seq == 3).values(actor="mallory"))
    assert check(repo) == [(3, "edited")]


def test_a_deleted_entry_is_named(engine: sa.Engine) -> None:
    repo = AuditRepository(engine)
    fill(repo, 5)
    with engine.begin() as conn:
        conn.execute(schema.audit_log.delete().where(schema.audit_log.c.seq == 2))
    assert check(repo) == [(3, "missing")]


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link(engine: sa.Engine) -> None:
    from pasarela.storage.audit import entry_hash

    repo = AuditRepository(engine)
    fill(repo, 5)
    t = schema.audit_log
    with engine.begin() as conn:
        row = conn.execute(sa.select(t).where(t.c.seq == 2)).one()
        forged = entry_hash(
            2, row.at_us, "mallory", row.action, row.target, row.detail, row.prev_hash
        )
        conn.execute(t.update().where(t.c.seq == 2).values(actor="mallory", hash=forged))
    assert check(repo) == [(3, "broken_link")]


def test_swapped_entries_are_named(engine: sa.Engine) -> None:
    repo = AuditRepository(engine)
    fill(repo, 5)
    t = schema.audit_log
    with engine.begin() as conn:
        two = conn.execute(sa.select(t.c.target, t.c.detail).where(t.c.seq == 2)).one()
        four = conn.execute(sa.select(t.c.target, t.c.detail).where(t.c.seq == 4)).one()
        conn.execute(t.update().where(t.c.seq == 2).values(target=four.target, detail=four.detail))
        conn.execute(t.update().where(t.c.seq == 4).values(target=two.target, detail=two.detail))
    assert check(repo) == [(2, "edited"), (4, "edited")]


def test_a_log_cut_short_after_an_anchor_is_caught(engine: sa.Engine) -> None:
    repo = AuditRepository(engine)
    fill(repo, 8)
    repo.anchor_head()  # verify and export anchor the head they saw
    with engine.begin() as conn:
        conn.execute(schema.audit_log.delete().where(schema.audit_log.c.seq >= 7))
    assert check(repo) == [(8, "cut")]


def test_security_events_coalesce_and_survive_a_failed_flush(engine: sa.Engine) -> None:
    repo = AuditRepository(engine)
    events = SecurityEvents(repo, max_distinct=2)
    for _ in range(1000):
        events.record("anonymous", "request.denied", "GET /admin/stats", "unauthenticated")
    events.record("pk_1", "admin.access", "GET /admin/keys")
    events.record("pk_2", "admin.access", "GET /admin/keys")  # a third distinct: dropped

    def broken(_: object) -> None:
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is down"))

    assert events.flush(broken) == 0
    assert events.flush() == 3  # two events and the note that one was dropped
    entries = list(repo.entries())
    assert [(e.action, e.detail.get("count")) for e in entries] == [
        ("request.denied", 1000),
        ("admin.access", 1),
        ("audit.dropped", 1),
    ]
    assert entries[0].detail["code"] == "unauthenticated"
    assert verify(entries, []).ok


def test_security_events_are_bounded_when_counted_and_logged_without_their_fields(
    engine: sa.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A flood of distinct long paths is held as the log would store it (one event here, not
    fifty of 400 characters), and a failed flush logs the database's reason, not the rows."""
    repo = AuditRepository(engine)
    events = SecurityEvents(repo)
    for i in range(50):
        events.record("anonymous", "request.denied", "GET /admin/" + "a" * 400 + str(i), "x")

    def broken(_: object) -> None:
        raise sa.exc.OperationalError(
            "INSERT INTO audit_log", {"actor": "pk_0badc0de"}, Exception("database is down")
        )

    with caplog.at_level(logging.WARNING):
        assert events.flush(broken) == 0
    assert "database is down" in caplog.text and "pk_0badc0de" not in caplog.text
    assert events.flush() == 1
    (entry,) = repo.entries()
    assert entry.detail["count"] == 50 and len(entry.target) == 300


def test_retention_deletes_old_records_and_their_feedback_and_audits_it(engine: sa.Engine) -> None:
    import time

    from pasarela.control.retention import RetentionJob
    from pasarela.storage.feedback import FeedbackRepository
    from pasarela.storage.telemetry import TelemetryRepository
    from pasarela.types import EndpointSpec
    from tests.contract.test_telemetry_repository import record

    repo = Catalog(engine).endpoints
    repo.put(
        EndpointSpec("e", "single", ("m@1",), {"target": "m@1"}, retention_days=7), actor="ana"
    )
    repo.put(EndpointSpec("kept", "single", ("m@1",), {"target": "m@1"}), actor="ana")
    now = time.time()
    TelemetryRepository(engine).store_records(
        [record(i, at=now - 8 * 86400) for i in range(3)]
        + [record(10, at=now - 86400)]
        + [record(20, at=now - 30 * 86400, endpoint="kept")]
    )
    FeedbackRepository(engine).store(
        [{"request_id": "r0", "kind": "reward", "value": 1.0, "at": now}]
    )
    registry = Registry(Catalog(engine), store=None)  # type: ignore[arg-type]  # no artifacts
    job = RetentionJob(registry, default_days=None, clock=lambda: now)
    assert job.tick() == {"e": 3}
    assert job.tick() == {}  # not due again for an hour
    remaining = TelemetryRepository(engine)
    assert remaining.count_records("e") == 1 and remaining.count_records("kept") == 1
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.feedback)).scalar() == 0
    (entry,) = [e for e in AuditRepository(engine).entries() if e.action == "retention.delete"]
    assert entry.target == "e" and entry.detail["records"] == 3 and entry.detail["feedback"] == 1


def test_values_longer_than_their_columns_are_hashed_as_stored(engine: sa.Engine) -> None:
    """An anonymous ``GET /admin/<400 chars>`` or a token ``sub`` of 300 characters used to
    store a cut value under the hash of the whole one: ``verify`` then read TAMPERED for
    ever. Each field is now bounded once, by its column's length, and that is what is hashed."""
    repo = AuditRepository(engine)
    events = SecurityEvents(repo)
    events.record("anonymous", "request.denied", "GET /admin/" + "a" * 400, "unauthenticated")
    events.record("s" * 300, "admin.access", "GET /admin/keys")
    events.record("pk_1", "request.denied", "GET /admin/\x00\udc80ñ", "forbidden")
    assert events.flush() == 3
    repo.append_many([{"actor": "ana", "action": "x" * 100, "target": "t", "detail": {}}])
    result = verify(repo.entries(), repo.anchors())
    assert result.ok, result.problems
    first, second, third, fourth = repo.entries()
    limits = {c: schema.audit_log.c[c].type.length for c in ("actor", "action", "target")}
    assert len(first.target) == limits["target"] and first.target.endswith("…")
    assert len(second.actor) == limits["actor"] and second.actor.startswith("s" * 150)
    assert third.target.startswith("GET /admin/\ufffd") and third.target.endswith("ñ")
    assert "\x00" not in third.target and third.target.encode("utf-8")  # no lone surrogate
    assert len(fourth.action) == limits["action"]


# -- the head witnessed outside the database ----------------------------------------------


def witnessed(engine: sa.Engine, home: Path) -> HeadWitness:
    witness = HeadWitness(home, engine.url)
    witness_appends(engine, witness)
    return witness


def witnessed_seq(witness: HeadWitness) -> int | None:
    head = witness.read()
    return None if head is None else head.seq


def cut(engine: sa.Engine, from_seq: int) -> None:
    t = schema.audit_log
    with engine.begin() as conn:
        conn.execute(t.delete().where(t.c.seq >= from_seq))
        conn.execute(schema.audit_anchors.delete().where(schema.audit_anchors.c.seq >= from_seq))


def test_a_tail_cut_after_the_last_anchor_is_caught_by_the_witness(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """Deleting the entries after the last anchor used to leave a log that read "intact"."""
    repo = AuditRepository(engine)
    witness = witnessed(engine, tmp_path / "home")
    fill(repo, 3)
    fill(repo, 5)
    assert witnessed_seq(witness) == 8
    assert (tmp_path / "home" / WITNESS_FILE).stat().st_mode & 0o777 == 0o600
    assert check_log(repo).ok
    cut(engine, 6)
    result = check_log(repo)
    assert [(p.seq, p.kind) for p in result.problems] == [(8, "cut")]
    assert "the log ends at entry 5" in result.problems[0].message
    assert "entries 6–8 were cut off the end" in result.problems[0].message
    # Nor does the log, regrown past the cut, carry the witness along: it stays at entry 8.
    fill(repo, 4)
    assert witnessed_seq(witness) == 8
    again = check_log(repo)
    assert [(p.seq, p.kind) for p in again.problems] == [(8, "cut")]
    assert "rewritten from there" in again.problems[0].message


def test_two_servers_sharing_a_database_each_witness_what_they_append(
    engine: sa.Engine, database_url: str, tmp_path: Path
) -> None:
    other_engine = create_engine(database_url)  # the second server's
    try:
        first = witnessed(engine, tmp_path / "a")
        second = witnessed(other_engine, tmp_path / "b")
        fill(AuditRepository(engine), 2)
        fill(AuditRepository(other_engine), 3)
        fill(AuditRepository(engine), 1)
        assert [witnessed_seq(first), witnessed_seq(second)] == [6, 5]
        cut(engine, 5)
        for server in (engine, other_engine):
            problems = check_log(AuditRepository(server)).problems
            assert [p.kind for p in problems] == ["cut"]
    finally:
        other_engine.dispose()


def test_a_rolled_back_transaction_is_never_witnessed(engine: sa.Engine, tmp_path: Path) -> None:
    repo = AuditRepository(engine)
    witness = witnessed(engine, tmp_path / "home")
    fill(repo, 2)
    with pytest.raises(RuntimeError), write(engine) as conn:
        append(conn, actor="ana", action="test.step", target="t", detail={})
        raise RuntimeError("the change failed: its entry goes with it")
    assert witnessed_seq(witness) == 2
    fill(repo, 1)
    assert check_log(repo).ok and witnessed_seq(witness) == 3


def test_a_restore_from_an_older_backup_is_named_and_can_be_accepted(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """A server that witnessed the newer log sees a restore as ``rolled_back`` — named, with
    the restore entry that explains it — not as a silent "intact"; ``--accept-restore``."""
    repo = AuditRepository(engine)
    witness = witnessed(engine, tmp_path / "home")
    fill(repo, 6)
    head = repo.head()
    assert head is not None
    cut(engine, 4)  # what restoring a backup taken at entry 3 does to the log
    with engine.begin() as conn:  # the restore, run from another home: not witnessed here
        append(
            conn,
            actor="ops",
            action="backup.restore",
            target="backup 2026-12-07T22:00:00Z",
            detail={"replaced_head": {"seq": head.seq, "hash": head.hash}},
        )
    result = check_log(repo)
    assert [(p.seq, p.kind) for p in result.problems] == [(6, "rolled_back")]
    assert "entry 4 records a restore" in result.problems[0].message
    accepted = check_log(repo, accept_restore_by="ana")
    assert accepted.ok and [p.kind for p in accepted.accepted] == ["rolled_back"]
    assert witnessed_seq(witness) == 4
    kept = orjson.loads((tmp_path / "home" / WITNESS_FILE).read_bytes())
    (replaced,) = next(iter(kept["logs"].values()))["replaced"]
    assert replaced["seq"] == 6 and replaced["reason"] == "restore accepted by ana"
    assert check_log(repo).ok


def test_a_cut_explained_by_no_restore_is_not_accepted(engine: sa.Engine, tmp_path: Path) -> None:
    repo = AuditRepository(engine)
    witnessed(engine, tmp_path / "home")
    fill(repo, 6)
    cut(engine, 4)
    result = check_log(repo, accept_restore_by="mallory")
    assert [p.kind for p in result.problems] == ["cut"] and not result.accepted
    with engine.begin() as conn:  # a restore entry that names no head it replaced
        for replaced in ({"seq": "all of it"}, {"seq": 2}, None):
            detail = {"replaced_head": replaced}
            append(conn, actor="mallory", action="backup.restore", target="b", detail=detail)
    assert [p.kind for p in check_log(repo, accept_restore_by="mallory").problems] == ["cut"]
