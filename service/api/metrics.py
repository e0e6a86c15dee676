from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from service.api.deps import RunIdDep, SettingsDep, TrackingDep
from service.downsample import downsample_pages
from service.errors import Invalid, TooLarge
from service.schemas import (
    MAX_KEY_LENGTH,
    MetricBatch,
    MetricsAccepted,
    MetricSeries,
    SeriesPoint,
    encode_value,
)

router = APIRouter(prefix="/runs/{run_id}/metrics", tags=["metrics"])


@router.post("")
def log_metrics(
    run_id: RunIdDep, body: MetricBatch, tracking: TrackingDep, settings: SettingsDep
) -> MetricsAccepted:
    if len(body.metrics) > settings.max_metrics_per_batch:
        raise TooLarge(
            f"{len(body.metrics)} metrics in one batch; the limit is "
            f"{settings.max_metrics_per_batch}",
            field="metrics",
        )
    return MetricsAccepted(accepted=tracking.log_metrics(run_id, body.metrics))


@router.get("", response_model=MetricSeries)
def read_metrics(
    run_id: RunIdDep,
    tracking: TrackingDep,
    keys: Annotated[str | None, Query(description="comma-separated metric keys")] = None,
    max_points: Annotated[int | None, Query(ge=2, le=1_000_000)] = None,
) -> MetricSeries | StreamingResponse:
    """Every point of the run's series (of `keys`), by key, in step order; with
    `max_points`, each series downsampled to at most that many, its extremes kept. Without
    it the series are streamed from the store a page at a time, in constant memory; with
    it too they are read a page at a time, and only what is kept is held."""
    wanted = [k.strip() for k in keys.split(",") if k.strip()] if keys else None
    if wanted and any(len(k) > MAX_KEY_LENGTH for k in wanted):
        raise Invalid(f"a key is longer than {MAX_KEY_LENGTH} characters", field="keys")
    present = tracking.series_keys(run_id, wanted)  # a 404 before the first byte
    pages = tracking.series_pages(run_id, present)
    if max_points is None:
        return StreamingResponse(series_json(pages), media_type="application/json")
    # read a page at a time too, each series' length counted first: what is held is what
    # is kept, not the series
    series = downsample_pages(pages, tracking.series_counts(run_id, present), max_points)
    return MetricSeries(
        series={
            key: [SeriesPoint(step=s, value=encode_value(v)) for s, v in points]
            for key, points in series.items()
        }
    )


def series_json(pages: Iterable[tuple[str, list[tuple[int, float]]]]) -> Iterator[bytes]:
    """`MetricSeries` as JSON, written a page of points at a time: `{"series": {"key":
    [{"step": s, "value": v}, ...], ...}}`, NaN and infinities as their strings (as
    `encode_value` writes them), floats as Python's repr (as json.dumps writes them)."""
    yield b'{"series":{'
    current = None
    for key, points in pages:
        if key != current:
            opening = "" if current is None else "],"
            chunk = [f"{opening}{json.dumps(key)}:["]
            current, first = key, True
        else:
            chunk = []
        if points:
            chunk.append("" if first else ",")
            chunk.append(",".join(f'{{"step":{step},"value":{_number(value)}}}'
                                  for step, value in points))
            first = False
        yield "".join(chunk).encode()
    yield b"]}}" if current is not None else b"}}"


def _number(value: float) -> str:
    if value - value == 0.0:  # finite: inf - inf and NaN - NaN are NaN
        return repr(value)
    return f'"{encode_value(value)}"'
