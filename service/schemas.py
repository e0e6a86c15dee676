"""The pydantic contract of fitdoc (docs/ARCHITECTURE.md sections 3-5).

Imported by the HTTP layer, the store, the workers and the advisor; imports no FastAPI.
"""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from functools import cache
from types import UnionType
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from typing_extensions import TypeAliasType

from service.catalogue import (
    ACTIVATIONS,
    ARCHS,
    AUGMENTATIONS,
    DATASETS,
    DEVICE_PATTERN,
    FREEZE_NAMES,
    INITS,
    LOSSES,
    MAX_FOLDS,
    MAX_FREEZE,
    MIN_FOLDS,
    OPTIMIZERS,
    PRECISIONS,
    SCHEDULES,
    UPLOAD_ID_PATTERN,
    WATCHABLE_METRICS,
    Param,
)
from service.catalogue.probes import (
    INITIAL_LOSS_BATCHES,
    JOB_ID_PATTERN,
    LR_RANGE_STEPS,
    MAX_ENSEMBLE_MEMBERS,
    MAX_HESSIAN_BATCHES,
    MAX_HESSIAN_ITERS,
    MAX_HESSIAN_K,
    MAX_INITIAL_LOSS_BATCHES,
    MAX_LR_RANGE_STEPS,
    MIN_ENSEMBLE_MEMBERS,
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
# The largest integer every JSON reader keeps exact (a double's 53 bits; JavaScript's
# MAX_SAFE_INTEGER): above it, a bound is compared in floats that cannot tell 2**62 from
# 2**62 + 95, so readers disagree on what is within it.
MAX_STEP = 2**53 - 1
PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 1_000

MAX_JSON_DEPTH = 32  # nesting of free-form JSON (a run's meta, a follow-up's patch)

# Every string the API stores or looks up is text that both databases can hold: no NUL
# (PostgreSQL's text and JSONB cannot) and no unpaired surrogate (not Unicode: psycopg cannot
# encode it, pydantic refuses it in any constrained string). The patterns are in the OpenAPI
# document, and service/api/errors.py words their errors.
NO_NUL = r"^[^\x00]*$"
# A name or a key: no NUL, and something besides whitespace (it is stored stripped). The
# document's \s (ECMA) and Python's str.strip() differ: Python also strips \x1c-\x1f and
# \x85, so the pattern names them; ECMA's \s also has \ufeff, so _stripped strips it.
NOT_BLANK = r"^[^\x00]*[^\x00\s\x1c-\x1f\x85][^\x00]*$"


def _stripped(value: str) -> str:
    # Length and pattern were checked on the string as sent (the OpenAPI document's bounds),
    # so what is stored, stripped, is within them too.
    value = value.strip().strip("\ufeff").strip()
    if not value:  # blank: only whitespace, as Python or the document's pattern counts it
        raise ValueError("must have a character other than whitespace")
    return value


def text(max_length: int, min_length: int = 0) -> Any:
    """A string the API stores: at most `max_length` characters, no NUL."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length or None, max_length=max_length, pattern=NO_NUL),
    ]


def _name(max_length: int) -> Any:
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=max_length, pattern=NOT_BLANK),
        AfterValidator(_stripped),
    ]


class _KeysAsPropertyNames:
    """pydantic writes the pattern of a dict's keys as `patternProperties`, which in JSON
    Schema leaves every other key free; `propertyNames` says what it checks."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        for pattern, values in schema.pop("patternProperties", {}).items():
            schema["additionalProperties"] = values
            schema.setdefault("propertyNames", {})["pattern"] = pattern
        return schema


KEYS_AS_NAMES = _KeysAsPropertyNames()
Name = _name(MAX_NAME_LENGTH)
Key = _name(MAX_KEY_LENGTH)
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
# Strict members: a string stays a string (lax int would read "000..." over the length limit).
ParamValue = text(MAX_PARAM_VALUE_LENGTH) | StrictBool | StrictInt | StrictFloat
TagValue = text(MAX_TAG_VALUE_LENGTH)
# Free-form JSON: strings the databases can hold, objects and lists at most MAX_JSON_DEPTH
# deep, no NaN or Infinity (Python's json reads them; JSON has none, nor do JSON columns).
JsonValue = TypeAliasType(
    "JsonValue",
    "Text | StrictInt | StrictFloat | StrictBool | None | list[JsonValue] "
    "| Annotated[dict[Text, JsonValue], KEYS_AS_NAMES]",
)


_TEXT: TypeAdapter[str] = TypeAdapter(Text)


def json_depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (a scalar: 0, `{}`: 1)."""
    depth, level = 0, [value]
    while containers := [item for item in level if isinstance(item, dict | list)]:
        depth += 1
        level = [
            child
            for item in containers
            for child in (item.values() if isinstance(item, dict) else item)
        ]
    return depth


def _plain_json(value: Any) -> Any:
    """Checked before the types, which would fail deep down and less clearly."""
    if not isinstance(value, dict):
        return value
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"nests lists and objects more than {MAX_JSON_DEPTH} deep")
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError("NaN and Infinity are not JSON: send null or a string")
        if isinstance(item, dict | list):
            todo.extend(item.values() if isinstance(item, dict) else item)
    return value


def _json_kind(annotation: Any) -> str | None:
    """"number", "bool" or "numbers" (a list or tuple of numbers) for a field of that type
    (None allowed), else None."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _json_kind(args[0])
    if origin in (Union, UnionType):
        kinds = {_json_kind(a) for a in args if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if origin in (list, tuple) and args and {_json_kind(a) for a in args if a is not ...} == {
        "number"
    }:
        return "numbers"
    if annotation is bool:
        return "bool"
    return "number" if annotation in (int, float) else None


@cache
def _json_kinds(model: type[BaseModel]) -> dict[str, str]:
    kinds = {name: _json_kind(field.annotation) for name, field in model.model_fields.items()}
    return {name: kind for name, kind in kinds.items() if kind}


def _wrong_json_types(model: type[BaseModel], data: Any) -> None:
    """pydantic's lax mode reads `true` as 1 and "5" as 5 where the document says number,
    and 1 or "true" as True where it says boolean; a body is JSON, so its types are kept."""
    if not isinstance(data, dict):
        return
    errors: list[Any] = []
    for name, kind in _json_kinds(model).items():
        value = data.get(name)
        values = value if kind == "numbers" and isinstance(value, list | tuple) else [value]
        for i, item in enumerate(values):
            loc = (name, i) if kind == "numbers" and values is value else (name,)
            if kind != "bool" and isinstance(item, bool | str):
                errors.append({"type": "float_type", "loc": loc, "input": item})
            elif kind == "bool" and isinstance(item, str | int | float):
                if not isinstance(item, bool):
                    errors.append({"type": "bool_type", "loc": loc, "input": item})
    if errors:
        raise ValidationError.from_exception_data(model.__name__, errors)


class Closed(BaseModel):
    """Unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Strict(Closed):
    """Request bodies: closed, and a number or a boolean must be one (not a string or the
    other)."""

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        _wrong_json_types(cls, data)
        return data


# --- projects --------------------------------------------------------------------------------


class ProjectCreate(Strict):
    name: Name
    description: text(MAX_DESCRIPTION_LENGTH) | None = None  # type: ignore[valid-type]


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

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"propertyNames": {"pattern": NO_NUL}}
    )
    __pydantic_extra__: dict[str, JsonValue] = Field(init=False)  # type: ignore[assignment]

    task: Task | None = None
    num_classes: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    planned_epochs: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    step_unit: Literal["epoch", "batch"] | None = None
    # A regression's reference level, its counterpart of a classifier's chance loss: the
    # loss of predicting the training targets' mean (their variance under MSE). A job's
    # worker records it once the data is read; a client may send it for its own runs.
    baseline_loss: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] | None = None
    # The training samples the run's dataset holds (what dataset.n_train may ask for): a
    # job's worker records it for a file whose size the catalogue cannot know, so that the
    # advisor never asks for more data than there is.
    train_available: Annotated[int, Field(ge=1, le=1 << 40)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        _wrong_json_types(cls, value)
        return _plain_json(value)

    @model_validator(mode="after")
    def _storable_keys(self) -> RunMeta:
        for key in self.model_extra or {}:
            _TEXT.validate_python(key)
        return self


class RunCreate(Strict):
    project: Name
    name: Name | None = None
    params: Annotated[dict[Key, ParamValue], Field(max_length=MAX_PARAMS), KEYS_AS_NAMES] = {}
    tags: Annotated[dict[Key, TagValue], Field(max_length=MAX_TAGS), KEYS_AS_NAMES] = {}
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
    tags: (
        Annotated[dict[Key, TagValue | None], Field(max_length=MAX_TAGS), KEYS_AS_NAMES] | None
    ) = None


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
NON_FINITE = frozenset(get_args(NonFinite))


class MetricPoint(Closed):
    # Closed, not Strict: a batch holds up to 10,000 points, so its JSON types are checked
    # by one validator that knows its two numbers (as cheap as the one it had before).
    key: Key
    step: Annotated[int, Field(ge=0, le=MAX_STEP)]  # 5.0 is an integer in JSON Schema
    value: float | NonFinite
    timestamp: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _json_types(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        step, value = data.get("step"), data.get("value")
        errors: list[Any] = []
        if isinstance(step, bool | str):  # lax int would read `true` as 1, "5" as 5
            errors.append({"type": "int_type", "loc": ("step",), "input": step})
        if isinstance(value, bool) or (isinstance(value, str) and value not in NON_FINITE):
            why = ValueError("value must be a number or 'NaN'/'Infinity'/'-Infinity'")
            errors.append(
                {"type": "value_error", "loc": ("value",), "input": value, "ctx": {"error": why}}
            )
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data


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
    # A job of an experiment: the experiment, the job's part in it, a probe's findings.
    experiment_id: str | None = None
    experiment_role: str | None = None
    result: dict[str, Any] | None = None



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
    # npz, image_folder: a file or folder under the dataset roots (FITDOC_DATASET_ROOTS) on
    # the workers; relative paths are under the first root. npz: or, instead, `id`.
    path: text(4096, min_length=1) | None = None  # type: ignore[valid-type]
    # npz: an uploaded dataset of the job's project (POST /api/v1/datasets), instead of path.
    id: Annotated[str, StringConstraints(pattern=f"^{UPLOAD_ID_PATTERN}$")] | None = None
    n_train: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    val_fraction: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    seed: Seed = 0
    task: Task = Task.classification
    # Cross-validation, both or neither: the training part (after n_train; a held-out split
    # the dataset brings stays out) shuffled by `seed` and cut into `folds` parts, stratified
    # by class; part `fold` is the validation set, the others train. No val_fraction then.
    folds: Annotated[int, Field(ge=MIN_FOLDS, le=MAX_FOLDS)] | None = None
    fold: Annotated[int, Field(ge=0, le=MAX_FOLDS - 1)] | None = None
    # Regression only: train on the targets standardised with the training set's mean and
    # std (per output), validation's with the same; the losses are then in those units.
    standardize_targets: StrictBool = False


class InitFromSpec(Strict):
    """Start from another job's checkpoint (transfer): its `weights`, the model section
    building the same layers, the head (the last layer) new when the number of outputs
    differs; `freeze` keeps the first layers as they are (requires_grad off, their BatchNorm
    in eval mode): none, head_only (only the last layer trains) or a number of layers."""

    job_id: Annotated[str, StringConstraints(pattern=f"^{JOB_ID_PATTERN}$")]
    weights: Literal["best", "last"] = "best"
    freeze: (
        Literal[FREEZE_NAMES]  # type: ignore[valid-type]
        | Annotated[StrictInt, Field(ge=1, le=MAX_FREEZE)]
    ) = "none"

    @field_validator("freeze", mode="wrap")
    @classmethod
    def _one_message(cls, value: Any, handler: Any) -> Any:
        # one sentence for a value that fits neither member, not one per member
        try:
            return handler(value)
        except ValidationError:
            raise ValueError(f"must be {' or '.join(map(repr, FREEZE_NAMES))} or a number of "
                             f"layers from 1 to {MAX_FREEZE}, got {value!r}") from None


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
    init_from: InitFromSpec | None = None


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


# --- probes: jobs that measure (service/catalogue/probes.py, workers/training/probes.py) -----

JobId = Annotated[str, StringConstraints(pattern=f"^{JOB_ID_PATTERN}$")]


class InitialLossProbeSpec(Strict):
    """The untrained model's loss and accuracy on at most `batches` training batches, vs
    what it should be: ln C for cross-entropy over C classes, for MSE the MSE of the best
    constant prediction (the targets' variance). No training."""

    kind: Literal["initial_loss"]
    batches: Annotated[int, Field(ge=1, le=MAX_INITIAL_LOSS_BATCHES)] = INITIAL_LOSS_BATCHES


class LrRangeProbeSpec(Strict):
    """Leslie Smith's lr range test: `steps` mini-batches of the spec's model and optimizer,
    the lr growing exponentially from lr_min to lr_max (lr_min < lr_max); stops once the
    smoothed loss passes 4x its best. Suggests min_loss_lr / 10."""

    kind: Literal["lr_range"]
    lr_min: Annotated[float, Field(gt=0.0, le=1e6)] = 1e-7
    lr_max: Annotated[float, Field(gt=0.0, le=1e6)] = 10.0
    steps: Annotated[int, Field(ge=5, le=MAX_LR_RANGE_STEPS)] = LR_RANGE_STEPS
    # the weight of the past in the loss's moving average (bias-corrected)
    smoothing: Unit = 0.9


class HessianProbeSpec(Strict):
    """At a succeeded job's checkpoint weights (`best` or `last`), the k largest and k
    smallest eigenvalues of the training loss's Hessian over `batches` fixed training
    batches (Lanczos, `iters` >= 2k Hessian-vector products), the gradient norm and a
    verdict: saddle_point, local_minimum or not_critical. At a saddle point it saves a
    checkpoint moved along the most negative eigenvector (`escape_step`; null: the step of
    a line search that lowers the loss most)."""

    kind: Literal["hessian"]
    job_id: JobId
    weights: Literal["best", "last"] = "best"
    batches: Annotated[int, Field(ge=1, le=MAX_HESSIAN_BATCHES)] = 4
    k: Annotated[int, Field(ge=1, le=MAX_HESSIAN_K)] = 3
    iters: Annotated[int, Field(ge=2, le=MAX_HESSIAN_ITERS)] = 30
    tolerance: Annotated[float, Field(gt=0.0, lt=1.0)] = 1e-3
    escape_step: Annotated[float, Field(gt=0.0, le=1e3)] | None = None


class EnsembleProbeSpec(Strict):
    """The members' (succeeded jobs of the project, trained on the spec's dataset) best
    weights: their softmax probabilities (regression: outputs) averaged on the validation
    set, vs each member alone."""

    kind: Literal["ensemble"]
    members: Annotated[
        list[JobId], Field(min_length=MIN_ENSEMBLE_MEMBERS, max_length=MAX_ENSEMBLE_MEMBERS)
    ]


ProbeSpec = Annotated[
    InitialLossProbeSpec | LrRangeProbeSpec | HessianProbeSpec | EnsembleProbeSpec,
    Field(discriminator="kind"),
]


class JobSpec(Strict):
    """What a worker trains. Only dataset.name, model.arch and optimizer.name are required.
    With `probe`, a job that measures instead (training.epochs is then not read)."""

    dataset: DatasetSpec
    model: ModelSpec
    optimizer: OptimizerSpec
    schedule: ScheduleSpec = ScheduleSpec()
    regularization: RegularizationSpec = RegularizationSpec()
    augmentation: AugmentationSpec = AugmentationSpec()  # type: ignore[valid-type]
    training: TrainingSpec = TrainingSpec()
    probe: ProbeSpec | None = None

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
        if spec["probe"] is None:  # a training job's spec is what it was before probes
            del spec["probe"]
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
    tags: Annotated[dict[Key, TagValue], Field(max_length=MAX_TAGS), KEYS_AS_NAMES] = {}
    repair: RepairSpec = RepairSpec()


class FollowUpCreate(Strict):
    """A follow-up of an ended job: its spec with one change. Exactly one of the two."""

    # Exactly one, and not null: as the document says it (`oneOf`), so that every body it
    # calls valid is accepted and every other refused.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["suggestion"]}, {"required": ["patch"]}]},
    )

    # an index into the run's suggestions
    suggestion: Annotated[int, Field(ge=0)] = None  # type: ignore[assignment]
    # a partial JobSpec, deep-merged into the parent's
    patch: Annotated[  # type: ignore[assignment]
        dict[Text, JsonValue], KEYS_AS_NAMES, BeforeValidator(_plain_json)
    ] = None

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
    # The metric's best value (accuracy's 1.0): a first job whose kept model scored it
    # cannot be beaten, and a later healthy one that scores it too repairs the chain
    best_possible: float | None = None


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


# --- uploaded datasets ---------------------------------------------------------------------


class ArrayInfo(BaseModel):
    shape: list[int]
    dtype: str  # numpy's name: float32, uint8, int64, ...


class Dataset(BaseModel):
    """An uploaded npz, checked at upload; a job reads it as {"name": "npz", "id": ...}."""

    id: str
    project: str  # the project's name
    name: str
    size_bytes: int
    sha256: str  # of the file as uploaded
    arrays: dict[str, ArrayInfo]  # x, y and, when given, x_val, y_val
    # classification: y holds integer labels 0..classes-1 (a job may also regress on them);
    # regression: y holds float targets, (N,) or (N, k).
    task: Task
    classes: int | None = None
    n_train: int  # samples in x
    n_val: int | None = None  # samples in x_val; None: split off x (dataset.val_fraction)
    created_by: str | None = None  # the token that uploaded it (None: bootstrap, no auth)
    created_at: datetime


# --- experiments (issue 13) ------------------------------------------------------------------

# The kinds service/experiments registers, in the lecture's order (a test keeps both equal).
EXPERIMENT_KINDS = (
    "initial_loss",
    "overfit_small",
    "lr_range",
    "shallow_vs_deep",
    "hessian",
    "cross_validation",
    "ensemble",
    "sweep",
    "transfer",
)
ExperimentKind = Literal[EXPERIMENT_KINDS]  # type: ignore[valid-type]


class ExperimentStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class ExperimentCreate(Strict):
    project: Name
    kind: ExperimentKind
    spec: JobSpec
    # The kind's options (each kind checks its own: 422 naming `options.<field>`).
    options: dict[Key, Any] = {}
    name: Name | None = None


class ExperimentJob(BaseModel):
    id: str
    run_id: str
    role: str  # the job's part in the experiment ("deep", "fold-2", "coarse-3", ...)
    phase: int
    status: JobStatus


class Experiment(BaseModel):
    id: str
    project: str
    kind: ExperimentKind
    name: str
    status: ExperimentStatus
    phase: int  # the phase whose jobs run now (a sweep: coarse 0, fine 1, final 2)
    spec: dict[str, Any]
    options: dict[str, Any]
    jobs: list[ExperimentJob]
    result: dict[str, Any] | None = None
    verdict: str | None = None  # the kind's one-word answer (model_bias, saddle_point, ...)
    error: str | None = None
    # The run whose diagnosis the finding feeds (the advisor cites it), once concluded.
    subject_run_id: str | None = None
    cancel_requested: bool = False
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


# --- events (service/store/events.py) ---------------------------------------------------------


class EventType(StrEnum):
    """What the event log records, each in the transaction of the change it reports."""

    metrics_logged = "metrics.logged"  # data: keys, first_step, last_step, points
    diagnosis_changed = "diagnosis.changed"  # old_status/cause, status, cause, summary
    job_status = "job.status"  # status, previous, progress {epoch, epochs}, error
    run_status = "run.status"  # status, previous
    repair_round = "repair.round"  # root_id, round, state, applied


class Event(BaseModel):
    """One entry of the event log. `id` is its position: increasing in the order events
    are read, the same on every read and every process; resume after it (SSE's
    Last-Event-ID)."""

    id: int
    type: EventType
    project: str
    run_id: str | None = None
    job_id: str | None = None
    data: dict[str, Any]
    created_at: datetime


class EventPage(BaseModel):
    """Events after the position asked for, in order; `last_id`: resume after it."""

    items: list[Event]
    last_id: int


# --- webhooks (service/webhooks.py) -----------------------------------------------------------

MAX_URL_LENGTH = 2_048


class WebhookCreate(Strict):
    # http(s) only; a host that resolves to a link-local or metadata address is refused
    # (service/webhooks.py `check_url`; loopback and private addresses are allowed).
    url: Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL_LENGTH,
                                          pattern=NO_NUL)]
    events: Annotated[list[EventType], Field(min_length=1, max_length=50)]
    # The project (name or id; made if new); none: the caller's project if its token is bound
    # to one, else every project.
    project: Name | None = None
    # Signs each delivery (X-Fitdoc-Signature: HMAC-SHA256 of the body); never returned.
    secret: Annotated[str, StringConstraints(min_length=8, max_length=256, pattern=NO_NUL)]


class Webhook(BaseModel):
    """A subscriber POSTed the events it asked for (its secret is never returned)."""

    id: str
    url: str
    events: list[EventType]
    project: str | None = None  # the project's name; None: every project
    created_by: str | None = None  # the token that made it (None: bootstrap, or no auth)
    created_at: datetime


class DeliveryStatus(StrEnum):
    pending = "pending"  # not yet delivered: tried again at next_attempt_at
    delivered = "delivered"  # a 2xx answer
    failed = "failed"  # FITDOC_WEBHOOK_MAX_ATTEMPTS attempts failed: not tried again


class WebhookDelivery(BaseModel):
    """One event for one webhook; `id` is the X-Fitdoc-Delivery header, the same on every
    attempt."""

    id: str
    webhook_id: str
    event_id: int  # the event's position in the log (GET /events' id)
    event_type: EventType
    status: DeliveryStatus
    attempts: int
    status_code: int | None = None  # the last attempt's HTTP status (None: no answer)
    last_error: str | None = None  # the last failed attempt's error (kept after a success)
    next_attempt_at: datetime | None = None
    created_at: datetime
    delivered_at: datetime | None = None
