"""Incidents in the shared database, on every backend: servers' reports open, join, escalate
and close them; the timeline tells the story; acknowledgement is recorded once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from pasarela.errors import Conflict, NotFound
from pasarela.storage.db import create_engine, upgrade
from pasarela.storage.incidents import IncidentRepository
from pasarela.types import Condition


@pytest.fixture
def repo(database_url: str) -> Iterator[IncidentRepository]:
    engine = create_engine(database_url)
    upgrade(engine)
    yield IncidentRepository(engine)
    engine.dispose()


def at(second: float) -> datetime:
    return datetime.fromtimestamp(1_800_000_000 + second, UTC)


BREAKER = Condition("endpoint:churn", "breaker:churn@3", "P1", "breaker of churn@3 open")
DOWN = Condition("endpoint:churn", "errors", "P0", "down: 50 of 50 requests failed in 60 s")
FALLBACK = Condition("endpoint:churn", "breaker:small@1", "P2", "breaker of fallback small@1 open")
OTHER = Condition("endpoint:fraud", "fallback_missing", "P3", "1 of the 1 fallback versions …")


def test_an_incident_opens_escalates_and_closes_once_nobody_sees_it(
    repo: IncidentRepository,
) -> None:
    changes = repo.observe([BREAKER, OTHER], at(0), clear_s=30)
    assert [(c.kind, c.incident["group"], c.incident["severity"]) for c in changes] == [
        ("opened", "endpoint:churn", "P1"),
        ("opened", "endpoint:fraud", "P3"),
    ]
    churn = changes[0].incident
    assert churn["title"] == "churn: breaker of churn@3 open"
    assert (churn["status"], churn["endpoint"]) == ("open", "churn")

    # a second server sees the same breaker and worse: the same incident, escalated
    changes = repo.observe([BREAKER, DOWN], at(5), clear_s=30)
    assert [(c.kind, c.incident["id"], c.incident["severity"]) for c in changes] == [
        ("escalated", churn["id"], "P0")
    ]
    assert changes[0].incident["title"] == f"churn: {DOWN.summary}"
    # refreshing what is already known changes nothing anyone needs to hear
    assert repo.observe([BREAKER, DOWN, OTHER], at(10), clear_s=30) == []
    assert len(repo.list("open")) == 2

    # the errors stop (only the breaker is still seen): eased back to P1, not announced
    assert repo.observe([BREAKER, OTHER], at(41), clear_s=30) == []
    assert repo.get(churn["id"])["severity"] == "P1"
    # then nobody sees anything: both close after clear_s
    assert repo.observe([], at(60), clear_s=30) == []
    changes = repo.observe([], at(72), clear_s=30)
    assert sorted((c.kind, c.incident["group"]) for c in changes) == [
        ("closed", "endpoint:churn"),
        ("closed", "endpoint:fraud"),
    ]
    closed = repo.get(churn["id"])
    assert closed["status"] == "closed" and closed["closed_at"] == at(72).isoformat()
    assert closed["conditions"] == []
    assert [(e["kind"], e["message"]) for e in closed["timeline"]] == [
        ("opened", "P1: churn: breaker of churn@3 open"),
        ("seen", "P1 breaker of churn@3 open"),
        ("seen", f"P0 {DOWN.summary}"),
        ("escalated", "P1 → P0"),
        ("cleared", f"{DOWN.summary} (not seen for 30 s)"),
        ("eased", "P0 → P1"),
        ("cleared", "breaker of churn@3 open (not seen for 30 s)"),
        ("closed", "every condition cleared after 30 s"),
    ]
    assert repo.list("open") == []
    assert [i["id"] for i in repo.list("all")] == [churn["id"] + 1, churn["id"]]

    # the same trouble later is a new incident
    changes = repo.observe([FALLBACK], at(100), clear_s=30)
    assert [(c.kind, c.incident["severity"]) for c in changes] == [("opened", "P2")]
    assert changes[0].incident["id"] not in {churn["id"], churn["id"] + 1}


def test_acknowledgement_is_recorded_once_on_open_incidents(repo: IncidentRepository) -> None:
    (opened,) = repo.observe([BREAKER], at(0), clear_s=30)
    incident_id = opened.incident["id"]
    acked = repo.acknowledge(incident_id, "ana")
    assert acked["acknowledged_by"] == "ana"
    assert repo.acknowledge(incident_id, "bo")["acknowledged_by"] == "ana"
    repo.note(incident_id, "notified", "webhook: webhook answered 200")
    timeline = [(e["kind"], e["message"]) for e in repo.get(incident_id)["timeline"]]
    assert timeline[-2:] == [("acknowledged", "ana"), ("notified", "webhook: webhook answered 200")]

    repo.observe([], at(31), clear_s=30)
    with pytest.raises(Conflict, match=r"incident \d+ is closed"):
        repo.acknowledge(incident_id, "bo")
    with pytest.raises(NotFound):
        repo.get(incident_id + 100)


def test_one_open_incident_per_group_is_enforced_by_the_database(
    repo: IncidentRepository,
) -> None:
    repo.observe([BREAKER], at(0), clear_s=30)
    table = sa.Table("incidents", sa.MetaData(), autoload_with=repo.engine)
    now = at(1)
    with pytest.raises(sa.exc.IntegrityError), repo.engine.begin() as conn:
        conn.execute(
            table.insert().values(
                group="endpoint:churn",
                open_group="endpoint:churn",
                severity="P1",
                title="a second one",
                conditions={},
                opened_at=now,
                updated_at=now,
            )
        )
