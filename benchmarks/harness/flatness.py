"""Whether a soak's memory stayed flat: the judgement of an RSS series, kept apart from the
sampling so it can be tested without a server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

TOLERANCE = 0.05
"""The issue's bound: RSS within ±5 % of the first sample taken after the warm-up."""


def rss_flatness(samples_mib: Sequence[float], tolerance: float = TOLERANCE) -> dict[str, Any]:
    """Judge an RSS series (MiB, in sampling order, the first one taken after the warm-up).

    Flat when both the last sample and the highest one are within ``tolerance`` of the first:
    a leak shows in the last, a spike that was given back in the highest. Example::

        >>> rss_flatness([200.0, 204.0, 203.0])["flat"]
        True
    """
    if not samples_mib:
        raise ValueError("no RSS samples")
    first, last, peak = samples_mib[0], samples_mib[-1], max(samples_mib)
    last_change = (last - first) / first
    peak_change = (peak - first) / first
    return {
        "first_mib": round(first, 1),
        "last_mib": round(last, 1),
        "max_mib": round(peak, 1),
        "last_change": round(last_change, 4),
        "max_change": round(peak_change, 4),
        "tolerance": tolerance,
        "flat": abs(last_change) <= tolerance and peak_change <= tolerance,
    }
