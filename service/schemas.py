"""The pydantic contract of fitdoc (docs/ARCHITECTURE.md sections 3-5).

Imported by the HTTP layer, the store, the workers and the advisor; imports no FastAPI.
"""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    field_validator,
    model_validator,
)

from service.catalogue import (
    ACTIVATIONS,
    ARCHS,
    AUGMENTATIONS,
    DATASETS,
    DEVICE_PATTERN,
    INITS,
    LOSSES,
    OPTIMIZERS,
    PRECISIONS,
    SCHEDULES,
    WATCHABLE_METRICS,
    Param,
)

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
    created_by: str | None = None  # the token that made the run (None: bootstrap, or no auth)


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


# --- diagnosis (docs/ARCHITECTURE.md section 5) -------------------------------------------


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


# --- jobs ------------------------------------------------------------------------------------


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


TERMINAL_JOB_STATUSES = frozenset({JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled})


class JobProgress(BaseModel):
    epoch: int
    epochs: int


class Applied(BaseModel):
    """What a follow-up job changed in its parent's spec."""

    action: str  # a suggestion's action, or "patch" for a patch given by hand
    patch: dict[str, Any]


class Job(BaseModel):
    id: str
    run_id: str
    project: str
    status: JobStatus
    progress: JobProgress
    error: str | None = None
    attempts: int  # how many times a worker has taken the job (more than 1: taken over)
    cancel_requested: bool
    spec: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # The running attempt's last heartbeat; the epochs the current (or last) attempt found
    # done in its predecessor's saved training state and went on from (None: from epoch 0).
    heartbeat_at: datetime | None = None
    resumed_from_epoch: int | None = None
    best_epoch: int | None = None  # the epoch whose weights the job kept, once it has ended
    # Chains of follow-up jobs (POST /jobs/{id}/follow-up, auto-repair)
    parent_id: str | None = None
    root_id: str
    round: int = 0
    applied: Applied | None = None
    created_by: str | None = None  # the token that submitted the job (None: bootstrap, no auth)



# --- JobSpec (docs/ARCHITECTURE.md section 4) ---------------------------------------------
# The HTTP contract of a training job. Every name it accepts and every augmentation's
# parameters come from the spec catalogue (service/catalogue); workers/training declares the
# same sections as frozen dataclasses (it must run with torch alone), and
# tests/training/test_jobspec_contract.py keeps the fields, defaults and bounds of both in step.
# What ties fields together (cnn on tabular data, ...) is the catalogue's `check_spec`, which
# service/jobs.py runs on `JobSpec.resolved()`.

DatasetName = Literal[tuple(DATASETS)]  # type: ignore[valid-type]
Arch = Literal[tuple(ARCHS)]  # type: ignore[valid-type]
Activation = Literal[tuple(ACTIVATIONS)]  # type: ignore[valid-type]
Init = Literal[tuple(INITS)]  # type: ignore[valid-type]
OptimizerName = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]
ScheduleName = Literal[tuple(SCHEDULES)]  # type: ignore[valid-type]
LossName = Literal[tuple(LOSSES)]  # type: ignore[valid-type]
Precision = Literal[PRECISIONS]  # type: ignore[valid-type]
Watchable = Literal[WATCHABLE_METRICS]  # type: ignore[valid-type]

Seed = Annotated[int, Field(ge=0, le=2**31 - 1)]
Unit = Annotated[float, Field(ge=0.0, lt=1.0)]


class DatasetSpec(Strict):
    name: DatasetName
    path: Annotated[str, StringConstraints(min_length=1, max_length=4096)] | None = None
    n_train: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    val_fraction: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    seed: Seed = 0
    task: Task = Task.classification


class ModelSpec(Strict):
    arch: Arch
    widths: (
        Annotated[list[Annotated[int, Field(ge=1, le=65_536)]], Field(min_length=1, max_length=64)]
        | None
    ) = None
    width: Annotated[int, Field(ge=1, le=65_536)] | None = None
    depth: Annotated[int, Field(ge=1, le=64)] | None = None
    activation: Activation = "relu"
    dropout: Unit = 0.0
    batchnorm: bool | None = None
    init: Init = "default"


class OptimizerSpec(Strict):
    name: OptimizerName
    lr: Annotated[float, Field(gt=0.0, le=1e6)] | None = None
    momentum: Unit | None = None
    nesterov: bool = False
    weight_decay: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0
    betas: tuple[Unit, Unit] | None = None
    alpha: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None


class ScheduleSpec(Strict):
    name: ScheduleName = "constant"
    warmup_epochs: Annotated[float, Field(ge=0.0, le=100_000)] = 0.0
    step_size: Annotated[int, Field(ge=1, le=100_000)] | None = None
    gamma: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    min_lr: Annotated[float, Field(ge=0.0, le=1e6)] | None = None
    power: Annotated[float, Field(gt=0.0, le=10.0)] | None = None
    factor: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    patience: Annotated[int, Field(ge=0, le=100_000)] | None = None


class EarlyStoppingSpec(Strict):
    metric: Watchable = "val_loss"
    patience: Annotated[int, Field(ge=1, le=100_000)] = 5
    min_delta: Annotated[float, Field(ge=0.0, le=1e6)] = 0.0


class RegularizationSpec(Strict):
    l1: Annotated[float, Field(ge=0.0, le=100.0)] = 0.0
    l2: Annotated[float, Field(ge=0.0, le=100.0)] = 0.0
    label_smoothing: Unit = 0.0
    early_stopping: EarlyStoppingSpec | None = None


