from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import RunIdDep, SettingsDep, TrackingDep
from service.downsample import downsample
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


@router.get("")
def read_metrics(
    run_id: RunIdDep,
    tracking: TrackingDep,
    keys: Annotated[str | None, Query(description="comma-separated metric keys")] = None,
    max_points: Annotated[int | None, Query(ge=2, le=1_000_000)] = None,
) -> MetricSeries:
    wanted = [k.strip() for k in keys.split(",") if k.strip()] if keys else None
    if wanted and any(len(k) > MAX_KEY_LENGTH for k in wanted):
        raise Invalid(f"a key is longer than {MAX_KEY_LENGTH} characters", field="keys")
    series = tracking.read_series(run_id, wanted)
    if max_points is not None:
        series = {key: downsample(points, max_points) for key, points in series.items()}
    return MetricSeries(
        series={
            key: [SeriesPoint(step=s, value=encode_value(v)) for s, v in points]
            for key, points in series.items()
        }
    )
