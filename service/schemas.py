"""The pydantic contract of fitdoc (DESIGN.md sections 3-5).

Imported by the HTTP layer, the store, the workers and the advisor; imports no FastAPI.
"""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

# --- limits (MLflow's numbers where it has one) -------------------------------------------

MAX_METRICS_PER_BATCH = 10_000
MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6_000
MAX_NAME_LENGTH = 250
MAX_DESCRIPTION_LENGTH = 5_000
MAX_TAG_VALUE_LENGTH = 5_000
MAX_PARAMS = 1_000
MAX_TAGS = 200
MAX_STEP = 2**62
PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 1_000

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH)
]
Key = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_KEY_LENGTH)
]
ParamValue = (
    Annotated[str, StringConstraints(max_length=MAX_PARAM_VALUE_LENGTH)] | bool | int | float
)
TagValue = Annotated[str, StringConstraints(max_length=MAX_TAG_VALUE_LENGTH)]


class Strict(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- projects --------------------------------------------------------------------------------


class ProjectCreate(Strict):
    name: Name
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_LENGTH)] | None = None


class Project(BaseModel):
    id: str
    name: str
    description: str | None = None
    created_at: datetime


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


# --- runs ------------------------------------------------------------------------------------


class RunStatus(StrEnum):
    running = "running"
    finished = "finished"
    failed = "failed"
    killed = "killed"


class RunSource(StrEnum):
    external = "external"
    job = "job"


class Task(StrEnum):
    classification = "classification"
    regression = "regression"


class RunMeta(BaseModel):
    """What the advisor may know about a run beyond its curves. Extra keys are kept."""

    model_config = ConfigDict(extra="allow")

    task: Task | None = None
    num_classes: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    planned_epochs: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    step_unit: Literal["epoch", "batch"] | None = None


class RunCreate(Strict):
    project: Name
    name: Name | None = None
    params: Annotated[dict[Key, ParamValue], Field(max_length=MAX_PARAMS)] = {}
    tags: Annotated[dict[Key, TagValue], Field(max_length=MAX_TAGS)] = {}
    meta: RunMeta = RunMeta()

    @field_validator("params")
    @classmethod
    def _finite_params(cls, params: dict[str, Any]) -> dict[str, Any]:
        for key, value in params.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"param {key!r} must be finite (send a string for NaN/inf)")
        return params


class RunPatch(Strict):
    status: RunStatus | None = None
    # Merged into the run's tags; a null value removes that tag.
    tags: Annotated[dict[Key, TagValue | None], Field(max_length=MAX_TAGS)] | None = None


class Run(BaseModel):
    id: str
    project: str
    name: str
    status: RunStatus
    source: RunSource
    job_id: str | None = None
    params: dict[str, Any]
    tags: dict[str, str]
    meta: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    latest: dict[str, float | str]


# --- metrics ---------------------------------------------------------------------------------

# JSON has no NaN/inf; clients send them as these strings and get them back the same way.
NonFinite = Literal["NaN", "Infinity", "-Infinity"]


class MetricPoint(Strict):
    key: Key
    step: Annotated[int, Field(ge=0, le=MAX_STEP)]
    value: float | NonFinite
    timestamp: datetime | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _no_bool(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("value must be a number or 'NaN'/'Infinity'/'-Infinity', not a bool")
        return v


class MetricBatch(Strict):
    # The length limit is enforced by the route (413), not here (that would be a 422).
    metrics: list[MetricPoint]


class MetricsAccepted(BaseModel):
    accepted: int


class SeriesPoint(BaseModel):
    step: int
    value: float | NonFinite


class MetricSeries(BaseModel):
    series: dict[str, list[SeriesPoint]]


def encode_value(value: float) -> float | str:
    """A float as JSON can carry it: NaN/inf become their strings."""
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def decode_value(value: float | str) -> float:
    return float(value) if isinstance(value, str) else value


# --- diagnosis (DESIGN.md section 5) -------------------------------------------------------


class DiagnosisStatus(StrEnum):
    insufficient_data = "insufficient_data"
    healthy = "healthy"
    underfitting = "underfitting"
    overfitting = "overfitting"
    stuck = "stuck"
    oscillating = "oscillating"
    diverging = "diverging"
    mismatch = "mismatch"


class Evidence(BaseModel):
    signal: str
    value: float | str | None = None
    threshold: float | None = None
    message: str


class Suggestion(BaseModel):
    action: str
    rationale: str
    patch: dict[str, Any] | None = None
    priority: int = 1


class Diagnosis(BaseModel):
    run_id: str | None = None
    status: DiagnosisStatus
    cause: str | None = None
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    summary: str
    since_step: int | None = None
    best_step: int | None = None
    evidence: list[Evidence] = []
    suggestions: list[Suggestion] = []
    advisor_version: str
