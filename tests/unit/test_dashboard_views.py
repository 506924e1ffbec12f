"""The dashboard's pure views: charts that fit their data, the latency chart's quantiles, the
rollout page's verdicts with their numbers."""

from __future__ import annotations

from typing import Any

from pasarela.telemetry.metrics import LATENCY_BUCKETS
from pasarela.ui.pages import render_rollout
from pasarela.ui.rollouts import rollout_view
from pasarela.ui.views import MIN_CHART_BUCKETS, chart_x, latency_chart

NOW = 1_800_000_000 + 30  # half a minute into a minute
LAST = NOW // 60 * 60
HOUR = {"series_bucket_s": 60, "window_s": 3600}


def test_a_chart_starts_just_before_its_first_request() -> None:
    # nothing yet: the last MIN_CHART_BUCKETS minutes, not an empty hour
    assert chart_x(HOUR, NOW, []) == [LAST - 60 * i for i in range(MIN_CHART_BUCKETS)][::-1]
    # traffic in the last minute only: still MIN_CHART_BUCKETS minutes, the data at the end
    assert len(chart_x(HOUR, NOW, [LAST])) == MIN_CHART_BUCKETS
    # traffic since 40 minutes ago: one empty minute before it, then up to now
    x = chart_x(HOUR, NOW, [LAST - 2400, LAST])
    assert x[0] == LAST - 2460 and x[-1] == LAST and len(x) == 42
    # traffic all through the hour: the whole window
    assert len(chart_x(HOUR, NOW, [LAST - 3540, LAST])) == 60


def test_the_latency_chart_gives_quantiles_per_bucket_and_gaps_where_idle() -> None:
    x = [LAST - 60, LAST]
    fast = LATENCY_BUCKETS.index(next(b for b in LATENCY_BUCKETS if b >= 0.01))
    rows = [
        {"start": LAST, "bucket": fast, "requests": 98},
        {"start": LAST, "bucket": len(LATENCY_BUCKETS) - 1, "requests": 2},
    ]
    chart = latency_chart(HOUR, rows, x)
    by_label = {s["label"]: s["values"] for s in chart["series"]}
    assert list(by_label) == ["p50", "p95", "p99"]
    assert by_label["p50"][0] is None  # nothing served in the first minute
    assert by_label["p50"][1] <= LATENCY_BUCKETS[fast] * 1000
    assert by_label["p99"][1] > LATENCY_BUCKETS[fast] * 1000  # the two slow ones


def verdict_event(kind: str, checks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": 7,
        "at": "2027-01-15T08:00:00+00:00",
        "actor": "canary",
        "kind": kind,
        "detail": {"step": 1, "weight": 20.0, "action": kind, "summary": "why", "checks": checks},
    }


def test_a_rollback_verdict_shows_each_check_with_its_numbers() -> None:
    checks = [
        {
            "name": "error_rate_vs_baseline",
            "status": "fail",
            "candidate": 0.3,
            "baseline": 0.01,
            "threshold": 0.0,
            "test": "fisher",
            "p_value": 1.2e-9,
            "alpha": 0.0025,
            "detail": "30.0% of 120 failed against 1.0% of 400",
        },
        {
            "name": "p95_latency",
            "status": "pass",
            "candidate": 12.345,
            "baseline": None,
            "threshold": 250.0,
            "test": None,
            "p_value": None,
            "alpha": None,
            "detail": "",
        },
    ]
    status = {
        "endpoint": "fraud",
        "policy": "canary",
        "targets": ["fraud@1", "fraud@2"],
        "state": {"phase": "rolled_back", "weight": 0.0, "step": 1, "reason": "why"},
        "history": [
            {
                "id": 6,
                "at": "2027-01-15T07:59:00+00:00",
                "actor": "canary",
                "kind": "step",
                "detail": {
                    "step": 0,
                    "weight": 5.0,
                    "next_weight": 20.0,
                    "summary": "ok",
                    "checks": [],
                },
            },
            verdict_event("rollback", checks),
        ],
        "revisions": [],
    }
    view = rollout_view(status)
    assert view["state"]["phase"] == "rolled_back" and view["state"]["weight"] == "0 %"
    newest = view["verdicts"][0]
    assert (newest["action"], newest["step"], newest["weight"]) == ("rollback", "2", "20 %")
    assert newest["checks"][0]["cells"][:8] == [
        "error_rate_vs_baseline",
        "fail",
        "30.0%",
        "1.0%",
        "0.0%",
        "fisher",
        "1.2e-09",
        "0.0025",
    ]
    assert newest["checks"][1]["cells"][2:5] == ["12.3 ms", "—", "250.0 ms"]
    assert [e["detail"] for e in view["history"]] == [
        "step 2; weight 20 %; why",
        "step 1; weight 5 %; next 20 %; ok",
    ]


def test_an_endpoint_without_a_rollout_has_a_page_too() -> None:
    status = {
        "endpoint": "plain",
        "policy": "single",
        "targets": ["plain@1"],
        "state": None,
        "history": [],
        "revisions": [
            {
                "revision": 1,
                "action": "apply",
                "actor": "me",
                "at": "2027-01-15T08:00:00+00:00",
                "diff": "+name: plain\n",
            }
        ],
    }
    html = render_rollout(rollout_view(status))
    assert 'data-field="phase">none<' in html and "No verdict yet." in html
    assert "no rollout events" in html and "+name: plain" in html
