"""Downsampling a long series for plotting, keeping what matters: each bucket's extremes.

A plain stride would hide a spike or a NaN; taking the lowest and the highest point of each
bucket keeps both (M4/min-max downsampling, as plotting libraries do). NaN counts as the
highest value so that a blow-up is never dropped.

The series may come a page at a time (`Downsampler`: a stored series of any length is read
in pages and never held whole), or at once (`downsample`); both are the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def downsample(points: Sequence[tuple[int, float]], max_points: int) -> list[tuple[int, float]]:
    """At most `max_points` points of `points` (sorted by step), first and last kept."""
    sampler = Downsampler(len(points), max_points)
    sampler.add(points)
    return sampler.points()


class Downsampler:
    """At most `max_points` of a series of `n` points (sorted by step) fed in order, a page
    at a time (`add`), holding only what it keeps: the first and the last point, and each
    bucket's lowest and highest (the first of equal ones). The buckets cut the points
    between the first and the last by position into (max_points - 2) // 2 runs of about
    equal length, so `n` must be known first (a count of the stored series). Should the
    series have grown or shrunk meanwhile (a write between the count and the pages), the
    points past the counted ones fall in no bucket, and the last point fed is still kept:
    never more than `max_points`."""

    def __init__(self, n: int, max_points: int) -> None:
        if max_points < 2:
            raise ValueError("max_points must be at least 2")
        self.n = n
        self.whole = n <= max_points  # nothing to drop: every point is kept
        buckets = (max_points - 2) // 2  # none when 2 or 3: the first and the last only
        # bucket b holds the points at positions edges[b] <= i < edges[b + 1]
        self.edges = (np.linspace(1, n - 1, buckets + 1).astype(int).tolist()
                      if buckets and n > 1 else [1])
        self.kept: dict[int, tuple[int, float]] = {}  # position -> point
        self.seen = 0  # points fed so far
        self.last: tuple[int, tuple[int, float]] | None = None
        self.bucket = 0
        self.low: tuple[float, int, tuple[int, float]] | None = None  # the bucket's candidates
        self.high: tuple[float, int, tuple[int, float]] | None = None

    def add(self, page: Sequence[tuple[int, float]]) -> None:
        """The next points of the series, in step order."""
        if not page:
            return
        start = self.seen
        self.seen += len(page)
        self.last = (self.seen - 1, page[-1])
        if self.whole:  # the counted points but the last (`last` stands for it)
            upto = min(self.seen, max(self.n - 1, 1))
            self.kept.update(zip(range(start, upto), page, strict=False))
            return
        if start == 0:
            self.kept[0] = page[0]
        values = np.array([v for _, v in page], dtype=float)
        values = np.where(np.isnan(values), np.inf, values)  # NaN: the highest, never lowest
        edges, stop = self.edges, min(self.seen, self.edges[-1])
        position = max(start, edges[0])
        while position < stop:
            while self.bucket + 1 < len(edges) and edges[self.bucket + 1] <= position:
                self._close_bucket()
            end = min(stop, edges[self.bucket + 1])
            part = values[position - start:end - start]
            i, j = int(np.argmin(part)), int(np.argmax(part))
            if self.low is None or part[i] < self.low[0]:
                self.low = (float(part[i]), position + i, page[position - start + i])
            if self.high is None or part[j] > self.high[0]:
                self.high = (float(part[j]), position + j, page[position - start + j])
            position = end

    def _keep_candidates(self, kept: dict[int, tuple[int, float]]) -> None:
        """The current bucket's lowest and highest point into `kept`."""
        for candidate in (self.low, self.high):
            if candidate is not None:
                kept[candidate[1]] = candidate[2]

    def _close_bucket(self) -> None:
        self._keep_candidates(self.kept)
        self.low = self.high = None
        self.bucket += 1

    def points(self) -> list[tuple[int, float]]:
        """What is kept of the points fed, in step order."""
        kept = dict(self.kept)
        self._keep_candidates(kept)  # the bucket still open
        if self.last is not None:
            kept[self.last[0]] = self.last[1]
        return [kept[i] for i in sorted(kept)]


def downsample_pages(
    pages: Iterable[tuple[str, Sequence[tuple[int, float]]]],
    counts: dict[str, int],
    max_points: int,
) -> dict[str, list[tuple[int, float]]]:
    """Each key's series from its pages ((key, points), a key's pages together and in step
    order, as the store's `series_pages` gives them), downsampled to at most `max_points`
    by its counted length."""
    samplers: dict[str, Downsampler] = {}
    for key, points in pages:
        sampler = samplers.get(key)
        if sampler is None:
            sampler = samplers[key] = Downsampler(counts.get(key, 0), max_points)
        sampler.add(points)
    return {key: sampler.points() for key, sampler in samplers.items()}
