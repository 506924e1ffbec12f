from __future__ import annotations

from pasarela.telemetry.recent import RecentRequests


def test_the_oldest_request_is_forgotten_first() -> None:
    recent = RecentRequests(capacity=2)
    recent.remember("a", "churn")
    recent.remember("b", "fraud")
    recent.remember("c", "churn")
    assert recent.endpoint_of("a") is None
    assert (recent.endpoint_of("b"), recent.endpoint_of("c")) == ("fraud", "churn")
    assert recent.endpoint_of("never") is None


def test_a_reused_id_keeps_its_first_endpoint() -> None:
    recent = RecentRequests()
    recent.remember("a", "churn")
    recent.remember("a", "fraud")
    assert recent.endpoint_of("a") == "churn"
