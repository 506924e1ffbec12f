from __future__ import annotations

import itertools

import pytest

from pasarela.errors import InvalidRequest
from pasarela.storage.telemetry import bucket_index
from pasarela.telemetry.aggregates import histogram_quantile, parse_window
from pasarela.telemetry.metrics import LATENCY_BUCKETS


def test_windows() -> None:
    assert parse_window("15m") == 900
    assert parse_window("24h") == 86400
    assert parse_window("7d") == 7 * 86400
    # and digits int() would refuse (5,000 of them) or take from another script
    for bad in ("", "1y", "-1h", "0m", "100d", "h", "9" * 5000 + "s", "\u0661h", "²h"):
        with pytest.raises(InvalidRequest):
            parse_window(bad)


def test_bucket_index_uses_upper_bounds() -> None:
    assert bucket_index(0.0) == 0
    assert bucket_index(LATENCY_BUCKETS[0]) == 0
    assert bucket_index(LATENCY_BUCKETS[0] * 1.01) == 1
    assert bucket_index(1e9) == len(LATENCY_BUCKETS)


def test_quantiles_interpolate_inside_the_bucket() -> None:
    counts = [0] * (len(LATENCY_BUCKETS) + 1)
    i = LATENCY_BUCKETS.index(0.01)  # bucket (0.005, 0.01]
    counts[i] = 100
    assert histogram_quantile(0.5, counts) == pytest.approx(0.0075)
    assert histogram_quantile(0.99, counts) == pytest.approx(0.00995)
    assert histogram_quantile(0.5, [0] * len(counts)) is None


def test_quantiles_across_buckets() -> None:
    counts = [0] * (len(LATENCY_BUCKETS) + 1)
    counts[LATENCY_BUCKETS.index(0.001)] = 90  # 90 fast requests
    counts[LATENCY_BUCKETS.index(1.0)] = 10  # 10 slow ones
    assert histogram_quantile(0.5, counts) <= 0.001
    assert 0.5 < histogram_quantile(0.99, counts) <= 1.0  # type: ignore[operator]


def test_cover_tiles_the_window_exactly() -> None:
    from pasarela.storage.telemetry import Span, cover

    assert cover(600, 3000) == [Span(60, 600, 3000)]  # under an hour: minutes only
    day = cover(1800, 1800 + 86400)
    assert Span(3600, 3600, 86400) in day
    assert Span(60, 1800, 3600) in day and Span(60, 86400, 88200) in day
    covered = sorted(
        (start, start + s.bucket_s) for s in day for start in range(s.start, s.stop, s.bucket_s)
    )
    assert covered[0][0] == 1800 and covered[-1][1] == 1800 + 86400
    assert all(a[1] == b[0] for a, b in itertools.pairwise(covered))  # no gap, no overlap