class TrainingSpec(Strict):
    epochs: Annotated[int, Field(ge=1, le=100_000)] = 10
    batch_size: Annotated[int, Field(ge=1, le=1 << 20)] = 128
    loss: LossName = "cross_entropy"
    precision: Precision = "fp32"
    device: Annotated[str, StringConstraints(pattern=f"^({DEVICE_PATTERN})$")] = "auto"
    grad_clip: Annotated[float, Field(gt=0.0, le=1e6)] | None = None
    compile: bool = False
    seed: Seed = 0


def _param_type(param: Param) -> Any:
    number = Annotated[float, Field(ge=param.low, le=param.high)]
    if param.kind == "range":  # low <= high is the catalogue's rule (check_spec)
        return tuple[number, number]
    if param.kind == "integer":
        return Annotated[int, Field(ge=param.low, le=param.high)]
    return number


def _augmentation_spec(name: str) -> type[Strict]:
    """The parameters of one augmentation, as the catalogue declares them."""
    fields: dict[str, Any] = {
        key: (_param_type(p), Field(p.default, description=p.description or None))
        for key, p in AUGMENTATIONS[name].params.items()
    }
    title = "".join(part.capitalize() for part in name.split("_"))
    return create_model(f"{title}Spec", __base__=Strict, **fields)


AugmentationSpec: type[Strict] = create_model(
    "AugmentationSpec",
    __base__=Strict,
    __doc__="Each augmentation: an object of its parameters, `true` for its defaults, or "
    "absent. Applied per sample on the training device, in this order; image ones need "
    "image data.",
    **{name: (_augmentation_spec(name) | bool | None, None) for name in AUGMENTATIONS},
)


class JobSpec(Strict):
    """What a worker trains. Only dataset.name, model.arch and optimizer.name are required."""

    dataset: DatasetSpec
    model: ModelSpec
    optimizer: OptimizerSpec
    schedule: ScheduleSpec = ScheduleSpec()
    regularization: RegularizationSpec = RegularizationSpec()
    augmentation: AugmentationSpec = AugmentationSpec()  # type: ignore[valid-type]
    training: TrainingSpec = TrainingSpec()

    def resolved(self) -> dict[str, Any]:
        """The spec as a job stores and trains it (the training config's JSON shape): every
        field, the optimizer's usual lr filled in when none was given, each augmentation
        that is on as an object of its parameters (`true`: `{}`, the defaults)."""
        spec = self.model_dump(mode="json")
        if spec["optimizer"]["lr"] is None:
            spec["optimizer"]["lr"] = OPTIMIZERS[self.optimizer.name].usual_lr
        on = {name: getattr(self.augmentation, name) for name in AUGMENTATIONS}
        spec["augmentation"] = {
            name: {} if value is True else value.model_dump(mode="json")
            for name, value in on.items()
            if value not in (None, False)
        }
        return spec


MAX_REPAIR_ROUNDS = 5


class RepairSpec(Strict):
    # Follow-up jobs auto-repair may make after this one, each applying the diagnosis'
    # best suggestion not yet tried in the chain, until a run is healthy.
    max_rounds: Annotated[int, Field(ge=0, le=MAX_REPAIR_ROUNDS)] = 0


class JobCreate(Strict):
    project: Name
    name: Name | None = None
    spec: JobSpec
    tags: Annotated[dict[Key, TagValue], Field(max_length=MAX_TAGS)] = {}
    repair: RepairSpec = RepairSpec()


class FollowUpCreate(Strict):
    """A follow-up of an ended job: its spec with one change. Exactly one of the two."""

    suggestion: Annotated[int, Field(ge=0)] | None = None  # index into the run's suggestions
    patch: dict[str, Any] | None = None  # a partial JobSpec, deep-merged into the parent's

    @model_validator(mode="after")
    def _exactly_one(self) -> FollowUpCreate:
        if (self.suggestion is None) == (self.patch is None):
            raise ValueError("give either suggestion (an index) or patch (a partial spec)")
        return self


class RepairState(StrEnum):
    running = "running"
    repaired = "repaired"
    gave_up = "gave_up"


class ValidationMetric(BaseModel):
    name: str  # val_acc for classifiers, val_loss for regressions
    higher_is_better: bool
    tie_break: str | None = None  # compared (lower is better) when the metric ties


class DiagnosisBrief(BaseModel):
    status: DiagnosisStatus
    cause: str | None = None


class LineageJob(BaseModel):
    id: str
    run_id: str
    parent_id: str | None
    round: int
    status: JobStatus
    diagnosis: DiagnosisBrief | None  # None until the run has metrics to judge
    applied: Applied | None
    best_epoch: int | None
    val_metric: float | None  # the lineage's metric for the kept weights
    val_loss: float | None = None  # their validation loss
    val_acc: float | None = None  # and accuracy (classifiers)



class Lineage(BaseModel):
    root_id: str
    state: RepairState
    max_rounds: int
    best_job_id: str | None  # the job whose kept model is best on validation
    metric: ValidationMetric
    jobs: list[LineageJob]


# --- tokens ----------------------------------------------------------------------------------


class Role(StrEnum):
    """What a token may do, each role including the ones before it: read (GETs), write
    (logging, runs, jobs, cancel, uploads), admin (tokens, webhooks, deletes)."""

    read = "read"
    write = "write"
    admin = "admin"


class TokenCreate(Strict):
    # The token's project (name or id; made if new); none: every project (admin only).
    project: Name | None = None
    role: Role
    name: Name | None = None


class Token(BaseModel):
    id: str
    name: str
    project: str | None = None  # the project's name; None: every project
    role: Role
    created_by: str | None = None  # the token that made this one (None: the bootstrap token)
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class TokenCreated(Token):
    token: str  # shown once, here: fitdoc keeps only its SHA-256
