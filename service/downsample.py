"""Downsampling a long series for plotting, keeping what matters: each bucket's extremes.

A plain stride would hide a spike or a NaN; taking the lowest and the highest point of each
bucket keeps both (M4/min-max downsampling, as plotting libraries do). NaN counts as the
highest value so that a blow-up is never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def downsample(points: Sequence[tuple[int, float]], max_points: int) -> list[tuple[int, float]]:
    """At most `max_points` points of `points` (sorted by step), first and last kept."""
    n = len(points)
    if max_points < 2:
        raise ValueError("max_points must be at least 2")
    if n <= max_points:
        return list(points)
    values = np.array([v for _, v in points], dtype=float)
    high = np.where(np.isnan(values), np.inf, values)
    low = np.where(np.isnan(values), np.inf, values)  # NaN is never the lowest

    # First and last are kept apart; the middle is cut into buckets of two points each.
    buckets = max(1, (max_points - 2) // 2)
    edges = np.linspace(1, n - 1, buckets + 1).astype(int)
    keep = {0, n - 1}
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        if stop <= start:
            continue
        keep.add(start + int(np.argmin(low[start:stop])))
        keep.add(start + int(np.argmax(high[start:stop])))
    return [points[i] for i in sorted(keep)]
